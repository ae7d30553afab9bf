#!/usr/bin/env bash
# Runs ansible-test integration against a fresh simulator: tools/integration.sh [ansible-test options] [targets]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
sim_name="integration-$$"
trap 'tools/sim.sh stop "$sim_name" >/dev/null 2>&1 || true' EXIT
tree=$(tools/collection_tree.sh)
base_url=$(tools/sim.sh start "$sim_name" simulator/seeds/test.json --task-duration 0.3)
"$root/.venv/bin/python" tools/integration_config.py "$base_url" simulator/seeds/test.json >"$tree/tests/integration/integration_config.yml"
cd "$tree"
ansible-test integration --local --python 3.11 --color no "$@"
