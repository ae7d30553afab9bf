#!/usr/bin/env bash
# The module nasha_snapshot_policy against the simulator: check mode, converge, idempotence, fewer reads with and
# without expanded lists, a policy that cannot hold, and a failed partition under both busy settings.
set -eux
export ANSIBLE_ROLES_PATH=..  # setup_nasha_sim
ansible-playbook -i localhost, -c local files/play.yml -e @../../integration_config.yml \
  -e ansible_python_interpreter="$(command -v python)" "$@"
