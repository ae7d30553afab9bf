#!/usr/bin/env bash
# Every check of the collection, in order; stops at the first failure. Called by `make test`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
py="$root/.venv/bin/python"
started=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

step "simulator tests and API contract test"
"$py" -m pytest -q -p no:cacheprovider simulator/tests

step "collection tree for ansible-test"
tree=$(tools/collection_tree.sh)
"$py" tools/get_pip_standin.py

step "ansible-test units (ansible-core $("$py" -c 'import ansible; print(ansible.__version__)'), Python 3.11)"
(cd "$tree" && ansible-test units --local --python 3.11 --color no)

step "ansible-test sanity (Python 3.11)"
(cd "$tree" && ansible-test sanity --venv --python 3.11 --color no)

step "ansible-test integration against the simulator (Python 3.11)"
tools/integration.sh

step "all checks passed"
echo "make test: total time $(( $(date +%s) - started )) s"
