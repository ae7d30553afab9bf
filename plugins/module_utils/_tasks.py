# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVHcloud's asynchronous tasks (dedicated.nasTask.Task): reading them, waiting for them, reporting them.

Every NAS-HA write answers a task. TaskWatch polls a task when it is likely over: it learns, during the run, how
long each operation takes (from the tasks it saw end), polls a task of a known operation just before it should
end and then a few times in quick succession, and falls back to pauses that grow by 30 % for an operation it has
not seen end yet. A task whose todoDate lies ahead is not read before then.
"""
from __future__ import annotations

import threading

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError, format_seconds, scrubbed_error
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import parse_expiration
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import task_path, tasks_path
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import EXPANDED_LIST_HEADERS, expanded_list_request

PENDING_STATUSES = ("init", "todo", "doing")
FAILED_STATUSES = ("cancelled", "customerError", "ovhError")

# Polling a task of an operation not seen ending yet: the first pause, its growth per read and its cap, in seconds.
# Slow growth keeps the lag between a task's end and its discovery near a third of the time waited.
TASK_POLL_FIRST = 0.5
TASK_POLL_GROWTH = 1.3
TASK_POLL_CAP = 10.0
# Polling a task of an operation whose duration this run has seen: reads this far apart (at least), from just before
# its expected end until NEAR_END_SHARE past it; then the growing pauses again.
NEAR_END_STEP = 0.1
NEAR_END_SHARE = 1.25


def task_summary(task):
    """The fields of a task (dedicated.nasTask.Task) reported in module results."""
    task = task or {}
    return {
        "id": task.get("taskId"),
        "operation": task.get("operation"),
        "status": task.get("status"),
        "details": task.get("details"),
        "partition_name": task.get("partitionName"),
    }


def is_pending(task):
    return (task or {}).get("status") in PENDING_STATUSES


def is_failed(task):
    return (task or {}).get("status") in FAILED_STATUSES


def failure_message(service_name, task):
    """One sentence about a task that ended failed."""
    where = "service %s" % service_name
    if task.get("partitionName"):
        where += " partition %s" % task["partitionName"]
    return "task %s (operation %s) on %s ended with status %s: %s" % (
        task.get("taskId"), task.get("operation"), where, task.get("status"), task.get("details") or "OVHcloud gave no details")


class TaskWaitTimeout(OvhApiError):
    """The wait for tasks ran out before they ended; details: {"tasks": those still pending, last state known}."""


class _Duration:
    """What the run knows of how long an operation takes: a task of it was seen over `done_by` s after its write was
    answered (the shortest such time seen)."""

    def __init__(self):
        self.done_by = None

    def first_read(self):
        """Seconds after the write when a task of this operation is first read: just before `done_by`."""
        return self.done_by - min(NEAR_END_STEP, 0.05 * self.done_by)

    def seen(self, elapsed, pending):
        if not pending:
            self.done_by = elapsed if self.done_by is None else min(self.done_by, elapsed)


class TaskWatch:
    """Reads and waits for the tasks of one module run (any thread); learns the duration of each operation."""

    def __init__(self, api):
        self.api = api
        self._lock = threading.Lock()
        self._durations = {}
        self._started = {}  # task id: the run's clock when its write was answered

    # -- reading

    def read(self, service_name, task_id):
        return self.api.get(task_path(service_name, task_id), "read task %s of service %s" % (task_id, service_name))

    def started(self, task):
        """Note a task this run just started (the answer of its write)."""
        if task and task.get("taskId") is not None:
            with self._lock:
                self._started.setdefault(task["taskId"], self.api.clock())

    def pending_on(self, service_name, partition_name):
        """The tasks pending on a partition, oldest id first.

        OVHcloud lists a service's tasks by status, not by partition: with expanded lists the answer holds the tasks
        themselves; otherwise each pending one is read to learn its partition.
        """
        listed = {}
        for status in PENDING_STATUSES:
            # Expanded where the API honours it: the tasks themselves in one answer, none read on its own.
            with expanded_list_request(EXPANDED_LIST_HEADERS):
                answer = self.api.get(tasks_path(service_name), "list the %s tasks of service %s" % (status, service_name),
                                      status=status)
            for item in answer or []:
                if isinstance(item, dict):
                    if item.get("taskId") is None:
                        # Dropping it would hide a pending task, and a change under way would be overlapped.
                        raise OvhApiError("The API listed a task of service %s in a form this module does not know: %r"
                                          % (service_name, item))
                    listed[item["taskId"]] = item
                else:
                    listed.setdefault(item, None)
        tasks = []
        for task_id in sorted(listed):
            task = listed[task_id]
            if task is None:
                try:
                    task = self.read(service_name, task_id)
                except OvhApiError as exc:
                    if exc.status == 404:  # finished and purged between the list and the read
                        continue
                    raise
            if is_pending(task) and task.get("partitionName") == partition_name:
                tasks.append(task)
        return tasks

    # -- waiting

    def wait(self, service_name, tasks, deadline, own=True):
        """The latest state of each task, in the same order, once none is pending; failed ones are returned as such.

        The oldest pending task is polled; once it is over the next ones are read at once, as they are likely over
        too. Raises OvhApiError when a read fails, TaskWaitTimeout at the deadline; own: the tasks are this run's
        writes (the timeout then says that the change may still be applied).
        """
        current = [dict(task) for task in tasks]
        reads = {}
        while True:
            pending = [index for index, task in enumerate(current) if is_pending(task) and task.get("taskId") is not None]
            if not pending:
                return current
            if deadline.expired():
                raise self._timeout(deadline, [current[index] for index in pending], own)
            first = current[pending[0]]
            self.api.sleep(min(self._pause(first, reads.get(first["taskId"], 0)), deadline.remaining()))
            for index in pending:
                task_id = current[index]["taskId"]
                current[index] = self.read(service_name, task_id)
                reads[task_id] = reads.get(task_id, 0) + 1
                self._learn(current[index])
                if is_pending(current[index]):
                    break

    def wait_until_idle(self, service_name, partition_name, deadline):
        """Wait for whatever is pending on a partition (another run's change, say); returns those tasks finished ([] when
        none was pending)."""
        tasks = self.pending_on(service_name, partition_name)
        return self.wait(service_name, tasks, deadline, own=False) if tasks else []

    # -- timing

    def _elapsed(self, task):
        started = self._started.get(task.get("taskId"))
        return None if started is None else self.api.clock() - started

    def _learn(self, task):
        elapsed = self._elapsed(task)
        if elapsed is None:
            return
        with self._lock:
            self._durations.setdefault(task.get("operation"), _Duration()).seen(elapsed, is_pending(task))

    def _pause(self, task, reads):
        """Seconds to wait before reading `task` again, `reads` being how often it was read already."""
        elapsed = self._elapsed(task)
        with self._lock:
            duration = self._durations.get(task.get("operation"))
            known = duration is not None and duration.done_by is not None
            if known:
                first, done_by = duration.first_read(), duration.done_by
        if elapsed is None or not known:
            pause = min(TASK_POLL_CAP, TASK_POLL_FIRST * TASK_POLL_GROWTH ** reads)
        elif elapsed < first:
            pause = max(NEAR_END_STEP, first - elapsed)
        elif elapsed < done_by * NEAR_END_SHARE:
            pause = max(NEAR_END_STEP, 0.05 * done_by)
        else:
            pause = min(TASK_POLL_CAP, max(NEAR_END_STEP, (TASK_POLL_GROWTH - 1) * elapsed))
        return max(pause, self._until_todo_date(task))

    def _until_todo_date(self, task):
        """Seconds until the task's todoDate when it lies ahead (OVHcloud does not start it before), else 0."""
        text = task.get("todoDate")
        if not text or task.get("status") not in ("init", "todo"):
            return 0.0
        try:
            ahead = (parse_expiration(text) - self.api.server_now()).total_seconds()
        except (ValueError, TypeError, OvhApiError):
            return 0.0
        return min(max(0.0, ahead), TASK_POLL_CAP)

    def _timeout(self, deadline, pending, own):
        waited = " and ".join("task %s (last status %s)" % (task.get("taskId"), task.get("status")) for task in pending)
        message = "timed out after %s s waiting for %s" % (format_seconds(deadline.timeout), waited)
        if own:
            message += "; the change may still be applied"
        return scrubbed_error(TaskWaitTimeout(message, details=dict(tasks=pending)), [])
