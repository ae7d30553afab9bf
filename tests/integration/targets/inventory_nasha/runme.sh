#!/usr/bin/env bash
# The inventory plugin against the simulator: ansible-inventory lists the services (few requests, none from
# the cache), then the role runs over the generated inventory, its policy attached by a keyed group.
set -eux
# An inventory source that cannot be parsed fails the run instead of leaving an empty inventory.
export ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true
config=../../integration_config.yml
rm -rf inventory-cache inventory.json example.json snapshots.json vvvv.json vvvv.log
ansible-playbook files/seed.yml -e @"$config" "$@"
ansible-inventory -i files/inventory/fleet.nasha.yml -e @"$config" --list --output inventory.json
ansible-playbook files/check_inventory.yml -e @"$config" -e run=first "$@"
ansible-inventory -i files/inventory/fleet.nasha.yml -e @"$config" --list --output inventory.json
ansible-playbook files/check_inventory.yml -e @"$config" -e run=cached "$@"
ansible-playbook -i files/inventory/fleet.nasha.yml files/apply_policy.yml -e @"$config" "$@"
# The example of examples/inventory-plugin (found beside the installed plugin), its credentials from the
# environment as a user would give them.
plugin_file=$(ansible-doc -t inventory --json snapkeep.nasha.nasha \
  | python -c 'import json, sys; print(json.load(sys.stdin)["snapkeep.nasha.nasha"]["doc"]["filename"])')
example="$(dirname "$plugin_file")/../../examples/inventory-plugin"
value() { sed -n "s/^$1: \"\(.*\)\"$/\1/p" "$config"; }
OVH_ENDPOINT=$(value ovh_endpoint) OVH_APPLICATION_KEY=$(value ovh_application_key) \
  OVH_APPLICATION_SECRET=$(value ovh_application_secret) OVH_CONSUMER_KEY=$(value ovh_consumer_key) \
  ansible-inventory -i "$example" --list --output example.json
ansible-playbook files/check_example.yml "$@"
# With fetch_snapshots: the schedule and the custom snapshots of each partition.
ansible localhost -m ansible.builtin.uri -a "url=$(value sim_control_url)/log method=DELETE" >/dev/null
ansible-inventory -i files/snapshots.nasha.yml -e @"$config" --list --output snapshots.json
ansible-playbook files/check_snapshots.yml -e @"$config" "$@"
# At -vvvv, with the cache flushed (every request made), no credential shows.
ansible-inventory -vvvv -i files/inventory/fleet.nasha.yml -e @"$config" --list --flush-cache --output vvvv.json >vvvv.log 2>&1
grep -q "snapkeep.nasha.nasha: read 2 services" vvvv.log
if grep -F -e "$(value ovh_application_secret)" -e "$(value ovh_consumer_key)" vvvv.log; then
  echo "a credential was printed at -vvvv" >&2
  exit 1
fi
