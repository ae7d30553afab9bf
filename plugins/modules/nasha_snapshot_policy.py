#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nasha_snapshot_policy
short_description: Apply the snapshot policy of every partition of an OVHcloud NAS-HA service at once
version_added: 0.2.0
description:
  - Validates a partition-wide snapshot policy and plans every managed partition exactly as
    M(snapkeep.nasha.nasha_snapshot_plan) does, then applies every partition's changes at once, one writer per
    partition; the run lasts about as long as the longest partition's chain of tasks.
  - On a partition the writes keep their order, each step's tasks seen done before the next is sent. The
    scheduled snapshot types first (a pure replacement adds before it removes, so that a partition is never left
    without automatic snapshots), then the custom snapshot deletions (they make room under OVHcloud's limit of 10),
    then the creations. A partition whose schedule change fails gets no further write.
  - A policy that cannot hold (an unknown partition or service, OVHcloud's limit of custom snapshots, an expiration
    mismatch with O(expiration_mismatch=fail), a partition that cannot be read) fails the module before any write,
    with every partition's reason.
  - When a write or a task fails, the other partitions go on (unless O(fail_fast=true)); the module then fails
    once, with one message naming every failed partition and its failures, and returns the whole result.
  - Reads as little as it can. The custom snapshots of a partition are listed with their expirations in one
    answer where the API honours the expanded lists of OVHcloud's control panel (the header C(X-Pagination-Mode)
    set to V(CachedObjectList-Pages)); otherwise each one whose expiration is compared is read on its own.
    The state read by the plan is the one written from; no partition is read again before its writes.
  - The role C(snapkeep.nasha.nasha_snapshot_policy) runs this module for each service of an inventory and prints
    a summary of the result.
author:
  - snapkeep.nasha contributors (@snapkeep)
extends_documentation_fragment:
  - snapkeep.nasha.ovh
  - snapkeep.nasha.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - snapkeep.nasha.partition.service
  - snapkeep.nasha.policy
options:
  max_concurrent_requests:
    description:
      - How many requests of the run (reads and writes, every partition's together) may be under way at once.
      - Writers waiting for OVHcloud's tasks hold no request, so a small number serves many partitions.
    type: int
    default: 4
  wait_timeout:
    description:
      - How many seconds the run may wait for OVHcloud's tasks, every partition's together (they run at once).
      - A task still running then fails its partition; the change may still be applied.
    type: int
    default: 600
  fail_fast:
    description:
      - Whether the first failure stops the run. With V(true) no write is sent anywhere once a write or a task has
        failed; what was not sent is reported as C(not attempted) in RV(partitions[].failures).
      - With V(false) every partition is tried and the module fails at the end.
    type: bool
    default: false
notes:
  - The OVHcloud API key needs the rules of M(snapkeep.nasha.nasha_snapshot_plan), M(snapkeep.nasha.nasha_snapshot_schedule)
    and M(snapkeep.nasha.nasha_custom_snapshot).
  - A custom snapshot declared with C(expires_in) gets an expiration counted from the moment its partition's writes
    start, so it never outlives its declared lifetime.
  - Up to O(max_concurrent_requests) requests per run are in flight; with several services in one play, Ansible's
    C(forks) runs that many modules at once, so at most C(forks) x O(max_concurrent_requests) requests are in flight.
seealso:
  - module: snapkeep.nasha.nasha_snapshot_plan
"""

EXAMPLES = r"""
- name: Apply the policy of a service, every partition at once
  snapkeep.nasha.nasha_snapshot_policy:
    service_name: zpool-100001
    templates:
      gold:
        snapshot_types: [hour-1, day-1, day-7]
        custom_snapshots:
          - name: monthly
            expires_in: 30d
    defaults:
      snapshot_types: [day-1]
    partitions:
      - name: projects
        policy: gold
      - name: scratch
        snapshot_types: [day-7]
    max_concurrent_requests: 4
  register: nasha_policy

- name: Partitions that changed
  ansible.builtin.debug:
    msg: "{{ nasha_policy.partitions | selectattr('changed') | map(attribute='partition_name') }}"

- name: What would change on every partition (nothing is written)
  snapkeep.nasha.nasha_snapshot_policy:
    service_name: zpool-100001
    defaults:
      snapshot_types: [day-1]
      purge_snapshot_types: false
    all_partitions: true
  check_mode: true
"""

RETURN = r"""
check_mode:
  description: Whether the module ran in check mode (then RV(partitions) tells what would change).
  returned: always
  type: bool
  sample: false
service_name:
  description: The service.
  returned: always
  type: str
  sample: zpool-100001
partitions:
  description:
    - One entry per managed partition, the listed ones first in their order, then (with O(all_partitions=true))
      the others sorted by name. Returned on failure too when a partition failed.
  returned: always
  type: list
  elements: dict
  contains:
    partition_name:
      description: The partition.
      type: str
      sample: projects
    changed:
      description: Whether anything was written (in check mode, would be).
      type: bool
      sample: true
    added:
      description: The snapshot types scheduled (in check mode, that would be).
      type: list
      elements: str
      sample: [hour-1]
    removed:
      description: The snapshot types stopped (in check mode, that would be).
      type: list
      elements: str
      sample: [hour-6]
    created:
      description: The custom snapshots created (in check mode, that would be).
      type: list
      elements: str
      sample: [monthly]
    deleted:
      description: The custom snapshots deleted, as OVHcloud listed them (in check mode, that would be).
      type: list
      elements: str
      sample: [before-upgrade]
    expiration_mismatches:
      description: Existing custom snapshots whose expiration differs from the declared one; left as they are.
      type: list
      elements: str
      sample: []
    expired:
      description: Declared custom snapshots not created because their expiration has passed.
      type: list
      elements: str
      sample: []
    rotations:
      description: What each rotation does on the partition, as RV(snapkeep.nasha.nasha_snapshot_plan#module:partitions[].rotations).
      type: list
      elements: dict
      sample: [{label: nightly, create: null, delete: [], kept: [snapkeep-nightly-20261202T0300Z], next_due: "2026-12-03T02:50:00Z"}]
    failures:
      description:
        - "What failed on the partition, one text each, such as V(schedule: <message>), V(delete <name>: <message>)
          or V(create <name>: not attempted) (not sent because a write before it failed, or with O(fail_fast=true)
          another partition's)."
      type: list
      elements: str
      sample: []
    snapshot_types_before:
      description: The scheduled snapshot types read.
      type: list
      elements: str
      sample: [hour-6]
    snapshot_types_after:
      description: The scheduled snapshot types once what was applied (in check mode, planned) is done.
      type: list
      elements: str
      sample: [hour-1, day-1]
    custom_snapshots_before:
      description: The custom snapshots read, where the policy manages custom snapshots.
      type: list
      elements: str
      sample: [before-upgrade]
    custom_snapshots_after:
      description: The custom snapshots once what was applied (in check mode, planned) is done, where the policy manages them.
      type: list
      elements: str
      sample: [monthly]
    tasks:
      description: The OVHcloud tasks of the partition's writes, in their last known state.
      type: list
      elements: dict
      sample: [{id: 42, operation: clusterLeclercSnapshotUpdate, status: done, details: null, partition_name: projects}]
"""

from ansible_collections.snapkeep.nasha.plugins.module_utils._option_limits import WAIT_TIMEOUT_DEFAULT
from ansible_collections.snapkeep.nasha.plugins.module_utils._service_apply import apply_service_policy
from ansible_collections.snapkeep.nasha.plugins.module_utils._service_plan import policy_module


def main():
    nasha = policy_module(wait_timeout=dict(type="int", default=WAIT_TIMEOUT_DEFAULT), fail_fast=dict(type="bool", default=False))
    nasha.run(lambda: apply_service_policy(nasha))


if __name__ == "__main__":
    main()
