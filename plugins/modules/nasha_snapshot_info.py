#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
module: nasha_snapshot_info
short_description: List the snapshot schedules and custom snapshots of OVHcloud NAS-HA partitions
version_added: 0.1.0
description:
  - Reads, for one NAS-HA service or every service the credentials can see, and for one partition or all of
    them, the scheduled automatic snapshot types and the custom snapshots.
  - Also returns what a client needs to mount a partition and restore from its snapshots (see
    M(snapkeep.nasha.nasha_snapshot_restore)) - the service's IP, the partition's protocol, NFS export and CIFS share -
    and the share of the partition's space its snapshots use, unless O(share_details=false).
  - Read-only; never reports C(changed). Requests are sent a few at a time when there are many.
author:
  - snapkeep.nasha contributors (@snapkeep)
extends_documentation_fragment:
  - snapkeep.nasha.ovh
  - snapkeep.nasha.attributes.read_only
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
options:
  service_name:
    description:
      - The NAS-HA service to read. Every service the credentials can see when not given.
    type: str
  partition_name:
    description:
      - The partition to read. Every partition of the service when not given.
      - Requires O(service_name).
    type: str
  custom_snapshots:
    description:
      - Whether to read the custom snapshots (one more request per partition and one per snapshot).
    type: bool
    default: true
  share_details:
    description:
      - Whether to read each service and each partition (one more request per service and per partition) for the
        service's IP, the partition's protocol, NFS export and CIFS share, and the space its snapshots use.
      - These reads need C(GET) on C(/dedicated/nasha/*) and C(/dedicated/nasha/*/partition/*); set V(false) for an API
        key limited to the snapshot routes.
    type: bool
    default: true
  max_concurrent_requests:
    description:
      - How many requests may be under way at once.
    type: int
    default: 4
notes:
  - The OVHcloud API key needs C(GET) on C(/dedicated/nasha) and C(/dedicated/nasha/*) (see O(share_details) for less).
seealso:
  - module: snapkeep.nasha.nasha_snapshot_schedule
  - module: snapkeep.nasha.nasha_custom_snapshot
"""

EXAMPLES = r"""
- name: Everything the credentials can see
  snapkeep.nasha.nasha_snapshot_info:
  register: nasha_snapshots

- name: One partition
  snapkeep.nasha.nasha_snapshot_info:
    service_name: zpool-100001
    partition_name: backups
  register: backups_snapshots

- name: Show the custom snapshots of that partition
  ansible.builtin.debug:
    msg: "{{ backups_snapshots.services[0].partitions[0].custom_snapshots | map(attribute='name') }}"
"""

RETURN = r"""
services:
  description: The services read, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    service_name:
      description: The NAS-HA service.
      type: str
      sample: zpool-100001
    ip:
      description: The service's IP address, which clients mount its partitions from.
      returned: when O(share_details=true)
      type: str
      sample: 10.0.0.1
    partitions:
      description: Its partitions, sorted by name.
      type: list
      elements: dict
      contains:
        partition_name:
          description: The partition.
          type: str
          sample: backups
        protocol:
          description: The protocols the partition is shared with, V(NFS), V(CIFS) or V(NFS_CIFS).
          returned: when O(share_details=true)
          type: str
          sample: NFS
        nfs_export:
          description:
            - What an NFS client mounts, C(<service ip>:/<service name>/<partition name>) (for example as the C(src) of
              C(ansible.posix.mount) with C(fstype=nfs)); V(null) when the partition is not shared with NFS.
          returned: when O(share_details=true)
          type: str
          sample: 10.0.0.1:/zpool-100001/backups
        cifs_share:
          description:
            - What a CIFS (SMB) client mounts, C(\\<service ip>\<service name>_<partition name>) (written
              C(//<service ip>/<service name>_<partition name>) in C(/etc/fstab) with C(fstype=cifs));
              V(null) when the partition is not shared with CIFS.
          returned: when O(share_details=true)
          type: str
          sample: \\10.0.0.1\zpool-100001_backups
        used_by_snapshots:
          description: The share of the partition's space its snapshots use, in percent, as OVHcloud reports it.
          returned: when O(share_details=true)
          type: int
          sample: 4
        snapshot_types:
          description: The scheduled automatic snapshot types, sorted.
          type: list
          elements: str
          sample: [hour-1, day-1]
        custom_snapshots:
          description: The custom snapshots, sorted by name (empty when O(custom_snapshots=false)).
          type: list
          elements: dict
          contains:
            name:
              description: The name as OVHcloud lists it.
              type: str
              sample: before-upgrade
            expiration:
              description: The expiration as OVHcloud reports it, or V(null).
              type: str
              sample: "2026-12-31T00:00:00Z"
            path:
              description: Where the snapshot appears, relative to the mount point of the partition's share.
              type: str
              sample: .zfs/snapshot/before-upgrade
"""

from concurrent.futures import ThreadPoolExecutor

from ansible_collections.snapkeep.nasha.plugins.module_utils._base import CONCURRENCY_ARGUMENT_SPEC, NashaModule
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import partition_path, service_path, share_sources, snapshot_path


def collect_snapshot_info(nasha):
    """Services, their partitions, each one's schedule and custom snapshots; returns the result.

    Reads run a few at a time (max_concurrent_requests), level by level, so that no read waits on another
    inside the pool.
    """
    params = nasha.module.params
    nasha.check_route_names(**dict((label, params[label]) for label in ("service_name", "partition_name")
                                   if params[label] is not None))
    client = NashaClient(nasha.api)
    service_names = [params["service_name"]] if params["service_name"] else sorted(client.service_names())

    with ThreadPoolExecutor(max_workers=params["max_concurrent_requests"]) as pool:
        if params["partition_name"]:
            partition_lists = [[params["partition_name"]]]
        else:
            partition_lists = [sorted(names) for names in pool.map(client.partition_names, service_names)]
        pairs = [(service_name, partition_name)
                 for service_name, partitions in zip(service_names, partition_lists) for partition_name in partitions]
        schedules = list(pool.map(lambda pair: client.snapshot_types(*pair), pairs))
        # One read per service (its IP) and one per partition (protocol, space used by snapshots).
        service_details, partition_details = [None] * len(service_names), [None] * len(pairs)
        if params["share_details"]:
            service_details = list(pool.map(
                lambda name: nasha.api.get(service_path(name), "read service %s" % name) or {}, service_names))
            partition_details = list(pool.map(
                lambda pair: nasha.api.get(partition_path(*pair), "read partition %s of service %s" % (pair[1], pair[0])) or {},
                pairs))
        custom_lists = [[] for dummy in pairs]
        if params["custom_snapshots"]:
            name_lists = list(pool.map(lambda pair: sorted(client.custom_snapshot_names(*pair)), pairs))
            wanted = [(pair, name) for pair, names in zip(pairs, name_lists) for name in names]
            details = list(pool.map(lambda item: client.custom_snapshot(item[0][0], item[0][1], item[1], missing_ok=True), wanted))
            by_pair = dict((pair, []) for pair in pairs)
            for (pair, name), detail in zip(wanted, details):
                if detail is not None:  # gone between the list and the read: OVHcloud deletes expired ones itself
                    by_pair[pair].append(detail)
            custom_lists = [by_pair[pair] for pair in pairs]

    services = dict((service_name, dict(service_name=service_name, partitions=[])) for service_name in service_names)
    for service_name, detail in zip(service_names, service_details):
        if detail is not None:
            services[service_name]["ip"] = detail.get("ip")
    for (service_name, partition_name), snapshot_types, custom_snapshots, detail in zip(
            pairs, schedules, custom_lists, partition_details):
        partition = dict(partition_name=partition_name, snapshot_types=snapshot_types,
                         custom_snapshots=[dict(snapshot, path=snapshot_path(snapshot["name"])) for snapshot in custom_snapshots])
        if detail is not None:
            nfs_export, cifs_share = share_sources(services[service_name]["ip"], service_name, partition_name,
                                                   detail.get("protocol"))
            partition.update(protocol=detail.get("protocol"), nfs_export=nfs_export, cifs_share=cifs_share,
                             used_by_snapshots=detail.get("usedBySnapshots"))
        services[service_name]["partitions"].append(partition)
    return dict(changed=False, services=[services[service_name] for service_name in service_names])


def main():
    argument_spec = dict(
        service_name=dict(type="str"),
        partition_name=dict(type="str"),
        custom_snapshots=dict(type="bool", default=True),
        share_details=dict(type="bool", default=True),
    )
    argument_spec.update(CONCURRENCY_ARGUMENT_SPEC)
    nasha = NashaModule(argument_spec, supports_check_mode=True, required_by={"partition_name": "service_name"})
    nasha.run(lambda: collect_snapshot_info(nasha))


if __name__ == "__main__":
    main()
