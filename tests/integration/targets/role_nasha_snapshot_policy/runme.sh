#!/usr/bin/env bash
# The role over an inventory of two services (group_vars and host_vars, as a user writes them), against the simulator.
# safety.yml (policies that cannot hold) runs under both of the simulator's busy settings; test.yml, whose
# scenario 5 is a failed write, also with busy=conflict. The output is checked for what a user should not see.
set -eux
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ansible-playbook -i files/inventory files/test.yml --diff -e @../../integration_config.yml -e sim_busy=conflict "$@" | tee "$out"
# A failed write is told once (by the role's last task), and the recap shows no "ignored".
test "$(grep -E '^(fatal|failed):' "$out" | grep -c 'simulated failure of the storage back end')" -eq 1
if grep -E 'ignored=[1-9]' "$out"; then exit 1; fi
for busy in accept conflict; do
  ansible-playbook -i files/inventory files/safety.yml -e @../../integration_config.yml -e sim_busy=$busy -e sim_visibility=on_done "$@"
done
