#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nasha_snapshot_plan
short_description: Plan the snapshot policy of every partition of an OVHcloud NAS-HA service
version_added: 0.1.0
description:
  - Validates a partition-wide snapshot policy (defaults, named templates and per-partition keys, as the
    role C(snapkeep.nasha.nasha_snapshot_policy) declares them), reads the state of the service's partitions
    and returns, for each partition, what must change for the policy to hold.
  - The whole policy is validated before any request. Every problem is reported at once, each message naming
    the service and the path of the bad value, and suggesting the key meant when a key is misspelt.
  - Read-only; never reports C(changed). M(snapkeep.nasha.nasha_snapshot_policy) plans the same way and applies the
    changes; M(snapkeep.nasha.nasha_snapshot_schedule) and M(snapkeep.nasha.nasha_custom_snapshot) apply them one
    partition at a time.
  - Reads as little as it can, at most O(max_concurrent_requests) requests at a time. The partition list once (a
    declared partition the service does not have is an error naming the closest existing ones); per partition the
    schedule and, when the policy manages custom snapshots, their list with their expirations in one answer (the
    expanded list of OVHcloud's control panel); where the API answers the plain list of names, one more read per
    custom snapshot whose expiration or lifetime is declared.
  - When a partition cannot be planned (its state cannot be read, OVHcloud's limit of 10 custom snapshots would be
    passed once the plan is applied, or an expiration differs with O(expiration_mismatch=fail)), the module fails
    with every partition's reason, unless O(fail_on_errors=false).
  - A failure that is about no partition (the API cannot be reached or does not answer, a TLS failure, a
    redirect, refused credentials) fails the module at once, with one message.
author:
  - snapkeep.nasha contributors (@snapkeep)
extends_documentation_fragment:
  - snapkeep.nasha.ovh
  - snapkeep.nasha.attributes.read_only
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - snapkeep.nasha.partition.service
  - snapkeep.nasha.policy
options:
  max_concurrent_requests:
    description:
      - How many requests of the run may be under way at once.
    type: int
    default: 4
  fail_on_errors:
    description:
      - Whether the module fails when a partition cannot be planned (see RV(partitions[].errors)).
      - With V(false) it returns the plans, the partitions in error included, and lets the playbook decide.
    type: bool
    default: true
notes:
  - The OVHcloud API key needs C(GET) on C(/dedicated/nasha/*/partition*).
  - Every declared expiration must be in the future; C(snapshot_types) may not be an empty list, since OVHcloud's
    automatic snapshots cannot be disabled.
  - The expiration of an existing custom snapshot cannot be changed through the OVHcloud API; a difference is
    reported as O(expiration_mismatch) says, never acted upon.
  - Rotations are planned on OVHcloud's clock (the offset of C(GET /auth/time) that python-ovh reads to sign
    requests), in UTC; their age is also measured on the controller's wall clock, the larger counting, so that a
    job run by cron at a local time does not skip a period when daylight saving time begins.
  - OVHcloud keeps at most 10 custom snapshots per partition. The plan counts what the partition would hold once
    it is applied (kept, created, and each rotation counted at its C(keep), so that a policy that cannot fit fails
    at its first run); past the limit, the partition gets an error in RV(partitions[].errors).
seealso:
  - module: snapkeep.nasha.nasha_snapshot_policy
  - module: snapkeep.nasha.nasha_snapshot_schedule
  - module: snapkeep.nasha.nasha_custom_snapshot
  - module: snapkeep.nasha.nasha_snapshot_info
"""

EXAMPLES = r"""
- name: Plan the policy of a service
  snapkeep.nasha.nasha_snapshot_plan:
    service_name: zpool-100001
    templates:
      gold:
        snapshot_types: [hour-1, day-1, day-7]
        custom_snapshots:
          - name: monthly
            expires_in: 30d
        # the last 7 nightly snapshots, named snapkeep-nightly-<YYYYMMDD>T<HHMM>Z
        custom_snapshot_rotations:
          - label: nightly
            every: 1d
            keep: 7
    defaults:
      snapshot_types: [day-1]
    partitions:
      - name: projects
        policy: gold
      - name: scratch
        snapshot_types: [day-7]
  register: nasha_plan

- name: Partitions whose schedule must change
  ansible.builtin.debug:
    msg: "{{ nasha_plan.partitions | selectattr('schedule_changed') | map(attribute='partition_name') }}"

- name: Every partition of the service gets at least the defaults (day-1 is added, nothing is removed)
  snapkeep.nasha.nasha_snapshot_plan:
    service_name: zpool-100001
    defaults:
      snapshot_types: [day-1]
      purge_snapshot_types: false
    all_partitions: true

- name: Plan without failing on a partition that cannot be planned, and list those
  snapkeep.nasha.nasha_snapshot_plan:
    service_name: zpool-100001
    partitions: [backups, projects]
    fail_on_errors: false
  register: nasha_plan

- name: Partitions that cannot be planned
  ansible.builtin.debug:
    msg: "{{ nasha_plan.partitions | selectattr('errors') | map(attribute='partition_name') }}"
"""

RETURN = r"""
check_mode:
  description:
    - Whether the module ran in check mode, so that what follows it can say "would" (the variable
      C(ansible_check_mode) only reflects the command line, not the C(check_mode) keyword).
  returned: success
  type: bool
  sample: false
partitions:
  description:
    - One entry per managed partition, the listed ones first in their order, then (with O(all_partitions=true))
      the others sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    partition_name:
      description: The partition.
      type: str
      sample: backups
    policy:
      description: The merged policy of the partition, every key filled in.
      type: dict
      sample:
        snapshot_types: [hour-1, day-1]
        purge_snapshot_types: true
        custom_snapshots:
          - name: monthly
            expiration: null
            expires_in: 30d
            state: present
        purge_custom_snapshots: false
        custom_snapshot_rotations:
          - label: nightly
            every: 1d
            keep: 7
            prefix: snapkeep
        purge_custom_snapshots_prefix: null
    snapshot_types_before:
      description: The scheduled snapshot types read, sorted.
      type: list
      elements: str
      sample: [hour-6]
    snapshot_types_after:
      description: The scheduled snapshot types once the plan is applied, sorted.
      type: list
      elements: str
      sample: [hour-1, day-1]
    add:
      description: The snapshot types to schedule.
      type: list
      elements: str
      sample: [hour-1, day-1]
    remove:
      description: The snapshot types to stop.
      type: list
      elements: str
      sample: [hour-6]
    create:
      description: The custom snapshots to create.
      type: list
      elements: dict
      contains:
        name:
          description: The name.
          type: str
          sample: monthly
        expiration:
          description: The expiration it would get if created now, or V(null) for none.
          type: str
          sample: "2026-04-01T12:00:00Z"
        expires_in:
          description: The declared lifetime, when the expiration is declared as one.
          type: str
          sample: 30d
    delete:
      description:
        - The custom snapshots to delete (declared absent, not declared with C(purge_custom_snapshots), or a rotation's
          oldest beyond its C(keep)), as OVHcloud lists them, in the order to delete them.
      type: list
      elements: str
      sample: [before-upgrade]
    expiration_mismatches:
      description: Existing custom snapshots whose expiration differs from the declared one; left as they are.
      type: list
      elements: dict
      contains:
        name:
          description: The name as OVHcloud lists it.
          type: str
          sample: year-end
        expiration:
          description: The expiration OVHcloud reports.
          type: str
          sample: "2026-12-31T00:00:00Z"
        declared_expiration:
          description: The declared expiration, or V(null) when a lifetime is declared.
          type: str
          sample: "2027-01-31T00:00:00Z"
        declared_expires_in:
          description: The declared lifetime, or V(null) when an expiration is declared.
          type: str
          sample: null
    expired:
      description: Declared custom snapshots that do not exist and are not created because their expiration has passed.
      type: list
      elements: str
      sample: []
    rotations:
      description: What each rotation does on the partition (its creation and deletions are in RV(partitions[].create) and RV(partitions[].delete) too).
      type: list
      elements: dict
      contains:
        label:
          description: The rotation's label.
          type: str
          sample: nightly
        create:
          description: The name of the snapshot to create, or V(null) when none is due.
          type: str
          sample: snapkeep-nightly-20261202T0300Z
        delete:
          description: Its snapshots to delete, oldest first, as OVHcloud lists them.
          type: list
          elements: str
          sample: [snapkeep-nightly-20261125T0300Z]
        kept:
          description: Its snapshots once the plan is applied, oldest first.
          type: list
          elements: str
          sample: [snapkeep-nightly-20261126T0300Z, snapkeep-nightly-20261202T0300Z]
        next_due:
          description: When the next snapshot is due (UTC), counted in elapsed time.
          type: str
          sample: "2026-12-03T02:50:00Z"
    errors:
      description:
        - Why the plan of the partition cannot be carried out (the partition could not be read, OVHcloud's limit of
          10 custom snapshots would be passed once the plan is applied, or an expiration differs with
          O(expiration_mismatch=fail)). The module fails unless O(fail_on_errors=false).
      type: list
      elements: str
      sample: []
    schedule_changed:
      description: Whether the schedule must change (RV(partitions[].add) or RV(partitions[].remove) is not empty).
      type: bool
      sample: true
    changed:
      description: Whether anything must be written on the partition.
      type: bool
      sample: true
deletions:
  description: The custom snapshots to delete, every partition's, in order; none of a partition in error.
  returned: success
  type: list
  elements: dict
  contains:
    partition_name:
      description: The partition.
      type: str
      sample: media
    name:
      description: The name as OVHcloud lists it.
      type: str
      sample: obsolete
creations:
  description: The custom snapshots to create, every partition's, in order; none of a partition in error.
  returned: success
  type: list
  elements: dict
  contains:
    partition_name:
      description: The partition.
      type: str
      sample: databases
    name:
      description: The name.
      type: str
      sample: monthly
    expiration:
      description: The expiration it would get if created now, or V(null) for none.
      type: str
      sample: "2026-04-01T12:00:00Z"
    expires_in:
      description: The declared lifetime, when the expiration is declared as one.
      type: str
      sample: 30d
"""

from ansible_collections.snapkeep.nasha.plugins.module_utils._service_plan import (
    policy_module,
    plan_errors,
    plan_failure_message,
    read_and_plan,
)


def plan_service(nasha):
    """Validate a service's policy, read its managed partitions and plan each one; writes nothing."""
    partitions, dummy = read_and_plan(nasha)
    result = dict(
        changed=False,
        check_mode=nasha.module.check_mode,
        partitions=partitions,
        deletions=[dict(partition_name=entry["partition_name"], name=name)
                   for entry in partitions if not entry["errors"] for name in entry["delete"]],
        creations=[dict(item, partition_name=entry["partition_name"])
                   for entry in partitions if not entry["errors"] for item in entry["create"]],
    )
    message = plan_failure_message(nasha.module.params["service_name"], partitions)
    if message and nasha.module.params["fail_on_errors"]:
        # Nothing may be applied: every partition's reason is given at once.
        nasha.fail(message, errors=plan_errors(partitions))
    return result


def main():
    nasha = policy_module(fail_on_errors=dict(type="bool", default=True))
    nasha.run(lambda: plan_service(nasha))


if __name__ == "__main__":
    main()
