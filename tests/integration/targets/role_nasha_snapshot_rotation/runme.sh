#!/usr/bin/env bash
# A nightly rotation applied by the role over several simulated days (the simulator's clock is advanced), with
# overlapping writes on a partition accepted, then refused, by the simulator (OVHcloud's behaviour is not documented).
set -eux
for busy in accept conflict; do
  ansible-playbook -i files/inventory files/test.yml --diff -e @../../integration_config.yml -e sim_busy=$busy "$@"
done
