# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NAS-HA snapshots through the API: the reads of schedules and custom snapshots, and their writes, each built
with its request, its read-back check and its task operation, then sent through the one write path (_write_path).
"""
from __future__ import annotations

from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import (
    OPERATION_CUSTOM_CREATE,
    OPERATION_CUSTOM_DELETE,
    find_custom_snapshot,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import format_expiration
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import (
    RouteNameError,
    custom_snapshot_path,
    custom_snapshots_path,
    partitions_path,
    schedule_path,
    schedule_type_path,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import (
    OPERATION_SCHEDULE,
    schedule_phases,
    sort_snapshot_types,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import TaskWatch
from ansible_collections.snapkeep.nasha.plugins.module_utils._write_path import PartitionWriter, Write


SERVICES_PATH = "/dedicated/nasha"


def _where(service_name, partition_name):
    return "partition %s on service %s" % (partition_name, service_name)


class NashaClient:
    """NAS-HA snapshot reads and writes on top of an OvhApi object."""

    def __init__(self, api):
        self.api = api
        # One per run: what it learns of how long each operation takes serves every partition.
        self.watch = TaskWatch(api)

    # ---------------------------------------------------------------- reads

    def service_names(self):
        return list(self.api.get(SERVICES_PATH, "list the NAS-HA services"))

    def partition_names(self, service_name):
        return list(self.api.get(partitions_path(service_name), "list the partitions of service %s" % service_name))

    def snapshot_types(self, service_name, partition_name):
        """The scheduled snapshot types, in canonical order."""
        answer = self.api.get(
            schedule_path(service_name, partition_name),
            "read the snapshot schedule of %s" % _where(service_name, partition_name),
        )
        return sort_snapshot_types(answer)

    def custom_snapshot_names(self, service_name, partition_name):
        return list(self.api.get(
            custom_snapshots_path(service_name, partition_name),
            "list the custom snapshots of %s" % _where(service_name, partition_name),
        ))

    def custom_snapshot(self, service_name, partition_name, listed_name, missing_ok=False):
        """{"name", "expiration"} of one custom snapshot; None when missing_ok and it is gone."""
        try:
            path = custom_snapshot_path(service_name, partition_name, listed_name)
        except RouteNameError as exc:  # a listed name no route can hold
            raise OvhApiError("Cannot read custom snapshot %r of %s: %s" % (listed_name, _where(service_name, partition_name), exc)) from None
        try:
            detail = self.api.get(
                path,
                "read custom snapshot %s of %s" % (listed_name, _where(service_name, partition_name)),
            )
        except OvhApiError as exc:
            # Gone between the list and this read (OVHcloud deletes expired snapshots itself).
            if missing_ok and getattr(exc, "status", None) == 404:
                return None
            raise
        return {"name": listed_name, "expiration": (detail or {}).get("expiration")}

    def lookup_custom_snapshot(self, service_name, partition_name, name):
        """The custom snapshot `name` as OVHcloud lists it (with or without the "snap-" prefix), or None."""
        listed_name = find_custom_snapshot(self.custom_snapshot_names(service_name, partition_name), name)
        if listed_name is None:
            return None
        return self.custom_snapshot(service_name, partition_name, listed_name, missing_ok=True)

    # ---------------------------------------------------------------- writes

    def apply_phases(self, service_name, partition_name, phases, deadline, wait=True, stop=None):
        """Send the writes of a partition phase by phase through the write path; a WriteOutcome says what became of each.

        stop: a threading.Event shared by the writers of a run that stops at its first failure (see PartitionWriter).
        """
        writer = PartitionWriter(self.api, self.watch, service_name, partition_name, deadline, stop=stop)
        return writer.run(phases, wait=wait)

    def _schedule_write(self, service_name, partition_name, plan, change):
        where = _where(service_name, partition_name)
        snapshot_type = change.snapshot_type

        def applied():
            return (snapshot_type in self.snapshot_types(service_name, partition_name)) == (change.action == "add")

        if change.action == "add":
            return Write(change, "add snapshot type %s to %s" % (snapshot_type, where), "POST",
                         schedule_path(service_name, partition_name), {"snapshotType": snapshot_type}, applied,
                         OPERATION_SCHEDULE)
        action = "remove snapshot type %s from %s" % (snapshot_type, where)
        if not plan.after:
            action += " (OVHcloud keeps at least one automatic snapshot frequency)"
        return Write(change, action, "DELETE", schedule_type_path(service_name, partition_name, snapshot_type), None,
                     applied, OPERATION_SCHEDULE)

    def schedule_writes(self, service_name, partition_name, plan):
        """The writes of a SchedulePlan, in the phases schedule_phases decides."""
        return [[self._schedule_write(service_name, partition_name, plan, change) for change in phase]
                for phase in schedule_phases(plan)]

    def apply_schedule(self, service_name, partition_name, plan, deadline, wait=True):
        """Make a SchedulePlan so; returns the WriteOutcome."""
        return self.apply_phases(service_name, partition_name, self.schedule_writes(service_name, partition_name, plan),
                                 deadline, wait=wait)

    def custom_creation(self, service_name, partition_name, name, expiration_dt):
        """The write creating a custom snapshot (expiration_dt: an instant, or None for none)."""
        body = {"name": name}
        if expiration_dt is not None:
            body["expiration"] = format_expiration(expiration_dt)
        return Write(
            ("create", name), "create custom snapshot %s on %s" % (name, _where(service_name, partition_name)),
            "POST", custom_snapshots_path(service_name, partition_name), body,
            lambda: find_custom_snapshot(self.custom_snapshot_names(service_name, partition_name), name) is not None,
            OPERATION_CUSTOM_CREATE,
        )

    def custom_deletion(self, service_name, partition_name, listed_name):
        """The write deleting a custom snapshot, by the name OVHcloud lists it under."""
        return Write(
            ("delete", listed_name), "delete custom snapshot %s from %s" % (listed_name, _where(service_name, partition_name)),
            "DELETE", custom_snapshot_path(service_name, partition_name, listed_name), None,
            lambda: listed_name not in self.custom_snapshot_names(service_name, partition_name),
            OPERATION_CUSTOM_DELETE,
        )

    def create_custom_snapshot(self, service_name, partition_name, name, expiration_dt, deadline, wait=True):
        """The task of the creation; raises OvhApiError when it fails (nothing else is written)."""
        outcome = self.apply_phases(service_name, partition_name,
                                    [[self.custom_creation(service_name, partition_name, name, expiration_dt)]],
                                    deadline, wait=wait)
        if outcome.error is not None:
            raise outcome.error
        return outcome.tasks[0]

    def delete_custom_snapshots(self, service_name, partition_name, listed_names, deadline, wait=True):
        """Delete custom snapshots by their listed names, together; returns the WriteOutcome."""
        writes = [self.custom_deletion(service_name, partition_name, listed_name) for listed_name in listed_names]
        return self.apply_phases(service_name, partition_name, [writes], deadline, wait=wait)

    def delete_custom_snapshot(self, service_name, partition_name, listed_name, deadline, wait=True):
        """The task of the deletion; raises OvhApiError when it fails."""
        outcome = self.delete_custom_snapshots(service_name, partition_name, [listed_name], deadline, wait=wait)
        if outcome.error is not None:
            raise outcome.error
        return outcome.tasks[0]
