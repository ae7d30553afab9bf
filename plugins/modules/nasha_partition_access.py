#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nasha_partition_access
short_description: Manage which IPs may mount an OVHcloud NAS-HA partition
version_added: 0.2.0
description:
  - Allows an IP address or CIDR block to mount a NAS-HA partition (NFS or CIFS), read-only or read-write, or
    removes that right. A client can mount a partition, and restore from its snapshots, only once its IP is allowed.
  - Manages one block (O(ip)) or a list (O(access_list)); with O(purge=true) the list is exact and every other
    block is removed.
  - A single IP is the block of that one address (V(203.0.113.4) is V(203.0.113.4/32)).
  - The OVHcloud API cannot change an allowed block; a different O(type) or O(description) removes the block and
    allows it again, so the client loses access for the time of the two tasks.
author:
  - snapkeep.nasha maintainers (@snapkeep)
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
    details: The diff shows the allowed blocks before and after (the declared ones, or all of them with O(purge=true)).
options:
  ip:
    description:
      - One IP address or CIDR block, such as V(203.0.113.4) or V(198.51.100.0/24).
      - OVHcloud only accepts its own IPs (see C(/dedicated/nasha/{serviceName}/partition/{partitionName}/authorizableIps)).
      - Mutually exclusive with O(access_list); one of them is required.
    type: str
  type:
    description:
      - The access of O(ip). V(readonly) is offered for NFS partitions only. Requires O(ip).
      - When not set, an existing block keeps its type and a new one gets V(readwrite).
    type: str
    choices: [readonly, readwrite]
  description:
    description:
      - A description of the access of O(ip), shown in OVHcloud's control panel. Requires O(ip).
      - When not set, an existing block keeps its description.
    type: str
  access_list:
    description:
      - Several blocks at once. Mutually exclusive with O(ip).
    type: list
    elements: dict
    suboptions:
      ip:
        description: An IP address or CIDR block.
        type: str
        required: true
      type:
        description: As O(type).
        type: str
        choices: [readonly, readwrite]
      description:
        description: As O(description).
        type: str
  state:
    description:
      - Whether the declared blocks should be allowed.
    type: str
    choices: [present, absent]
    default: present
  purge:
    description:
      - With O(state=present), also remove every allowed block that is not declared, so that the list is exact.
      - Take care not to remove the access of clients that still mount the partition.
    type: bool
    default: false
notes:
  - The OVHcloud API key needs C(GET) on C(/dedicated/nasha/*/partition/*/access*) and C(/dedicated/nasha/*/task*),
    C(POST) on C(/dedicated/nasha/*/partition/*/access) and C(DELETE) on C(/dedicated/nasha/*/partition/*/access/*).
seealso:
  - module: snapkeep.nasha.nasha_snapshot_restore
  - module: snapkeep.nasha.nasha_snapshot_info
"""

EXAMPLES = r"""
- name: Allow a restore host to mount a partition read-only
  snapkeep.nasha.nasha_partition_access:
    service_name: zpool-100001
    partition_name: backups
    ip: 203.0.113.4
    type: readonly
    description: restore host

- name: Allow exactly these blocks, removing any other
  snapkeep.nasha.nasha_partition_access:
    service_name: zpool-100001
    partition_name: backups
    access_list:
      - ip: 198.51.100.0/28
        type: readwrite
        description: application servers
      - ip: 203.0.113.4
        type: readonly
    purge: true

- name: Remove an access
  snapkeep.nasha.nasha_partition_access:
    service_name: zpool-100001
    partition_name: backups
    ip: 203.0.113.4
    state: absent
"""

RETURN = r"""
access:
  description:
    - The declared blocks after the run (all allowed blocks with O(purge=true)), sorted.
    - Blocks removed with O(state=absent) are not in it.
  returned: success
  type: list
  elements: dict
  contains:
    ip:
      description: The block, with its prefix length.
      type: str
      sample: 203.0.113.4/32
    type:
      description: V(readonly) or V(readwrite).
      type: str
      sample: readonly
    description:
      description: The description, or V(null).
      type: str
      sample: restore host
added:
  description: The blocks allowed by this run (or that would be, in check mode).
  returned: success
  type: list
  elements: str
  sample: [203.0.113.4/32]
removed:
  description: The blocks removed by this run.
  returned: success
  type: list
  elements: str
  sample: []
replaced:
  description: The blocks removed and allowed again to change their type or description.
  returned: success
  type: list
  elements: str
  sample: []
tasks:
  description: The OVHcloud tasks of the changes.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: The OVHcloud task id.
      type: int
      sample: 4243
    operation:
      description: The OVHcloud operation.
      type: str
      sample: clusterLeclercAclUpdate
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
"""

from ansible_collections.snapkeep.nasha.plugins.module_utils._access import ACCESS_TYPES, blocks_to_read, declared_entries, plan_access
from ansible_collections.snapkeep.nasha.plugins.module_utils._access_client import AccessClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._base import NashaModule, WAIT_ARGUMENT_SPEC
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import task_summary


def ensure_partition_access(nasha):
    """Allow or remove IP blocks on one partition (with purge, exactly the declared list); returns the result."""
    module = nasha.module
    params = module.params
    service_name, partition_name = params["service_name"], params["partition_name"]
    nasha.check_route_names(service_name=service_name, partition_name=partition_name)
    if params["ip"] is not None:
        entries = [dict(ip=params["ip"], type=params["type"], description=params["description"])]
    else:
        entries = params["access_list"]
    try:
        declared = declared_entries(entries)
    except ValueError as exc:
        nasha.fail(str(exc))
    if params["purge"] and params["state"] == "absent":
        nasha.fail("purge applies with state=present only")

    client = AccessClient(nasha.api)
    listed = client.access_blocks(service_name, partition_name)
    current = dict((block, None) for block in listed)
    for block in blocks_to_read(listed, declared, params["state"], params["purge"]):
        current[block] = client.access_entry(service_name, partition_name, listed[block])
    plan = plan_access(current, declared, params["state"], params["purge"])

    tasks = []
    if plan.changed and not module.check_mode:
        deadline = nasha.api.deadline(params["wait_timeout"])
        outcome = client.apply_access(service_name, partition_name, plan, listed, deadline, wait=params["wait"])
        tasks = outcome.tasks
        if outcome.error is not None:
            nasha.fail_with_outcome(outcome, changed=outcome.changed, tasks=[task_summary(task) for task in tasks])
    declared_ips = set(entry.ip for entry in declared)

    def shown(access_entries):
        # Without purge only the declared blocks are read and reported.
        return list(access_entries) if params["purge"] else [entry for entry in access_entries if entry["ip"] in declared_ips]

    result = dict(
        changed=plan.changed,
        access=shown(plan.after),
        added=[entry["ip"] for entry in plan.to_add if entry["ip"] not in plan.replaced],
        removed=[block for block in plan.to_remove if block not in plan.replaced],
        replaced=list(plan.replaced),
        tasks=[task_summary(task) for task in tasks],
    )
    if module._diff:
        result["diff"] = dict(before=dict(access=shown(plan.before)), after=dict(access=shown(plan.after)))
    return result


def main():
    argument_spec = dict(
        service_name=dict(type="str", required=True),
        partition_name=dict(type="str", required=True),
        ip=dict(type="str"),
        type=dict(type="str", choices=list(ACCESS_TYPES)),
        description=dict(type="str"),
        access_list=dict(type="list", elements="dict", options=dict(
            ip=dict(type="str", required=True),
            type=dict(type="str", choices=list(ACCESS_TYPES)),
            description=dict(type="str"),
        )),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        purge=dict(type="bool", default=False),
    )
    argument_spec.update(WAIT_ARGUMENT_SPEC)
    nasha = NashaModule(argument_spec, supports_check_mode=True,
                        mutually_exclusive=[("ip", "access_list")], required_one_of=[("ip", "access_list")],
                        required_by=dict(type="ip", description="ip"))
    nasha.run(lambda: ensure_partition_access(nasha))


if __name__ == "__main__":
    main()
