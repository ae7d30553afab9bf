#!/usr/bin/env bash
# The restore role on a share of the simulator (its --data-dir), the API calls delegated to localhost.
set -eux
ansible-playbook -i localhost, -c local files/test.yml --diff -e @../../integration_config.yml \
  -e ansible_python_interpreter="$(command -v python)" "$@"
