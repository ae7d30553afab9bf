#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nasha_custom_snapshot
short_description: Manage named custom snapshots of an OVHcloud NAS-HA partition
version_added: 0.1.0
description:
  - Creates or deletes one named, on-demand snapshot of a NAS-HA partition, with an optional expiration
    after which OVHcloud deletes it by itself.
  - Idempotent by name. The OVHcloud API cannot change the expiration of an existing snapshot, and deleting
    then recreating it would destroy the data it holds, so when the declared expiration differs from
    OVHcloud's the module leaves the snapshot as it is and says so in a warning and in RV(expiration_mismatch).
  - Expirations are compared as instants, so V(2026-12-31), V(2026-12-31T00:00:00Z) and
    V(2026-12-31T01:00:00+01:00) are the same.
  - OVHcloud keeps at most 10 custom snapshots per partition; creating an 11th fails before any write.
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
    details: The diff shows C(state), C(name) and C(expiration) before and after.
options:
  name:
    description:
      - The name of the snapshot. It appears on the mounted share as C(.zfs/snapshot/<name>).
      - Letters, digits, V(.), V(:) and V(-) only, as OVHcloud's control panel accepts.
      - If OVHcloud lists the snapshot with the V(snap-) prefix its control panel adds, that snapshot is the
        same one.
      - With O(state=present), the whole name is checked before any request (a trailing newline is refused too).
    type: str
    required: true
  state:
    description:
      - Whether the snapshot should exist.
      - Both the exact O(name) and V(snap-) followed by O(name) are that snapshot. V(absent) deletes every one of
        them that is listed, in one run, so that a second run finds nothing to do; were it to delete only one,
        each run would find the other and report a change again. The deletions are sent together; if one fails,
        those not yet sent are not sent.
      - V(absent) reads only the list of names, so a snapshot that OVHcloud deletes at its expiration meanwhile
        does not fail the run.
    type: str
    choices: [present, absent]
    default: present
  expiration:
    description:
      - When OVHcloud deletes the snapshot by itself, as an ISO 8601 date (midnight UTC) or date-time, with or
        without a zone (no zone means UTC). It must not be in the past.
      - Not with O(state=absent) (nor is O(expires_in)).
      - Used when the snapshot is created; on an existing snapshot it is only compared.
      - Mutually exclusive with O(expires_in).
    type: str
  expires_in:
    description:
      - How long the snapshot should live, counted from its creation, such as V(30m), V(12h), V(7d), V(2w) or
        V(1d12h) (units V(s), V(m), V(h), V(d), V(w)).
      - Used when the snapshot is created. An existing snapshot keeps its expiration; it differs from the declared
        lifetime when it has none or expires later than O(expires_in) from now (OVHcloud does not report when a
        snapshot was created), see O(expiration_mismatch).
      - Mutually exclusive with O(expiration).
    type: str
  expiration_mismatch:
    description:
      - What an existing snapshot whose expiration differs from O(expiration) or O(expires_in) means. OVHcloud
        cannot change the expiration of a snapshot, and recreating it would destroy its data, so it is never changed.
      - V(warn) reports it in RV(expiration_mismatch) with a warning; V(ignore) without a warning; V(fail) fails
        the task (nothing is written).
    type: str
    choices: [warn, ignore, fail]
    default: warn
notes:
  - The OVHcloud API key needs C(GET) on C(/dedicated/nasha/*/partition/*/customSnapshot*) and C(/dedicated/nasha/*/task*),
    and C(POST) and C(DELETE) on C(/dedicated/nasha/*/partition/*/customSnapshot*).
  - Custom snapshots are a beta feature of the OVHcloud API.
seealso:
  - module: snapkeep.nasha.nasha_snapshot_info
  - module: snapkeep.nasha.nasha_snapshot_schedule
"""

EXAMPLES = r"""
- name: Take a snapshot before an upgrade, kept for a week
  snapkeep.nasha.nasha_custom_snapshot:
    service_name: zpool-100001
    partition_name: backups
    name: before-upgrade-2026-12
    expires_in: 7d

- name: Keep a snapshot until a given date
  snapkeep.nasha.nasha_custom_snapshot:
    service_name: zpool-100001
    partition_name: backups
    name: archive-2026
    expiration: "2030-01-31T00:00:00+01:00"

- name: Delete a snapshot
  snapkeep.nasha.nasha_custom_snapshot:
    service_name: zpool-100001
    partition_name: backups
    name: before-upgrade-2026-12
    state: absent
"""

RETURN = r"""
snapshot:
  description:
    - The snapshot after the run, or V(null) when it does not exist.
  returned: success
  type: dict
  contains:
    name:
      description: The name as OVHcloud lists it.
      type: str
      sample: before-upgrade-2026-12
    expiration:
      description: The expiration as OVHcloud reports it, or V(null) for none.
      type: str
      sample: "2026-12-04T10:00:00Z"
    service_name:
      description: The NAS-HA service.
      type: str
      sample: zpool-100001
    partition_name:
      description: The partition.
      type: str
      sample: backups
    path:
      description: Where the snapshot appears on the mounted share.
      type: str
      sample: .zfs/snapshot/before-upgrade-2026-12
deleted:
  description: The names deleted, as OVHcloud listed them (the exact name and its V(snap-) twin when both were listed).
  returned: when O(state=absent) deleted something
  type: list
  elements: str
  sample: [before-upgrade, snap-before-upgrade]
tasks:
  description: The OVHcloud tasks of the deletions, when O(state=absent) deleted something.
  returned: when O(state=absent) deleted something
  type: list
  elements: dict
  sample: [{"id": 4243, "operation": "clusterLeclercCustomSnapDelete", "status": "done", "details": null, "partition_name": "backups"}]
task:
  description: The OVHcloud task of the creation or deletion (the first deletion), when one ran.
  returned: when a task ran
  type: dict
  contains:
    id:
      description: The OVHcloud task id.
      type: int
      sample: 4243
    operation:
      description: The OVHcloud operation.
      type: str
      sample: clusterLeclercCustomSnapCreate
    status:
      description: The task status (its final status when O(wait=true)).
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
expiration_mismatch:
  description:
    - V(true) when the snapshot exists with another expiration than the declared one (or one its declared
      lifetime cannot give). Nothing was changed.
  returned: success
  type: bool
  sample: false
"""

import datetime

from ansible_collections.snapkeep.nasha.plugins.module_utils._base import NashaModule, WAIT_ARGUMENT_SPEC
from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import (
    EXPIRATION_MISMATCH_CHOICES,
    custom_name_error,
    expiration_mismatch_warning,
    find_custom_snapshot,
    plan_custom_snapshot,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import lifetime_mismatch, parse_duration, parse_expiration
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import snapshot_path
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import task_summary


def _declared_expiration(nasha, params, now):
    """The expiration to compare and to send, validated before any request."""
    if params["state"] == "absent" and (params["expiration"] is not None or params["expires_in"] is not None):
        nasha.fail("state=absent takes no %s: a snapshot is deleted whatever its expiration"
                   % ("expiration" if params["expiration"] is not None else "expires_in"))
    if params["expiration"] is not None:
        try:
            expiration = parse_expiration(params["expiration"])
        except ValueError as exc:
            nasha.fail(str(exc))
        if expiration <= now:
            nasha.fail("expiration: %s is in the past (it is now %s UTC)" % (params["expiration"], now.strftime("%Y-%m-%dT%H:%M:%SZ")))
        return expiration, expiration
    if params["expires_in"] is not None:
        try:
            lifetime = parse_duration(params["expires_in"])
        except ValueError as exc:
            nasha.fail("expires_in: %s" % exc)
        # Counted from the creation; an existing snapshot keeps its own, so there is nothing to compare.
        return None, (now + lifetime).replace(microsecond=0)
    return None, None


def ensure_custom_snapshot(nasha):
    """Create or delete one named snapshot; never recreate one to change its expiration. Returns the result."""
    module = nasha.module
    params = module.params
    service_name, partition_name, name = params["service_name"], params["partition_name"], params["name"]
    nasha.check_route_names(service_name=service_name, partition_name=partition_name)
    now = datetime.datetime.now(datetime.timezone.utc)
    compared_expiration, creation_expiration = _declared_expiration(nasha, params, now)
    if params["state"] == "present":
        error = custom_name_error(name)
        if error:
            nasha.fail("name: %s" % error)

    client = NashaClient(nasha.api)
    # The names, and for present the one snapshot concerned (the others only count towards OVHcloud's limit).
    # absent needs no detail: a snapshot that expires between the list and a detail read would fail the run
    # although absent holds (diff mode reads it, and takes one gone meanwhile as absent).
    names = client.custom_snapshot_names(service_name, partition_name)
    existing = dict((listed, None) for listed in names)
    listed_name = find_custom_snapshot(names, name)
    if listed_name is not None and (params["state"] == "present" or module._diff):
        detail = client.custom_snapshot(service_name, partition_name, listed_name, missing_ok=params["state"] == "absent")
        if detail is None:
            existing.pop(listed_name)
            listed_name = find_custom_snapshot(existing, name)
        else:
            existing[listed_name] = detail["expiration"]

    try:
        plan = plan_custom_snapshot(existing, name, params["state"],
                                    compared_expiration if listed_name is not None else creation_expiration)
    except ValueError as exc:
        nasha.fail(str(exc))

    mismatch = plan.expiration_mismatch
    if listed_name is not None and params["state"] == "present" and params["expires_in"] is not None:
        mismatch = lifetime_mismatch(existing[listed_name], parse_duration(params["expires_in"]), now)
    result = dict(changed=plan.action is not None, expiration_mismatch=mismatch)
    snapshot = plan.after
    if mismatch and params["expiration_mismatch"] != "ignore":
        message = expiration_mismatch_warning(service_name, partition_name, listed_name, plan.before["expiration"],
                                              params["expiration"], params["expires_in"])
        if params["expiration_mismatch"] == "fail":
            nasha.fail(message, expiration_mismatch=True, changed=False)
        module.warn(message)
    if plan.action and not module.check_mode:
        deadline = nasha.api.deadline(params["wait_timeout"])
        if plan.action == "create":
            task = client.create_custom_snapshot(service_name, partition_name, name, creation_expiration, deadline,
                                                 wait=params["wait"])
            if params["wait"]:
                # Report the name as OVHcloud lists it and the expiration as it stores it.
                snapshot = client.lookup_custom_snapshot(service_name, partition_name, name) or snapshot
        else:
            outcome = client.delete_custom_snapshots(service_name, partition_name, plan.listed_names, deadline,
                                                     wait=params["wait"])
            if outcome.error is not None:
                nasha.fail_with_outcome(outcome, changed=outcome.changed,
                                        deleted=[change[1] for change in outcome.applied + outcome.pending],
                                        tasks=[task_summary(task) for task in outcome.tasks])
            task = outcome.tasks[0]
            result["deleted"] = list(plan.listed_names)
            result["tasks"] = [task_summary(each) for each in outcome.tasks]
        result["task"] = task_summary(task)

    if snapshot is not None:
        snapshot = dict(snapshot, service_name=service_name, partition_name=partition_name, path=snapshot_path(snapshot["name"]))
    result["snapshot"] = snapshot
    if module._diff:
        result["diff"] = dict(before=_diff_side(plan.before, name), after=_diff_side(plan.after, name))
    return result


def _diff_side(snapshot, name):
    if snapshot is None:
        return dict(state="absent", name=name, expiration=None)
    return dict(state="present", name=snapshot["name"], expiration=snapshot["expiration"])


def main():
    argument_spec = dict(
        service_name=dict(type="str", required=True),
        partition_name=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        expiration=dict(type="str"),
        expires_in=dict(type="str"),
        expiration_mismatch=dict(type="str", choices=list(EXPIRATION_MISMATCH_CHOICES), default="warn"),
    )
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    nasha = NashaModule(argument_spec, supports_check_mode=True, mutually_exclusive=[("expiration", "expires_in")])
    nasha.run(lambda: ensure_custom_snapshot(nasha))


if __name__ == "__main__":
    main()
