# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An in-memory NAS-HA service behind the interface the write path uses of OvhApi (send, get, clock, sleep, retry
pauses, give_up, deadline), on a fake clock: no real time passes. Tasks end when read, after `reads` reads."""
from __future__ import annotations

import threading
from urllib.parse import unquote

from ansible_collections.snapkeep.nasha.plugins.module_utils import _transport as transport
from ansible_collections.snapkeep.nasha.plugins.module_utils._access import OPERATION_ACCESS
from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import (
    OPERATION_CUSTOM_CREATE,
    OPERATION_CUSTOM_DELETE,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import OPERATION_SCHEDULE
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import PENDING_STATUSES, TaskWatch

SVC = "zpool-1"
PART = "backups"
SERVICE = "/dedicated/nasha/%s" % SVC
BASE = "%s/partition/%s" % (SERVICE, PART)
TASKS = SERVICE + "/task"

# Steps of a send script (FakeApi.script): what becomes of the next write.
ACCEPT = "accept"              # accepted, its change made when its task ends done
LOST_APPLIED = "lost applied"  # the change is made (at once), but the answer is lost
LOST = "lost"                  # the answer is lost, nothing made
BUSY = "busy"
CONFLICT = "conflict"
REFUSED = "refused"
TRANSIENT = "transient"


class WatchSpy(TaskWatch):
    """The real TaskWatch, noting what it is asked: ("wait", [task ids]), ("wait_until_idle", partition),
    ("pending_on", partition)."""

    def __init__(self, api):
        super().__init__(api)
        self.asked = []

    def wait(self, service_name, tasks, deadline, own=True):
        self.asked.append(("wait", [task.get("taskId") for task in tasks]))
        return super().wait(service_name, tasks, deadline, own=own)

    def wait_until_idle(self, service_name, partition_name, deadline):
        self.asked.append(("wait_until_idle", partition_name))
        return super().wait_until_idle(service_name, partition_name, deadline)

    def pending_on(self, service_name, partition_name):
        self.asked.append(("pending_on", partition_name))
        return super().pending_on(service_name, partition_name)


class FakeApi:
    """Partitions {name: {"schedule": [...], "customs": {name: expiration}, "access": {block: type}}}.

    script: steps (above) taken by the next sends, one each; ACCEPT once it is empty. refuse: paths whose writes
    are refused. task_end: {path suffix: (reads before the task ends, final status)} for the tasks of writes on a
    path ending so (default: done when first read). prefix_customs: OVHcloud lists created custom snapshots as
    "snap-<name>". get_errors: {path: OvhApiError} raised by GET path. expanded_lists: whether a task list asked
    with the expanded-list header (_transport.expanded_list_request) answers the tasks themselves, as OVHcloud does
    where it honours that header; else, or when not asked so, it answers their ids. listed: for each task list,
    whether it was asked expanded.
    """

    def __init__(self, partitions=None, delays=(1, 2, 4)):
        self.partitions = partitions if partitions is not None else {PART: dict(schedule=["hour-1"], customs={}, access={})}
        for data in self.partitions.values():
            data.setdefault("schedule", [])
            data.setdefault("customs", {})
            data.setdefault("access", {})
        self.now = 0.0
        self.sleeps = []
        self.delays = list(delays)
        self.script = []
        self.refuse = set()
        self.task_end = {}
        self.prefix_customs = False
        self.get_errors = {}
        self.expanded_lists = True
        self.listed = []
        self.calls = []
        self.tasks = {}   # id: task as OVHcloud holds it
        self.reads_left = {}
        self.final = {}   # id: (final status, change to make when done)
        self.next_id = 100
        self.lock = threading.RLock()

    # -- OvhApi's interface

    def clock(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.sleeps.append(seconds)
            self.now += seconds

    def retry_delays(self):
        return iter(list(self.delays))

    @staticmethod
    def retry_pause(delay, retry_after):
        return transport.OvhApi.retry_pause(delay, retry_after)

    @staticmethod
    def give_up(action, method, path, sent, attempts=None, note=""):
        return OvhApiError("gave up after %s attempts to %s: %s%s" % (attempts, action, sent.kind, note))

    def deadline(self, timeout_seconds):
        return transport.Deadline(timeout_seconds, self.clock)

    def send(self, method, path, action, body=None):
        with self.lock:
            self.calls.append(("send", method, path, body))
            step = self.script.pop(0) if self.script else ACCEPT
            if path in self.refuse:
                step = REFUSED
            if step in (ACCEPT, LOST_APPLIED):
                task = self._task(method, path, body, made_now=step == LOST_APPLIED)
                if step == ACCEPT:
                    return transport.Sent(transport.ACCEPTED, answer=dict(task))
                return transport.Sent(transport.LOST, error=OvhApiError("Could not %s: no answer" % action))
            kind = {LOST: transport.LOST, BUSY: transport.BUSY, CONFLICT: transport.CONFLICT,
                    REFUSED: transport.REFUSED, TRANSIENT: transport.TRANSIENT}[step]
            status = {BUSY: 409, CONFLICT: 409, REFUSED: 400, TRANSIENT: 429}.get(step)
            return transport.Sent(kind, error=OvhApiError("Could not %s: %s" % (action, step), status=status))

    def get(self, path, action, **query):
        with self.lock:
            self.calls.append(("get", path) + ((query["status"],) if "status" in query else ()))
            if path in self.get_errors:
                raise self.get_errors[path]
            if path == "/dedicated/nasha":
                return [SVC]
            if path == SERVICE + "/partition":
                return list(self.partitions)
            if path == TASKS:
                asked = self._asked_expanded()
                self.listed.append(asked)
                tasks = [dict(task) for task_id, task in sorted(self.tasks.items()) if task["status"] == query.get("status")]
                return tasks if asked and self.expanded_lists else [task["taskId"] for task in tasks]
            if path.startswith(TASKS + "/"):
                return self._read_task(int(path.rsplit("/", 1)[1]))
            partition, rest = self._split(path)
            data = self.partitions[partition]
            if rest == "snapshot":
                return list(data["schedule"])
            if rest == "customSnapshot":
                return list(data["customs"])
            if rest.startswith("customSnapshot/"):
                name = rest.split("/", 1)[1]
                if name not in data["customs"]:
                    raise OvhApiError("not found", status=404)
                return {"name": name, "expiration": data["customs"][name]}
            if rest == "access":
                return list(data["access"])
            raise AssertionError("unexpected GET %s" % path)

    @staticmethod
    def _asked_expanded():
        """Whether this request carries the expanded-list header (OvhApi's transport adds it to the request)."""
        headers = getattr(transport._REQUEST_CONTEXT, "headers", None) or {}  # pylint: disable=protected-access
        return all(headers.get(name) == value for name, value in transport.EXPANDED_LIST_HEADERS.items())

    # -- the service

    def foreign_task(self, partition=PART, reads=2, status="done", operation="clusterLeclercSnapshotUpdate"):
        """A task another run started on the partition: pending until read `reads` times."""
        with self.lock:
            self.next_id += 1
            task_id = self.next_id
            self.tasks[task_id] = {"taskId": task_id, "operation": operation, "status": "todo", "details": None,
                                   "partitionName": partition}
            self.reads_left[task_id] = reads
            self.final[task_id] = (status, None)
            return task_id

    @staticmethod
    def _split(path):
        assert path.startswith(SERVICE + "/partition/"), path
        partition, dummy, rest = path[len(SERVICE + "/partition/"):].partition("/")
        return partition, rest

    def _change(self, method, path, body):
        """(operation, a function making the change)."""
        partition, rest = self._split(path)
        data = self.partitions[partition]
        if rest == "snapshot" and method == "POST":
            return OPERATION_SCHEDULE, lambda: data["schedule"].append(body["snapshotType"])
        if rest.startswith("snapshot/") and method == "DELETE":
            return OPERATION_SCHEDULE, lambda: data["schedule"].remove(rest.split("/", 1)[1])
        if rest == "customSnapshot" and method == "POST":
            name = ("snap-" if self.prefix_customs else "") + body["name"]
            return OPERATION_CUSTOM_CREATE, lambda: data["customs"].__setitem__(name, body.get("expiration"))
        if rest.startswith("customSnapshot/") and method == "DELETE":
            return OPERATION_CUSTOM_DELETE, lambda: data["customs"].pop(rest.split("/", 1)[1])
        if rest == "access" and method == "POST":
            return OPERATION_ACCESS, lambda: data["access"].__setitem__(body["ip"], body["type"])
        if rest.startswith("access/") and method == "DELETE":
            return OPERATION_ACCESS, lambda: data["access"].pop(unquote(rest.split("/", 1)[1]))
        raise AssertionError("unexpected %s %s" % (method, path))

    def _task(self, method, path, body, made_now=False):
        operation, make = self._change(method, path, body)
        reads, status = 1, "done"
        for suffix, end in self.task_end.items():
            if path.endswith(suffix):
                reads, status = end
        if made_now:
            make()
            make = None
        self.next_id += 1
        task_id = self.next_id
        self.tasks[task_id] = {"taskId": task_id, "operation": operation, "status": "todo", "details": None,
                               "partitionName": self._split(path)[0]}
        self.reads_left[task_id] = reads
        self.final[task_id] = (status, make)
        return self.tasks[task_id]

    def _read_task(self, task_id):
        task = self.tasks[task_id]
        if task["status"] in PENDING_STATUSES and self.reads_left[task_id] is not None:
            self.reads_left[task_id] -= 1
            if self.reads_left[task_id] <= 0:
                status, make = self.final[task_id]
                if status == "done" and make is not None:
                    make()
                task["status"] = status
                if status != "done":
                    task["details"] = "disk failure"
        return dict(task)

    # -- views of the call log

    def sends(self):
        return [call for call in self.calls if call[0] == "send"]

    def kinds(self):
        """"POST snapshot", "DELETE hour-1", "task 101", "tasks todo", "GET snapshot"... in order."""
        shown = []
        for call in self.calls:
            if call[0] == "send":
                shown.append("%s %s" % (call[1], call[2].rsplit("/", 1)[1]))
            elif call[1] == TASKS:
                shown.append("tasks %s" % call[2])
            elif call[1].startswith(TASKS + "/"):
                shown.append("task %s" % call[1].rsplit("/", 1)[1])
            else:
                shown.append("GET %s" % call[1].rsplit("/", 1)[1])
        return shown
