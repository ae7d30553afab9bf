#!/usr/bin/env bash
# The role over an inventory of two services (group_vars and host_vars, as a user writes them), against the simulator.
set -eux
ansible-playbook -i files/inventory files/test.yml --diff -e @../../integration_config.yml "$@"
