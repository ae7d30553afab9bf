#!/usr/bin/env bash
# make bench: the performance figures against a simulator of its own (own port, own state), printed as a table
# with the goal beside each figure and written to bench/output/latest.md. BENCH_RUNS sets the runs per figure (3).
# BENCH_FIGURES measures some groups only, among modules, service, scale, rate (tools/bench/run.py --figures), inventory
# and restore, e.g. BENCH_FIGURES=modules,service (without all of the first three the table goes to partial.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
sim_name="bench-$$"
mkdir -p "$root/bench/output"
figures=",${BENCH_FIGURES:-modules,service,scale,rate,inventory,restore},"
run_figures=$(echo "$figures" | tr ',' '\n' | grep -E '^(modules|service|scale|rate)$' | paste -sd, - || true)
trap 'tools/sim.sh stop "$sim_name" >/dev/null 2>&1 || true; rm -f "$root/.sim/$sim_name".*' EXIT

tree=$(NASHA_BUILD_DIR="${NASHA_BUILD_DIR:-$root/.build/bench}" tools/collection_tree.sh)
base_url=$(tools/sim.sh start "$sim_name" bench/seeds/one-partition.json)
echo "==> simulator $base_url; collection $tree"
if [ -n "$run_figures" ]; then
  "$root/.venv/bin/python" tools/bench/run.py "$base_url" "${tree%/ansible_collections/snapkeep/nasha}" \
    --runs "${BENCH_RUNS:-3}" --sim-pid "$(cat "$root/.sim/$sim_name.pid")" --figures "$run_figures"
fi
if [[ $figures == *,inventory,* ]]; then
  echo "==> inventory plugin: ansible-inventory --list of 100 services x 10 partitions"
  "$root/.venv/bin/python" tools/bench/inventory.py "$base_url" "${tree%/ansible_collections/snapkeep/nasha}" --runs "${BENCH_RUNS:-3}"
fi
if [[ $figures == *,restore,* ]]; then
  # Restore figures: nasha_snapshot_restore against plain rsync -a, on local trees (no simulator needed).
  "$root/tools/require_package.sh" rsync rsync "the restore module runs rsync"
  echo "==> restore: nasha_snapshot_restore against rsync -a"
  "$root/.venv/bin/python" tools/bench/restore.py "${tree%/ansible_collections/snapkeep/nasha}" --runs "${BENCH_RUNS:-3}" \
    | tee "$root/bench/output/restore.md"
fi
