# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and change the snapshots of NAS-HA partitions through the API layer.

The write rules hold whichever way OVHcloud behaves: writes on one partition overlap when the API
accepts them, and are sent again one after the other when it answers that the partition is busy.
"""
from __future__ import annotations

import time

from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha import (
    OPERATION_CUSTOM_CREATE,
    OPERATION_CUSTOM_DELETE,
    OPERATION_SCHEDULE,
    custom_snapshot_path,
    custom_snapshots_path,
    find_custom_snapshot,
    format_expiration,
    partitions_path,
    schedule_path,
    schedule_type_path,
    sort_snapshot_types,
)

from ansible_collections.snapkeep.nasha.plugins.module_utils._api import OvhApiError, OvhBusyError


SERVICES_PATH = "/dedicated/nasha"
LOST_ANSWER_DETAILS = "found applied when read back (the answer to the write was lost or refused)"
# Pauses between two tries of a write refused as busy when no pending task is visible to wait for.
BUSY_RETRY_DELAYS = (1, 2, 4, 8, 15)


def _applied_task(operation, partition_name):
    """A task-like answer for a write found applied after its first answer was lost."""
    return {
        "taskId": None,
        "operation": operation,
        "status": "done",
        "details": LOST_ANSWER_DETAILS,
        "partitionName": partition_name,
    }


def _where(service_name, partition_name):
    return "partition %s on service %s" % (partition_name, service_name)


class NashaClient:
    """NAS-HA snapshot reads and writes on top of an OvhApi object."""

    def __init__(self, api, sleep=time.sleep):
        self.api = api
        self._sleep = sleep

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
            detail = self.api.get(
                custom_snapshot_path(service_name, partition_name, listed_name),
                "read custom snapshot %s of %s" % (listed_name, _where(service_name, partition_name)),
            )
        except OvhApiError as exc:
            # Gone between the list and this read (OVHcloud deletes expired snapshots itself).
            if missing_ok and getattr(exc, "status", None) == 404:
                return None
            raise
        return {"name": listed_name, "expiration": (detail or {}).get("expiration")}

    def custom_snapshots(self, service_name, partition_name):
        """{listed name: expiration as reported (text or None)} for every custom snapshot."""
        snapshots = {}
        for name in self.custom_snapshot_names(service_name, partition_name):
            detail = self.custom_snapshot(service_name, partition_name, name, missing_ok=True)
            if detail is not None:
                snapshots[name] = detail["expiration"]
        return snapshots

    def lookup_custom_snapshot(self, service_name, partition_name, name):
        """The custom snapshot `name` as OVHcloud lists it (with or without the "snap-" prefix), or None."""
        listed_name = find_custom_snapshot(self.custom_snapshot_names(service_name, partition_name), name)
        if listed_name is None:
            return None
        return self.custom_snapshot(service_name, partition_name, listed_name, missing_ok=True)

    # ---------------------------------------------------------------- writes

    def _write(self, service_name, partition_name, deadline, method, path, action, body=None, recheck=None):
        """Send one write; while the partition is busy, wait for it to be idle and send it again."""
        retries = 0
        while True:
            try:
                return self.api.write(method, path, action, body=body, recheck=recheck)
            except OvhBusyError:
                if deadline.expired():
                    raise
            waited = self.api.wait_until_idle(service_name, partition_name, deadline)
            if not waited:
                # Busy, yet no pending task is listed: pause before the next try rather than hammer the API.
                delay = BUSY_RETRY_DELAYS[min(retries, len(BUSY_RETRY_DELAYS) - 1)]
                self._sleep(max(0, min(delay, deadline.remaining())))
            retries += 1

    def _finish(self, service_name, tasks, deadline, wait):
        """Wait once for every task that has an id; tasks found applied after a lost answer are already done."""
        waitable = [task for task in tasks if task and task.get("taskId") is not None]
        if not wait or not waitable:
            return list(tasks)
        finished = self.api.wait_tasks(service_name, waitable, deadline) or []
        by_id = dict((task.get("taskId"), task) for task in finished if task)
        return [by_id.get(task.get("taskId"), task) if task and task.get("taskId") is not None else task for task in tasks]

    def _schedule_recheck(self, service_name, partition_name, deadline, snapshot_type, scheduled):
        """After a lost answer: whether the type is now scheduled (add) or not (remove)."""
        def recheck():
            self.api.wait_until_idle(service_name, partition_name, deadline)
            if (snapshot_type in self.snapshot_types(service_name, partition_name)) == scheduled:
                return _applied_task(OPERATION_SCHEDULE, partition_name)
            return None
        return recheck

    def _custom_recheck(self, service_name, partition_name, deadline, operation, applied):
        """After a lost answer: whether `applied(listed names)` now holds."""
        def recheck():
            self.api.wait_until_idle(service_name, partition_name, deadline)
            if applied(self.custom_snapshot_names(service_name, partition_name)):
                return _applied_task(operation, partition_name)
            return None
        return recheck

    def apply_schedule(self, service_name, partition_name, plan, deadline, wait=True):
        """Add then remove the types of a SchedulePlan; the tasks overlap and are waited for together."""
        if not (plan.to_add or plan.to_remove):
            return []
        where = _where(service_name, partition_name)
        self.api.wait_until_idle(service_name, partition_name, deadline)
        tasks = []
        for snapshot_type in plan.to_add:
            tasks.append(self._write(
                service_name, partition_name, deadline,
                "POST", schedule_path(service_name, partition_name),
                "add snapshot type %s to %s" % (snapshot_type, where),
                body={"snapshotType": snapshot_type},
                recheck=self._schedule_recheck(service_name, partition_name, deadline, snapshot_type, True),
            ))
        for snapshot_type in plan.to_remove:
            action = "remove snapshot type %s from %s" % (snapshot_type, where)
            if not plan.after:
                action += " (OVHcloud keeps at least one automatic snapshot frequency)"
            tasks.append(self._write(
                service_name, partition_name, deadline,
                "DELETE", schedule_type_path(service_name, partition_name, snapshot_type),
                action,
                recheck=self._schedule_recheck(service_name, partition_name, deadline, snapshot_type, False),
            ))
        return self._finish(service_name, tasks, deadline, wait)

    def create_custom_snapshot(self, service_name, partition_name, name, expiration_dt, deadline, wait=True):
        body = {"name": name}
        if expiration_dt is not None:
            body["expiration"] = format_expiration(expiration_dt)
        self.api.wait_until_idle(service_name, partition_name, deadline)
        task = self._write(
            service_name, partition_name, deadline,
            "POST", custom_snapshots_path(service_name, partition_name),
            "create custom snapshot %s on %s" % (name, _where(service_name, partition_name)),
            body=body,
            recheck=self._custom_recheck(
                service_name, partition_name, deadline, OPERATION_CUSTOM_CREATE,
                lambda names: find_custom_snapshot(names, name) is not None,
            ),
        )
        return self._finish(service_name, [task], deadline, wait)[0]

    def delete_custom_snapshot(self, service_name, partition_name, listed_name, deadline, wait=True):
        self.api.wait_until_idle(service_name, partition_name, deadline)
        task = self._write(
            service_name, partition_name, deadline,
            "DELETE", custom_snapshot_path(service_name, partition_name, listed_name),
            "delete custom snapshot %s from %s" % (listed_name, _where(service_name, partition_name)),
            recheck=self._custom_recheck(
                service_name, partition_name, deadline, OPERATION_CUSTOM_DELETE,
                lambda names: listed_name not in names,
            ),
        )
        return self._finish(service_name, [task], deadline, wait)[0]
