#!/usr/bin/env bash
# make demo: start the simulator seeded with two services of three partitions each, apply the example
# inventory's snapshot policy (changes shown), apply it again (changed=0 for every host), stop the simulator.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.venv/bin:$PATH"
sim_name=demo
trap 'tools/sim.sh stop "$sim_name" >/dev/null 2>&1 || true' EXIT

tree=$(NASHA_BUILD_DIR="$root/.build/demo" tools/collection_tree.sh)
export ANSIBLE_COLLECTIONS_PATH="${tree%/ansible_collections/snapkeep/nasha}"
export ANSIBLE_FORCE_COLOR="${ANSIBLE_FORCE_COLOR:-false}" ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-1}"

echo "==> starting the NAS-HA API simulator (seed: simulator/seeds/demo.json, tasks take 1 s)"
# The partitions' shares live in a data directory (see simulator/README.md); the mail partition holds a few files.
data_dir="$root/.sim/demo.data"
rm -rf "$data_dir" && mkdir -p "$data_dir/zpool-100002/mail/inbox"
printf 'From: accounting\nSubject: November invoices\n' >"$data_dir/zpool-100002/mail/inbox/2026-11.mbox"
printf 'From: hr\nSubject: holidays\n' >"$data_dir/zpool-100002/mail/inbox/2026-12.mbox"
OVH_ENDPOINT=$(tools/sim.sh start "$sim_name" simulator/seeds/demo.json --task-duration 1 --data-dir "$data_dir")
export OVH_ENDPOINT OVH_APPLICATION_KEY=demo-ak OVH_APPLICATION_SECRET=demo-as OVH_CONSUMER_KEY=demo-ck
echo "    $OVH_ENDPOINT"

run() {  # run NUMBER: the playbook, its output kept in .sim/demo-run-NUMBER.log
  ansible-playbook -i examples/inventory snapkeep.nasha.nasha_snapshot_policy --diff | tee "$root/.sim/demo-run-$1.log"
}
# the PLAY RECAP lines of the NAS-HA services (hosts zpool-*) in the output of run NUMBER
recap() { grep -E '^zpool-[0-9]+ +:' "$root/.sim/demo-run-$1.log" || true; }

echo
echo "==> first run: make OVHcloud match the policy of examples/inventory"
run 1

echo
echo "==> second run: the policy already holds, nothing may change"
run 2
hosts=$(recap 1 | awk '{print $1}')
host_list=$(tr '\n' ' ' <<<"$hosts")
if [ -z "$hosts" ]; then
  echo "demo: no PLAY RECAP line for a zpool-* host in the first run's output" >&2
  exit 1
fi
if [ "$(recap 2 | awk '{print $1}')" != "$hosts" ]; then
  echo "demo: the second run's PLAY RECAP does not list the hosts of the first run (${host_list% })" >&2
  exit 1
fi
if recap 2 | grep -vq ' changed=0 '; then
  echo "demo: the second run changed something; it should not have" >&2
  exit 1
fi
writes=$(python3 -c 'import json, sys, urllib.request; entries = json.load(urllib.request.urlopen(sys.argv[1]))["entries"]; print(sum(1 for e in entries if e["write"]))' \
  "${OVH_ENDPOINT%/1.0}/_sim/log")
echo
echo "==> demo done: second run changed=0 on every host (${host_list% }); write requests served by the simulator over both runs: $writes"

echo
echo "==> restore: a mail file is deleted by mistake, then brought back from the custom snapshot the policy took"
mail="$data_dir/zpool-100002/mail"
echo "    snapshots on the share: $(cd "$mail/.zfs/snapshot" && echo *)"
rm "$mail/inbox/2026-11.mbox"
echo "    deleted $mail/inbox/2026-11.mbox; inbox now holds: $(cd "$mail/inbox" && echo *)"
ansible-playbook playbooks/nasha_snapshot_restore.yml -i localhost, -c local --diff \
  -e ansible_python_interpreter="$(command -v python)" \
  -e nasha_snapshot_restore_service_name=zpool-100002 -e nasha_snapshot_restore_partition_name=mail \
  -e nasha_snapshot_restore_mount_point="$mail" -e nasha_snapshot_restore_snapshot=quarterly-audit \
  -e nasha_snapshot_restore_path=inbox/2026-11.mbox -e nasha_snapshot_restore_in_place=true \
  -e nasha_snapshot_restore_safety_snapshot_name=before-demo-restore
echo "    inbox now holds: $(cd "$mail/inbox" && echo *)"
echo "    $mail/inbox/2026-11.mbox:"
sed 's/^/      /' "$mail/inbox/2026-11.mbox"
echo "==> restore done"
