#!/usr/bin/env bash
# The inventory plugin against the simulator: ansible-inventory lists the services (few requests, none from
# the cache), then the role runs over the generated inventory, its policy attached by a keyed group.
set -eux
config=../../integration_config.yml
rm -rf inventory-cache inventory.json
ansible-playbook files/seed.yml -e @"$config" "$@"
ansible-inventory -i files/inventory/fleet.nasha.yml -e @"$config" --list --output inventory.json
ansible-playbook files/check_inventory.yml -e @"$config" -e run=first "$@"
ansible-inventory -i files/inventory/fleet.nasha.yml -e @"$config" --list --output inventory.json
ansible-playbook files/check_inventory.yml -e @"$config" -e run=cached "$@"
ansible-playbook -i files/inventory/fleet.nasha.yml files/apply_policy.yml -e @"$config" "$@"
