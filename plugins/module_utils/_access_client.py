# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and change which IPs may mount a partition, through the same write path as the snapshots."""
from __future__ import annotations

from ansible_collections.snapkeep.nasha.plugins.module_utils._access import (
    OPERATION_ACCESS,
    access_entry_path,
    access_path,
    ip_block,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import partition_path
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient, _where
from ansible_collections.snapkeep.nasha.plugins.module_utils._write_path import Write


class AccessClient(NashaClient):
    """The access list of NAS-HA partitions on top of an OvhApi object."""

    def access_blocks(self, service_name, partition_name):
        """{block as this collection writes it: block as OVHcloud lists it}."""
        listed = self.api.get(access_path(partition_path(service_name, partition_name)),
                              "list the IPs allowed on %s" % _where(service_name, partition_name))
        blocks = {}
        for block in listed or []:
            try:
                blocks[ip_block(block)] = block
            except ValueError:
                blocks[block] = block
        return blocks

    def access_entry(self, service_name, partition_name, listed_block):
        """{type, description} of one allowed block."""
        detail = self.api.get(access_entry_path(partition_path(service_name, partition_name), listed_block),
                              "read the access of %s on %s" % (listed_block, _where(service_name, partition_name)))
        detail = detail or {}
        return dict(type=detail.get("type"), description=detail.get("aclDescription"))

    def _removal(self, service_name, partition_name, block, listed_block):
        return Write(
            ("remove access", block), "remove the access of %s from %s" % (block, _where(service_name, partition_name)),
            "DELETE", access_entry_path(partition_path(service_name, partition_name), listed_block), None,
            lambda: block not in self.access_blocks(service_name, partition_name), OPERATION_ACCESS,
        )

    def _addition(self, service_name, partition_name, entry):
        body = {"ip": entry["ip"], "type": entry["type"]}
        if entry.get("description") is not None:
            body["aclDescription"] = entry["description"]
        return Write(
            ("allow", entry["ip"]), "allow %s (%s) on %s" % (entry["ip"], entry["type"], _where(service_name, partition_name)),
            "POST", access_path(partition_path(service_name, partition_name)), body,
            lambda: entry["ip"] in self.access_blocks(service_name, partition_name), OPERATION_ACCESS,
        )

    def apply_access(self, service_name, partition_name, plan, listed, deadline, wait=True):
        """Make an access plan so through the one write path; returns its WriteOutcome.

        Phases, each seen done before the next is sent, and nothing more sent once a write fails: the removals of
        replaced entries (OVHcloud cannot change an entry: its block must be gone before it is added again), then
        the additions, then the other removals (purge, state absent). So a failed addition leaves the blocks that
        purge would remove in place, and clients can still mount the partition.
        """
        def removals(blocks):
            return [self._removal(service_name, partition_name, block, listed.get(block, block)) for block in blocks]

        additions = [self._addition(service_name, partition_name, entry) for entry in plan.to_add]
        phases = [removals([block for block in plan.to_remove if block in plan.replaced]), additions,
                  removals([block for block in plan.to_remove if block not in plan.replaced])]
        return self.apply_phases(service_name, partition_name, [phase for phase in phases if phase], deadline, wait=wait)
