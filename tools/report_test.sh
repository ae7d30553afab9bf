#!/usr/bin/env bash
# The fleet report test: the report playbook over 10 services x 10 partitions against an in-process simulator,
# the page opened in headless Chromium; the page, its Markdown twin and screenshots land in tests/output/report/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tree=$(NASHA_BUILD_DIR="${NASHA_BUILD_DIR:-$root/.build}/report" tools/collection_tree.sh)
export NASHA_REPORT_COLLECTIONS="${tree%/ansible_collections/snapkeep/nasha}"
"$root/.venv/bin/python" -m pytest -q -p no:cacheprovider -s tests/report "$@"
echo "==> report and screenshots: $root/tests/output/report/"
