#!/usr/bin/env bash
# The reliability and security suite (tests/reliability): the modules and the role against simulators under faults,
# bad input and bad credentials, every playbook at -vvvv; prints the totals at the end and fails when a scenario
# failed, when a secret was found in an output or when check mode sent a write.
#   tools/reliability.sh [pytest options]      NASHA_RELIABILITY_WORKERS: parallel pytest workers (default 4)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
py="$root/.venv/bin/python"
ledger=$(mktemp -d "${TMPDIR:-/tmp}/nasha-reliability.XXXXXX")
trap 'rm -rf "$ledger"' EXIT

"$root/tools/require_package.sh" rsync rsync "the restore module's examples run rsync"
tree=$(NASHA_BUILD_DIR="${NASHA_BUILD_DIR:-$root/.build}/reliability" tools/collection_tree.sh)
export NASHA_RELIABILITY_COLLECTIONS="${tree%/ansible_collections/snapkeep/nasha}" NASHA_RELIABILITY_LEDGER="$ledger"
export NASHA_ROOT="$root" NASHA_VENV_BIN="$root/.venv/bin"

started=$(date +%s)
status=0
# Each test module has a simulator of its own; loadfile keeps a module on one worker. The runs mostly wait on
# the simulator's tasks and on retry pauses, so more workers than cores pay off.
"$py" -m pytest -q -p no:cacheprovider -n "${NASHA_RELIABILITY_WORKERS:-4}" --dist loadfile tests/reliability "$@" || status=$?

"$py" - "$ledger/totals.json" "$(( $(date +%s) - started ))" <<'PY' || { [ "$status" -ne 0 ] || status=1; }
import json
import sys

path, seconds = sys.argv[1], sys.argv[2]
try:
    with open(path, encoding="utf-8") as stream:
        totals = json.load(stream)
except OSError:
    sys.exit("reliability: no totals were written (the suite did not run to its end)")
print()
print("==> reliability totals (%s s)" % seconds)
print("scenarios:                   %d (%d failed)" % (totals["scenarios"], totals["scenarios_failed"]))
print("playbook runs:               %d (%d in check mode)" % (totals["runs"], totals["check_mode_runs"]))
print("faults injected:             %d" % totals["faults_injected"])
print("write requests in check mode: %d" % totals["check_mode_writes"])
print("secrets found:               %d" % totals["secrets_found"])
problems = [name for name in ("scenarios_failed", "check_mode_writes", "secrets_found") if totals[name]]
if problems or not totals["scenarios"]:
    sys.exit("reliability: FAILED (%s)" % ", ".join(problems or ["no scenario ran"]))
print("reliability: all scenarios passed")
PY
exit "$status"
