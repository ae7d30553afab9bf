#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nasha_snapshot_schedule
short_description: Manage the automatic snapshot frequencies of an OVHcloud NAS-HA partition
version_added: 0.1.0
description:
  - Declares which automatic snapshot types (V(hour-1), V(hour-6), V(day-1), V(day-2), V(day-3), V(day-7))
    OVHcloud schedules on one partition of a NAS-HA service.
  - Reads the current schedule, computes the difference with the declared one, sends only the requests
    needed and waits for the OVHcloud tasks they start, all together.
  - C(changed) comes from comparing the schedule before and after, never from a request having been made.
  - A failed addition never leaves the partition without an automatic snapshot. A removal is sent only while
    the partition keeps at least one scheduled type even if every pending addition failed. When a type stays
    scheduled, every change is sent at once. A pure replacement (such as V(hour-1) to V(day-1)) adds first,
    waits for OVHcloud's task of the addition to be done, then removes.
  - Once a write fails (refused, or its task ends in error), the writes not yet sent are not sent. The module
    fails and its result lists what was applied (RV(added), RV(removed)), what failed (RV(failed_changes)) and
    what was not attempted (RV(not_attempted)); C(changed) is V(true) when anything was applied.
  - OVHcloud's roadmap says automatic snapshots cannot be disabled today. Asking for an empty schedule
    (O(snapshot_types=[]) with O(purge=true), or O(state=absent) listing every scheduled type) sends the
    removals; if OVHcloud refuses to remove the last frequency, the module fails and says so.
author:
  - snapkeep.nasha contributors (@snapkeep)
extends_documentation_fragment:
  - snapkeep.nasha.ovh
  - snapkeep.nasha.ovh.wait
  - snapkeep.nasha.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - snapkeep.nasha.partition.service
  - snapkeep.nasha.partition
attributes:
  diff_mode:
    details: The diff shows the sorted O(snapshot_types) before and after.
options:
  snapshot_types:
    description:
      - The automatic snapshot types.
      - Order and duplicates do not matter.
      - Required, so that an omitted list never removes a schedule; an explicit empty list with O(purge=true) asks
        to remove every scheduled type.
    type: list
    elements: str
    choices: [hour-1, hour-6, day-1, day-2, day-3, day-7]
    required: true
  state:
    description:
      - With V(present), the listed types are scheduled (and, with O(purge=true), only they are).
      - With V(absent), the listed types that are scheduled are removed.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), whether O(snapshot_types) is the exact set. V(true) removes every other
        scheduled type; V(false) only adds.
      - Ignored with O(state=absent).
    type: bool
    default: true
notes:
  - The OVHcloud API key needs C(GET) on C(/dedicated/nasha/*/partition/*/snapshot) and C(/dedicated/nasha/*/task/*),
    and C(POST) and C(DELETE) on C(/dedicated/nasha/*/partition/*/snapshot*). The README of the collection
    lists the access rules of every module.
seealso:
  - module: snapkeep.nasha.nasha_snapshot_info
  - module: snapkeep.nasha.nasha_custom_snapshot
"""

EXAMPLES = r"""
- name: Schedule exactly an hourly and a daily snapshot
  snapkeep.nasha.nasha_snapshot_schedule:
    service_name: zpool-100001
    partition_name: backups
    snapshot_types:
      - hour-1
      - day-1

- name: Add a weekly snapshot, keeping what is already scheduled
  snapkeep.nasha.nasha_snapshot_schedule:
    service_name: zpool-100001
    partition_name: backups
    snapshot_types: [day-7]
    purge: false

- name: Stop the six-hourly snapshot if it is scheduled
  snapkeep.nasha.nasha_snapshot_schedule:
    service_name: zpool-100001
    partition_name: backups
    snapshot_types: [hour-6]
    state: absent

- name: Connection options once for every module of the collection
  module_defaults:
    group/snapkeep.nasha.ovh:
      endpoint: ovh-eu
      application_key: "{{ vault_ovh_application_key }}"
      application_secret: "{{ vault_ovh_application_secret }}"
      consumer_key: "{{ vault_ovh_consumer_key }}"
  block:
    - name: Schedule the daily snapshot without waiting for OVHcloud's tasks
      snapkeep.nasha.nasha_snapshot_schedule:
        service_name: zpool-100001
        partition_name: backups
        snapshot_types: [day-1]
        purge: false
        wait: false
"""

RETURN = r"""
snapshot_types:
  description: The scheduled types after the run (what they will be once the tasks are done), sorted.
  returned: success
  type: list
  elements: str
  sample: [hour-1, day-1]
added:
  description:
    - The types added (or that would be, in check mode).
    - When a write failed, only the additions applied or accepted.
  returned: always
  type: list
  elements: str
  sample: [day-1]
removed:
  description:
    - The types removed (or that would be, in check mode).
    - When a write failed, only the removals applied or accepted.
  returned: always
  type: list
  elements: str
  sample: [hour-6]
failed_changes:
  description: The changes whose write was refused or whose task failed, each with the error.
  returned: failure, when a write failed
  type: list
  elements: dict
  sample: [{"action": "add", "snapshot_type": "day-1", "error": "task 4242 (operation clusterLeclercSnapshotUpdate) ... ovhError"}]
not_attempted:
  description: The changes not sent because a write before them failed.
  returned: failure, when a write failed
  type: list
  elements: dict
  sample: [{"action": "remove", "snapshot_type": "hour-1"}]
tasks:
  description:
    - The OVHcloud tasks started by the run, with their final status.
    - With O(wait=false), their status when the module returned.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The OVHcloud task id.
      type: int
      sample: 4242
    operation:
      description: The OVHcloud operation.
      type: str
      sample: clusterLeclercSnapshotUpdate
    status:
      description: The task status.
      type: str
      sample: done
    details:
      description: OVHcloud's details about the task.
      type: str
      sample: null
    partition_name:
      description: The partition the task works on.
      type: str
      sample: backups
"""

from ansible_collections.snapkeep.nasha.plugins.module_utils._base import NashaModule, WAIT_ARGUMENT_SPEC
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import SNAPSHOT_TYPES, plan_schedule
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import task_summary


def _types(changes, action):
    return [change.snapshot_type for change in changes if change.action == action]


def ensure_schedule(nasha):
    """Make the scheduled snapshot types of one partition match the declaration; returns the result."""
    module = nasha.module
    params = module.params
    service_name, partition_name = params["service_name"], params["partition_name"]
    nasha.check_route_names(service_name=service_name, partition_name=partition_name)
    client = NashaClient(nasha.api)

    plan = plan_schedule(client.snapshot_types(service_name, partition_name), params["snapshot_types"],
                         params["state"], params["purge"])
    tasks = []
    if plan.changed and not module.check_mode:
        deadline = nasha.api.deadline(params["wait_timeout"])
        outcome = client.apply_schedule(service_name, partition_name, plan, deadline, wait=params["wait"])
        tasks = outcome.tasks
        if outcome.error is not None:
            done = outcome.applied + outcome.pending
            nasha.fail_with_outcome(
                outcome,
                changed=outcome.changed,
                added=_types(done, "add"),
                removed=_types(done, "remove"),
                failed_changes=[dict(action=change.action, snapshot_type=change.snapshot_type, error=message)
                                for change, message in outcome.failed],
                not_attempted=[dict(action=change.action, snapshot_type=change.snapshot_type) for change in outcome.not_attempted],
                tasks=[task_summary(task) for task in tasks],
            )

    result = dict(
        changed=plan.changed,
        snapshot_types=list(plan.after),
        added=list(plan.to_add),
        removed=list(plan.to_remove),
        tasks=[task_summary(task) for task in tasks],
    )
    if module._diff:
        result["diff"] = dict(before=dict(snapshot_types=list(plan.before)), after=dict(snapshot_types=list(plan.after)))
    return result


def main():
    argument_spec = dict(
        service_name=dict(type="str", required=True),
        partition_name=dict(type="str", required=True),
        snapshot_types=dict(type="list", elements="str", choices=list(SNAPSHOT_TYPES), required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge=dict(type="bool", default=True),
    )
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    nasha = NashaModule(argument_spec, supports_check_mode=True)
    nasha.run(lambda: ensure_schedule(nasha))


if __name__ == "__main__":
    main()
