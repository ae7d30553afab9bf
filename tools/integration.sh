#!/usr/bin/env bash
# Runs ansible-test integration against a fresh simulator: tools/integration.sh [ansible-test options] [targets]
# The ansible-core line under test: NASHA_TEST_VENV (virtualenv holding ansible-test, default .venv) and
# NASHA_TEST_PYTHON (its Python version, default 3.11). The simulator always runs from .venv.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
test_venv="${NASHA_TEST_VENV:-$root/.venv}"
test_python="${NASHA_TEST_PYTHON:-3.11}"
export PATH="$test_venv/bin:$PATH"
sim_name="integration-$$"
# The restore tests copy with rsync on this host.
"$root/tools/require_package.sh" rsync rsync "the restore module runs rsync"
# The partitions' shares, as a client that mounts them sees them (restore tests).
data_dir="$root/.sim/$sim_name.data"
trap '"$root/tools/sim.sh" stop "$sim_name" >/dev/null 2>&1 || true; chmod -R u+w "$data_dir" 2>/dev/null; rm -rf "$data_dir"' EXIT  # absolute: the script ends inside the collection tree
mkdir -p "$data_dir"
tree=$(tools/collection_tree.sh)
base_url=$(tools/sim.sh start "$sim_name" simulator/seeds/test.json --task-duration 0.3 --data-dir "$data_dir")
"$root/.venv/bin/python" tools/integration_config.py "$base_url" simulator/seeds/test.json "$data_dir" >"$tree/tests/integration/integration_config.yml"
cd "$tree"
ansible-test integration --local --python "$test_python" --color no "$@"
