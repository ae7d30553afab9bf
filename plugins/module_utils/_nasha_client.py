# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read and change the snapshots of NAS-HA partitions through the API layer: the one write path.

The write rules hold whichever way OVHcloud behaves: writes on one partition overlap when the API
accepts them, and are sent again one after the other when it answers that the partition is busy.
The writes of a partition go in phases (schedule_phases decides them for a schedule): every task of a
phase is seen done before the next phase is sent, and once a write fails nothing more is sent there.
"""
from __future__ import annotations

import time
import typing

from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import (
    OPERATION_CUSTOM_CREATE,
    OPERATION_CUSTOM_DELETE,
    find_custom_snapshot,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import (
    OPERATION_SCHEDULE,
    schedule_phases,
    sort_snapshot_types,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import (
    RouteNameError,
    custom_snapshot_path,
    custom_snapshots_path,
    partitions_path,
    schedule_path,
    schedule_type_path,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import format_expiration

from ansible_collections.snapkeep.nasha.plugins.module_utils._api import (
    FAILED_STATUSES,
    PENDING_STATUSES,
    OvhApiError,
    OvhBusyError,
)


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


class Write(typing.NamedTuple):
    """One write request of a partition; `change` names it in the outcome (a ScheduleChange, or a custom action)."""

    change: typing.Any
    action: str
    method: str
    path: str
    body: typing.Optional[dict] = None
    recheck: typing.Optional[typing.Callable] = None


class WriteOutcome:
    """What became of each write of one partition.

    applied: seen done (or found applied after a lost answer); pending: accepted, not yet seen done (wait=false,
    or the wait failed); failed: (change, message) of a write refused or whose task failed; not_attempted:
    not sent because a write before it failed. error: the first OvhApiError, None when nothing failed.
    """

    def __init__(self):
        self.tasks = []
        self.applied = []
        self.pending = []
        self.failed = []
        self.not_attempted = []
        self.error = None

    @property
    def changed(self):
        """Whether anything was applied, or accepted and maybe applied later."""
        return bool(self.applied or self.pending)

    def fail(self, change, error):
        self.failed.append((change, str(error)))
        if self.error is None:
            self.error = error


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

    def _write(self, service_name, partition_name, deadline, write, own):
        """Send one write; while the partition is busy, wait for it to be idle and send it again.

        own: {task id: latest known task} of the tasks this run started on the partition. Returns None, with
        nothing sent, once one of them is seen failed: no further write goes to the partition.
        """
        retries = 0
        while True:
            try:
                return self.api.write(write.method, write.path, write.action, body=write.body, recheck=write.recheck)
            except OvhBusyError:
                if deadline.expired():
                    raise
            waited = self.api.wait_until_idle(service_name, partition_name, deadline)
            if self._own_task_failed(service_name, own, waited):
                return None
            if not waited:
                # Busy, yet no pending task is listed: pause before the next try rather than hammer the API.
                delay = BUSY_RETRY_DELAYS[min(retries, len(BUSY_RETRY_DELAYS) - 1)]
                self._sleep(max(0, min(delay, deadline.remaining())))
            retries += 1

    def _own_task_failed(self, service_name, own, waited):
        """Update `own` from the tasks just waited for (reading those not among them); whether one of them failed."""
        for task in waited or []:
            if task and task.get("taskId") in own:
                own[task["taskId"]] = task
        for task_id, task in list(own.items()):
            if task.get("status") in PENDING_STATUSES:
                own[task_id] = self.api.task(service_name, task_id)
        return any(task.get("status") in FAILED_STATUSES for task in own.values())

    def _settle(self, service_name, tasks, deadline, wait, outcome):
        """The latest state of each task of a phase (waiting for them all when `wait`), and {task id: failure message}.

        A failed task does not stop the wait for the others: the outcome says what each write became. A timeout
        or a failed read is the outcome's error.
        """
        messages = {}
        latest = dict((task["taskId"], task) for task in tasks if task.get("taskId") is not None)
        remaining = [task for task in latest.values() if task.get("status") not in FAILED_STATUSES]
        while wait and remaining:
            try:
                for task in self.api.wait_tasks(service_name, remaining, deadline) or []:
                    latest[task.get("taskId")] = task
                remaining = []
            except OvhApiError as exc:
                details = exc.details if isinstance(exc.details, dict) else {}
                failed = details.get("task")
                if not failed or failed.get("taskId") not in latest or failed.get("status") not in FAILED_STATUSES:
                    # A timeout or a failed read: the tasks still running keep their last known state.
                    for task in details.get("tasks") or []:
                        if task.get("taskId") in latest:
                            latest[task["taskId"]] = task
                    if outcome.error is None:
                        outcome.error = exc
                    break
                latest[failed["taskId"]] = failed
                messages[failed["taskId"]] = str(exc)
                remaining = [task for task in remaining if task.get("taskId") != failed["taskId"]]
        return [latest.get(task.get("taskId"), task) if task.get("taskId") is not None else task for task in tasks], messages

    @staticmethod
    def _failure_message(service_name, task):
        return "task %s (operation %s) on service %s partition %s ended with status %s: %s" % (
            task.get("taskId"), task.get("operation"), service_name, task.get("partitionName"), task.get("status"),
            task.get("details") or "OVHcloud gave no details")

    def apply_phases(self, service_name, partition_name, phases, deadline, wait=True):
        """Send the writes of a partition phase by phase; a WriteOutcome says what became of each.

        A phase's writes are sent together (one after the other where the partition is busy); every task of a
        phase must be seen done before the next phase is sent, even with wait=false, and once a write fails
        the writes not yet sent are not sent. With wait=false the last phase's tasks are not waited for.
        """
        outcome = WriteOutcome()
        if not any(phases):
            return outcome
        self.api.wait_until_idle(service_name, partition_name, deadline)
        own = {}
        stopped = False
        for index, phase in enumerate(phases):
            sent = []
            for write in phase:
                if stopped:
                    outcome.not_attempted.append(write.change)
                    continue
                try:
                    task = self._write(service_name, partition_name, deadline, write, own)
                except OvhApiError as exc:
                    outcome.fail(write.change, exc)
                    stopped = True
                    continue
                if task is None:  # an earlier write's task failed while this one waited for the partition
                    outcome.not_attempted.append(write.change)
                    stopped = True
                    continue
                task = dict(task)
                if task.get("taskId") is not None:
                    own[task["taskId"]] = task
                sent.append((write, task))
            last = index == len(phases) - 1
            latest = [own.get(task.get("taskId"), task) for dummy, task in sent]
            settled, messages = self._settle(service_name, latest, deadline, wait or not last, outcome)
            for (write, dummy), task in zip(sent, settled):
                outcome.tasks.append(task)
                status = task.get("status")
                if status == "done":
                    outcome.applied.append(write.change)
                elif status in FAILED_STATUSES:
                    message = messages.get(task.get("taskId")) or self._failure_message(service_name, task)
                    outcome.fail(write.change, OvhApiError(message, error_code=status, details=dict(task=task)))
                else:
                    outcome.pending.append(write.change)
            if outcome.error is not None or (not last and outcome.pending):
                stopped = True
        return outcome

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

    def _schedule_write(self, service_name, partition_name, plan, change, deadline):
        where = _where(service_name, partition_name)
        snapshot_type = change.snapshot_type
        if change.action == "add":
            return Write(change, "add snapshot type %s to %s" % (snapshot_type, where),
                         "POST", schedule_path(service_name, partition_name), body={"snapshotType": snapshot_type},
                         recheck=self._schedule_recheck(service_name, partition_name, deadline, snapshot_type, True))
        action = "remove snapshot type %s from %s" % (snapshot_type, where)
        if not plan.after:
            action += " (OVHcloud keeps at least one automatic snapshot frequency)"
        return Write(change, action, "DELETE", schedule_type_path(service_name, partition_name, snapshot_type),
                     recheck=self._schedule_recheck(service_name, partition_name, deadline, snapshot_type, False))

    def apply_schedule(self, service_name, partition_name, plan, deadline, wait=True):
        """Make a SchedulePlan so, in the phases schedule_phases decides; returns the WriteOutcome."""
        phases = [[self._schedule_write(service_name, partition_name, plan, change, deadline) for change in phase]
                  for phase in schedule_phases(plan)]
        return self.apply_phases(service_name, partition_name, phases, deadline, wait=wait)

    def _custom_create_write(self, service_name, partition_name, name, expiration_dt, deadline):
        body = {"name": name}
        if expiration_dt is not None:
            body["expiration"] = format_expiration(expiration_dt)
        return Write(
            ("create", name), "create custom snapshot %s on %s" % (name, _where(service_name, partition_name)),
            "POST", custom_snapshots_path(service_name, partition_name), body=body,
            recheck=self._custom_recheck(
                service_name, partition_name, deadline, OPERATION_CUSTOM_CREATE,
                lambda names: find_custom_snapshot(names, name) is not None,
            ),
        )

    def _custom_delete_write(self, service_name, partition_name, listed_name, deadline):
        return Write(
            ("delete", listed_name), "delete custom snapshot %s from %s" % (listed_name, _where(service_name, partition_name)),
            "DELETE", custom_snapshot_path(service_name, partition_name, listed_name),
            recheck=self._custom_recheck(
                service_name, partition_name, deadline, OPERATION_CUSTOM_DELETE,
                lambda names: listed_name not in names,
            ),
        )

    def create_custom_snapshot(self, service_name, partition_name, name, expiration_dt, deadline, wait=True):
        """The task of the creation; raises OvhApiError when it fails (nothing else is written)."""
        write = self._custom_create_write(service_name, partition_name, name, expiration_dt, deadline)
        outcome = self.apply_phases(service_name, partition_name, [[write]], deadline, wait=wait)
        if outcome.error is not None:
            raise outcome.error
        return outcome.tasks[0]

    def delete_custom_snapshots(self, service_name, partition_name, listed_names, deadline, wait=True):
        """Delete custom snapshots by their listed names, together; returns the WriteOutcome."""
        writes = [self._custom_delete_write(service_name, partition_name, listed_name, deadline)
                  for listed_name in listed_names]
        return self.apply_phases(service_name, partition_name, [writes], deadline, wait=wait)

    def delete_custom_snapshot(self, service_name, partition_name, listed_name, deadline, wait=True):
        """The task of the deletion; raises OvhApiError when it fails."""
        outcome = self.delete_custom_snapshots(service_name, partition_name, [listed_name], deadline, wait=wait)
        if outcome.error is not None:
            raise outcome.error
        return outcome.tasks[0]
