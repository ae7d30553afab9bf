# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
from urllib.parse import unquote

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _access as access
from ansible_collections.snapkeep.nasha.plugins.module_utils import _custom_snapshots
from ansible_collections.snapkeep.nasha.plugins.module_utils import _schedule
from ansible_collections.snapkeep.nasha.plugins.module_utils._access_client import AccessClient
from ansible_collections.snapkeep.nasha.plugins.module_utils import _nasha_client as client_module
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient

SVC = "zpool-1"
PART = "backups"
BASE = "/dedicated/nasha/zpool-1/partition/backups"


# The client catches the error classes it imported; these subclasses are caught the same way
# and do not depend on the constructor of the API layer's classes.
class ApiError(client_module.OvhApiError):
    def __init__(self, message, status=None):  # pylint: disable=super-init-not-called
        Exception.__init__(self, message)  # pylint: disable=non-parent-init-called
        self.message = message
        self.status = status
        self.query_id = None
        self.error_code = None
        self.details = None


class BusyError(client_module.OvhBusyError):
    def __init__(self, message="partition busy"):  # pylint: disable=super-init-not-called
        Exception.__init__(self, message)  # pylint: disable=non-parent-init-called
        self.message = message
        self.status = 409
        self.query_id = None
        self.error_code = None
        self.details = None


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeDeadline:
    def __init__(self, clock, seconds):
        self.clock = clock
        self.end = clock.now + seconds

    def expired(self):
        return self.clock.now >= self.end

    def remaining(self):
        return max(0.0, self.end - self.clock.now)


class FakeApi:
    """An in-memory NAS-HA partition behind the OvhApi interface.

    `write_plan` scripts the next writes: "ok" (default), a BusyError/ApiError instance to raise,
    or "lost-applied"/"lost-not-applied" (the answer is lost after the change was / was not made:
    recheck() is called, and the write is sent again when it returns None).
    """

    def __init__(self, clock, schedule=("hour-1",), customs=None):
        self.clock = clock
        self.schedule = list(schedule)
        self.customs = dict(customs or {})
        self.calls = []
        self.write_plan = []
        self.idle_answers = []
        self.next_task_id = 100
        self.get_errors = {}
        # {task id: final status} for tasks that do not end "done"; tasks end when waited for or read.
        self.task_outcomes = {}
        self.failing_writes = {}  # {(method, path suffix): final status of the task the write starts}
        self.tasks = {}

    # -- reads
    def get(self, path, action, **query):
        self.calls.append(("get", path, action))
        if path in self.get_errors:
            raise self.get_errors[path]
        if path == "/dedicated/nasha":
            return [SVC, "zpool-2"]
        if path == "/dedicated/nasha/%s/partition" % SVC:
            return [PART, "media"]
        if path == BASE + "/snapshot":
            return list(self.schedule)
        if path == BASE + "/customSnapshot":
            return list(self.customs)
        if path.startswith(BASE + "/customSnapshot/"):
            name = path.rsplit("/", 1)[1]
            return {"name": name, "expiration": self.customs[name]}
        raise AssertionError("unexpected GET %s" % path)

    # -- writes
    def _apply(self, method, path, body):
        if method == "POST" and path == BASE + "/snapshot":
            self.schedule.append(body["snapshotType"])
            return _schedule.OPERATION_SCHEDULE
        if method == "DELETE" and path.startswith(BASE + "/snapshot/"):
            self.schedule.remove(path.rsplit("/", 1)[1])
            return _schedule.OPERATION_SCHEDULE
        if method == "POST" and path == BASE + "/customSnapshot":
            self.customs[body["name"]] = body.get("expiration")
            return _custom_snapshots.OPERATION_CUSTOM_CREATE
        if method == "DELETE" and path.startswith(BASE + "/customSnapshot/"):
            del self.customs[path.rsplit("/", 1)[1]]
            return _custom_snapshots.OPERATION_CUSTOM_DELETE
        raise AssertionError("unexpected %s %s" % (method, path))

    def _task(self, operation, status="todo"):
        self.next_task_id += 1
        task = {"taskId": self.next_task_id, "operation": operation, "status": status, "details": None, "partitionName": PART}
        self.tasks[task["taskId"]] = task
        return dict(task)

    def _final(self, task_id):
        final = dict(self.tasks[task_id], status=self.task_outcomes.get(task_id, "done"))
        if final["status"] != "done":
            final["details"] = "disk failure"
        return final

    def write(self, method, path, action, body=None, recheck=None):
        self.calls.append(("write", method, path, action, body))
        step = self.write_plan.pop(0) if self.write_plan else "ok"
        if isinstance(step, Exception):
            raise step  # pylint: disable=raising-bad-type
        if step in ("lost-applied", "lost-not-applied"):
            if step == "lost-applied":
                self._apply(method, path, body)
            found = recheck()
            if found is not None:
                return found
            self.calls.append(("write-again", method, path))
        failing = [status for (verb, suffix), status in self.failing_writes.items() if verb == method and path.endswith(suffix)]
        if failing:
            # the write is accepted; its task will fail and apply nothing
            operation = _schedule.OPERATION_SCHEDULE if "/snapshot" in path else _custom_snapshots.OPERATION_CUSTOM_CREATE
            operation = access.OPERATION_ACCESS if "/access" in path else operation
            task = self._task(operation, status=self.initial_status)
            self.task_outcomes[task["taskId"]] = failing[0]
            return task
        return self._task(self._apply(method, path, body), status=self.initial_status)

    initial_status = "todo"

    def task(self, service_name, task_id):
        self.calls.append(("task", task_id))
        return self._final(task_id)

    def pending_tasks(self, service_name, partition_name=None):
        return []

    def wait_until_idle(self, service_name, partition_name, deadline):
        self.calls.append(("wait_until_idle", service_name, partition_name, deadline))
        if self.idle_answers:
            waited, seconds = self.idle_answers.pop(0)
            self.clock.now += seconds
            return waited
        return []

    def wait_tasks(self, service_name, tasks, deadline):
        """Like OvhApi.wait_tasks: raises on the first failed task, with it in details."""
        self.calls.append(("wait_tasks", service_name, [t["taskId"] for t in tasks], deadline))
        finished = [self._final(task["taskId"]) for task in tasks]
        for task in finished:
            if task["status"] != "done":
                error = ApiError("task %s ended with status %s: disk failure" % (task["taskId"], task["status"]))
                error.error_code = task["status"]
                error.details = dict(task=task)
                raise error
        return finished

    def deadline(self, timeout_seconds):
        return FakeDeadline(self.clock, timeout_seconds)

    # -- views of the call log
    def kinds(self):
        return [call[0] if call[0] != "write" else "%s %s" % (call[1], call[2].rsplit("/", 1)[1]) for call in self.calls]

    def writes(self):
        return [call for call in self.calls if call[0] == "write"]


@pytest.fixture
def clock():
    return FakeClock()


def make(clock, **kwargs):
    api = FakeApi(clock, **kwargs)
    return api, NashaClient(api, sleep=clock.sleep), api.deadline(600)


# ------------------------------------------------------------------ reads


def test_service_and_partition_names(clock):
    api, client, dummy_sleeps = make(clock)
    assert client.service_names() == [SVC, "zpool-2"]
    assert client.partition_names(SVC) == [PART, "media"]
    assert api.calls[1] == ("get", "/dedicated/nasha/zpool-1/partition", "list the partitions of service zpool-1")


def test_snapshot_types_is_one_get_in_canonical_order(clock):
    api, client, dummy_sleeps = make(clock, schedule=["day-7", "hour-1", "day-1"])
    assert client.snapshot_types(SVC, PART) == ["hour-1", "day-1", "day-7"]
    assert api.calls == [("get", BASE + "/snapshot", "read the snapshot schedule of partition backups on service zpool-1")]


def test_snapshot_types_lets_a_not_found_error_through(clock):
    api, client, dummy_sleeps = make(clock)
    error = ApiError("The requested object (partitionName = backups) does not exist", status=404)
    api.get_errors[BASE + "/snapshot"] = error
    with pytest.raises(client_module.OvhApiError) as err:
        client.snapshot_types(SVC, PART)
    assert err.value is error


# ------------------------------------------------------------------ schedule


def test_apply_schedule_without_change_sends_nothing(clock):
    api, client, deadline = make(clock)
    plan = _schedule.plan_schedule(["hour-1"], ["hour-1"])
    outcome = client.apply_schedule(SVC, PART, plan, deadline)
    assert outcome.tasks == [] and not outcome.changed and outcome.error is None
    assert api.calls == []


def test_apply_schedule_keeping_a_type_waits_idle_then_adds_then_removes_then_waits_once(clock):
    api, client, deadline = make(clock, schedule=["hour-1", "hour-6", "day-7"])
    plan = _schedule.plan_schedule(api.schedule, ["hour-6", "day-1", "day-2"])
    tasks = client.apply_schedule(SVC, PART, plan, deadline).tasks
    assert api.kinds() == ["wait_until_idle", "POST snapshot", "POST snapshot", "DELETE hour-1", "DELETE day-7", "wait_tasks"]
    assert api.calls[0] == ("wait_until_idle", SVC, PART, deadline)
    assert [call[4] for call in api.writes()] == [{"snapshotType": "day-1"}, {"snapshotType": "day-2"}, None, None]
    assert [call[3] for call in api.writes()] == [
        "add snapshot type day-1 to partition backups on service zpool-1",
        "add snapshot type day-2 to partition backups on service zpool-1",
        "remove snapshot type hour-1 from partition backups on service zpool-1",
        "remove snapshot type day-7 from partition backups on service zpool-1",
    ]
    assert api.calls[-1] == ("wait_tasks", SVC, [101, 102, 103, 104], deadline)
    assert [task["taskId"] for task in tasks] == [101, 102, 103, 104]
    assert all(task["status"] == "done" for task in tasks)
    assert sorted(api.schedule) == ["day-1", "day-2", "hour-6"]


def test_apply_schedule_without_wait_returns_pending_tasks(clock):
    api, client, deadline = make(clock)
    plan = _schedule.plan_schedule(["hour-1"], ["hour-1", "day-1", "day-2"])
    outcome = client.apply_schedule(SVC, PART, plan, deadline, wait=False)
    assert [task["status"] for task in outcome.tasks] == ["todo", "todo"]
    assert "wait_tasks" not in api.kinds()
    assert outcome.changed and outcome.applied == [] and len(outcome.pending) == 2


def test_apply_schedule_names_the_kept_frequency_rule_when_removing_the_last(clock):
    api, client, deadline = make(clock, schedule=["hour-1"])
    refused = ApiError("At least one snapshot type is required", status=400)
    api.write_plan = [refused]
    plan = _schedule.plan_schedule(["hour-1"], ["hour-1"], state="absent")
    outcome = client.apply_schedule(SVC, PART, plan, deadline)
    assert outcome.error is refused
    assert outcome.failed == [(_schedule.ScheduleChange("remove", "hour-1"), str(refused))]
    assert not outcome.changed
    assert api.writes()[0][3] == (
        "remove snapshot type hour-1 from partition backups on service zpool-1 "
        "(OVHcloud keeps at least one automatic snapshot frequency)"
    )


def test_apply_schedule_plain_remove_text_when_some_type_stays(clock):
    api, client, deadline = make(clock, schedule=["hour-1", "day-1"])
    client.apply_schedule(SVC, PART, _schedule.plan_schedule(api.schedule, ["day-1"], state="absent"), deadline)
    assert api.writes()[0][3] == "remove snapshot type day-1 from partition backups on service zpool-1"


def test_apply_schedule_busy_write_waits_idle_and_is_sent_again(clock):
    api, client, deadline = make(clock)
    # the first add is accepted; the second is refused while the first task runs
    api.write_plan = ["ok", BusyError()]
    api.idle_answers = [([], 0), ([{"taskId": 101, "status": "done"}], 20)]
    plan = _schedule.plan_schedule(["hour-1"], ["hour-1", "day-1", "day-7"])
    tasks = client.apply_schedule(SVC, PART, plan, deadline).tasks
    assert api.kinds() == ["wait_until_idle", "POST snapshot", "POST snapshot", "wait_until_idle", "POST snapshot", "wait_tasks"]
    assert [call[4] for call in api.writes()] == [{"snapshotType": "day-1"}, {"snapshotType": "day-7"}, {"snapshotType": "day-7"}]
    assert api.calls[-1][2] == [101, 102]
    assert len(tasks) == 2
    assert clock.sleeps == []  # a pending task was there to wait for


def test_apply_schedule_busy_without_visible_task_pauses_with_backoff(clock):
    api, client, deadline = make(clock)
    api.write_plan = [BusyError(), BusyError(), BusyError()]
    client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["hour-1", "day-1"], purge=False), deadline)
    assert clock.sleeps == [1, 2, 4]
    assert len(api.writes()) == 4
    assert api.schedule == ["hour-1", "day-1"]


def test_apply_schedule_busy_until_the_deadline_raises_busy(clock):
    api, client, dummy_sleeps = make(clock)
    deadline = api.deadline(30)
    api.write_plan = [BusyError() for dummy in range(100)]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1"], purge=False), deadline)
    assert isinstance(outcome.error, client_module.OvhBusyError)
    assert clock.now == pytest.approx(30)
    assert sum(clock.sleeps) == pytest.approx(30)
    assert api.schedule == ["hour-1"]


def test_apply_schedule_recheck_after_lost_answer_of_an_applied_add(clock):
    api, client, deadline = make(clock)
    api.write_plan = ["lost-applied"]
    plan = _schedule.plan_schedule(["hour-1"], ["day-1"], purge=False)
    tasks = client.apply_schedule(SVC, PART, plan, deadline).tasks
    assert tasks == [{
        "taskId": None, "operation": _schedule.OPERATION_SCHEDULE, "status": "done",
        "details": "found applied when read back (the answer to the write was lost or refused)", "partitionName": PART,
    }]
    # the recheck waited for the partition, read the schedule, and nothing was sent twice
    assert api.kinds() == ["wait_until_idle", "POST snapshot", "wait_until_idle", "get"]
    assert api.schedule == ["hour-1", "day-1"]


def test_apply_schedule_recheck_after_lost_answer_of_a_write_not_applied(clock):
    api, client, deadline = make(clock, schedule=["hour-1", "day-1"])
    api.write_plan = ["ok", "lost-not-applied"]
    plan = _schedule.plan_schedule(api.schedule, ["day-7"])
    tasks = client.apply_schedule(SVC, PART, plan, deadline).tasks
    assert ("write-again", "DELETE", BASE + "/snapshot/hour-1") in api.calls
    assert api.schedule == ["day-7"]
    assert [task["taskId"] for task in tasks] == [101, 102, 103]


def test_apply_schedule_recheck_of_an_applied_remove_is_not_waited_for(clock):
    api, client, deadline = make(clock, schedule=["hour-1", "day-1"])
    api.write_plan = ["ok", "lost-applied"]
    plan = _schedule.plan_schedule(api.schedule, ["hour-6", "day-1"], purge=True)
    tasks = client.apply_schedule(SVC, PART, plan, deadline).tasks
    assert api.calls[-1][0] == "wait_tasks"
    assert api.calls[-1][2] == [101]
    assert [task["taskId"] for task in tasks] == [101, None]
    assert tasks[1]["details"] == "found applied when read back (the answer to the write was lost or refused)"
    assert sorted(api.schedule) == ["day-1", "hour-6"]


# ------------------------------------------------------------------ data safety: phases, failures, init


def test_a_pure_replacement_adds_waits_for_the_addition_then_removes(clock):
    api, client, deadline = make(clock, schedule=["hour-1"])
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1"]), deadline)
    assert api.kinds() == ["wait_until_idle", "POST snapshot", "wait_tasks", "DELETE hour-1", "wait_tasks"]
    assert outcome.applied == [_schedule.ScheduleChange("add", "day-1"), _schedule.ScheduleChange("remove", "hour-1")]
    assert outcome.error is None and outcome.changed
    assert api.schedule == ["day-1"]


@pytest.mark.parametrize("initial_status", ["todo", "init"])
def test_a_failed_addition_of_a_pure_replacement_sends_no_removal(clock, initial_status):
    api, client, deadline = make(clock, schedule=["hour-1"])
    api.initial_status = initial_status
    api.failing_writes = {("POST", "/snapshot"): "ovhError"}
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1"]), deadline)
    assert api.kinds() == ["wait_until_idle", "POST snapshot", "wait_tasks"]
    assert api.schedule == ["hour-1"]
    assert outcome.applied == [] and outcome.pending == [] and not outcome.changed
    assert [change for change, dummy in outcome.failed] == [_schedule.ScheduleChange("add", "day-1")]
    assert "ovhError" in outcome.failed[0][1] and "ovhError" in str(outcome.error)
    assert outcome.not_attempted == [_schedule.ScheduleChange("remove", "hour-1")]
    assert [task["status"] for task in outcome.tasks] == ["ovhError"]


def test_a_pure_replacement_without_wait_still_waits_for_the_additions(clock):
    api, client, deadline = make(clock, schedule=["hour-1", "day-7"])
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(api.schedule, ["day-1", "day-2"]), deadline, wait=False)
    assert api.kinds() == ["wait_until_idle", "POST snapshot", "POST snapshot", "wait_tasks", "DELETE hour-1", "DELETE day-7"]
    assert outcome.applied == [_schedule.ScheduleChange("add", "day-1"), _schedule.ScheduleChange("add", "day-2")]
    assert outcome.pending == [_schedule.ScheduleChange("remove", "hour-1"), _schedule.ScheduleChange("remove", "day-7")]


def test_one_failed_addition_among_several_is_reported_beside_the_applied_one(clock):
    api, client, deadline = make(clock, schedule=["hour-1"])
    plan = _schedule.plan_schedule(["hour-1"], ["day-1", "day-2"])
    api.write_plan = ["ok"]
    api.failing_writes = {}
    original = api.write

    def write(method, path, action, body=None, recheck=None):
        if body == {"snapshotType": "day-2"}:
            api.failing_writes = {("POST", "/snapshot"): "cancelled"}
        try:
            return original(method, path, action, body=body, recheck=recheck)
        finally:
            api.failing_writes = {}

    api.write = write
    outcome = client.apply_schedule(SVC, PART, plan, deadline)
    assert outcome.applied == [_schedule.ScheduleChange("add", "day-1")]
    assert [change for change, dummy in outcome.failed] == [_schedule.ScheduleChange("add", "day-2")]
    assert outcome.not_attempted == [_schedule.ScheduleChange("remove", "hour-1")]
    assert outcome.changed
    assert "DELETE hour-1" not in api.kinds()


def test_keeping_a_type_on_a_busy_partition_sends_nothing_after_a_failed_task(clock):
    api, client, deadline = make(clock, schedule=["hour-1", "day-7"])
    api.failing_writes = {("POST", "/snapshot"): "ovhError"}
    api.write_plan = ["ok", BusyError()]
    # the removal is refused as busy; the pending task waited for is the failed addition
    api.idle_answers = [([], 0), ([{"taskId": 101, "status": "ovhError", "partitionName": PART}], 1)]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(api.schedule, ["hour-1", "day-1"]), deadline)
    assert [call for call in api.writes() if call[1] == "DELETE"] == [("write", "DELETE", BASE + "/snapshot/day-7",
                                                                      "remove snapshot type day-7 from partition backups on service zpool-1", None)]
    assert len(api.writes()) == 2  # the refused DELETE is not sent again
    assert outcome.not_attempted == [_schedule.ScheduleChange("remove", "day-7")]
    assert [change for change, dummy in outcome.failed] == [_schedule.ScheduleChange("add", "day-1")]
    assert sorted(api.schedule) == ["day-7", "hour-1"]


@pytest.mark.parametrize("initial_status", ["todo", "init"])
def test_an_own_task_not_among_those_waited_for_is_read(clock, initial_status):
    api, client, deadline = make(clock, schedule=["hour-1", "day-7"])
    api.initial_status = initial_status
    api.failing_writes = {("POST", "/snapshot"): "customerError"}
    api.write_plan = ["ok", BusyError()]
    api.idle_answers = [([], 0), ([{"taskId": 99, "status": "done", "partitionName": PART}], 1)]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(api.schedule, ["hour-1", "day-1"]), deadline)
    assert ("task", 101) in api.calls
    assert outcome.not_attempted == [_schedule.ScheduleChange("remove", "day-7")]


def test_deleting_two_custom_snapshots_stops_after_a_refused_one(clock):
    api, client, deadline = make(clock, customs={"x": None, "snap-x": None})
    refused = ApiError("Internal error", status=400)
    api.write_plan = [refused]
    outcome = client.delete_custom_snapshots(SVC, PART, ["x", "snap-x"], deadline)
    assert outcome.error is refused
    assert outcome.not_attempted == [("delete", "snap-x")]
    assert api.customs == {"x": None, "snap-x": None}


# ------------------------------------------------------------------ custom snapshots


def test_create_custom_snapshot_with_expiration(clock):
    api, client, deadline = make(clock)
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    expiration = datetime.datetime(2026, 12, 31, 12, 0, tzinfo=plus_two)
    task = client.create_custom_snapshot(SVC, PART, "before-upgrade", expiration, deadline)
    assert api.kinds() == ["wait_until_idle", "POST customSnapshot", "wait_tasks"]
    write = api.writes()[0]
    assert write[3] == "create custom snapshot before-upgrade on partition backups on service zpool-1"
    assert write[4] == {"name": "before-upgrade", "expiration": "2026-12-31T10:00:00Z"}
    assert task["taskId"] == 101 and task["status"] == "done"


def test_create_custom_snapshot_without_expiration_and_without_wait(clock):
    api, client, deadline = make(clock)
    task = client.create_custom_snapshot(SVC, PART, "plain", None, deadline, wait=False)
    assert api.writes()[0][4] == {"name": "plain"}
    assert task["status"] == "todo"
    assert "wait_tasks" not in api.kinds()


def test_create_custom_snapshot_recheck_finds_the_prefixed_name(clock):
    api, client, deadline = make(clock)

    def prefixing_apply(method, path, body, original=api._apply):  # pylint: disable=protected-access
        return original(method, path, dict(body, name="snap-" + body["name"]))

    api._apply = prefixing_apply  # pylint: disable=protected-access
    api.write_plan = ["lost-applied"]
    task = client.create_custom_snapshot(SVC, PART, "before", None, deadline)
    assert task["taskId"] is None
    assert task["operation"] == _custom_snapshots.OPERATION_CUSTOM_CREATE
    assert list(api.customs) == ["snap-before"]
    assert "write-again" not in api.kinds()
    assert "wait_tasks" not in api.kinds()


def test_create_custom_snapshot_recheck_sends_again_when_missing(clock):
    api, client, deadline = make(clock)
    api.write_plan = ["lost-not-applied"]
    task = client.create_custom_snapshot(SVC, PART, "before", None, deadline)
    assert "write-again" in api.kinds()
    assert task["taskId"] == 101
    assert list(api.customs) == ["before"]


def test_create_custom_snapshot_busy_retry(clock):
    api, client, deadline = make(clock)
    api.write_plan = [BusyError()]
    api.idle_answers = [([], 0), ([{"taskId": 7}], 12)]
    client.create_custom_snapshot(SVC, PART, "x", None, deadline)
    assert api.kinds() == ["wait_until_idle", "POST customSnapshot", "wait_until_idle", "POST customSnapshot", "wait_tasks"]


def test_delete_custom_snapshot_uses_the_listed_name(clock):
    api, client, deadline = make(clock, customs={"snap-before": None})
    task = client.delete_custom_snapshot(SVC, PART, "snap-before", deadline)
    assert api.kinds() == ["wait_until_idle", "DELETE snap-before", "wait_tasks"]
    assert api.writes()[0][3] == "delete custom snapshot snap-before from partition backups on service zpool-1"
    assert api.customs == {}
    assert task["status"] == "done"


def test_delete_custom_snapshot_recheck(clock):
    api, client, deadline = make(clock, customs={"a": None})
    api.write_plan = ["lost-applied"]
    task = client.delete_custom_snapshot(SVC, PART, "a", deadline)
    assert task["operation"] == _custom_snapshots.OPERATION_CUSTOM_DELETE and task["taskId"] is None
    assert "write-again" not in api.kinds()


def test_delete_custom_snapshot_recheck_sends_again_when_still_there(clock):
    api, client, deadline = make(clock, customs={"a": None, "snap-a": None})
    api.write_plan = ["lost-not-applied"]
    client.delete_custom_snapshot(SVC, PART, "a", deadline)
    assert "write-again" in api.kinds()
    assert api.customs == {"snap-a": None}


# ------------------------------------------------------------------ access list


class AccessFakeApi(FakeApi):
    """FakeApi with the partition's access list: {block: {type, description}}."""

    def __init__(self, clock, blocks):
        super().__init__(clock)
        self.blocks = dict(blocks)

    def get(self, path, action, **query):
        if path == BASE + "/access":
            self.calls.append(("get", path, action))
            return list(self.blocks)
        return super().get(path, action, **query)

    def _apply(self, method, path, body):
        if method == "POST" and path == BASE + "/access":
            self.blocks[body["ip"]] = dict(type=body["type"], description=body.get("aclDescription"))
            return access.OPERATION_ACCESS
        if method == "DELETE" and path.startswith(BASE + "/access/"):
            del self.blocks[unquote(path.rsplit("/", 1)[1])]
            return access.OPERATION_ACCESS
        return super()._apply(method, path, body)


def apply_access(clock, blocks, declared, purge, failing_writes=None):
    api = AccessFakeApi(clock, blocks)
    api.failing_writes = dict(failing_writes or {})
    client = AccessClient(api, sleep=clock.sleep)
    plan = access.plan_access(dict(blocks), declared, purge=purge)
    return api, client.apply_access(SVC, PART, plan, client.access_blocks(SVC, PART), api.deadline(600))


def test_purge_moving_access_adds_the_new_block_first_then_removes_the_old_one(clock):
    api, outcome = apply_access(clock, {"192.0.2.0/24": dict(type="readwrite", description=None)},
                                [access.Declared("198.51.100.0/24", "readwrite", None)], purge=True)
    assert [(call[1], call[2].rsplit("/", 1)[1]) for call in api.writes()] == [("POST", "access"), ("DELETE", "192.0.2.0%2F24")]
    assert api.blocks == {"198.51.100.0/24": dict(type="readwrite", description=None)}
    assert outcome.error is None and outcome.changed


def test_purge_with_a_failed_addition_sends_no_removal(clock):
    old = {"192.0.2.0/24": dict(type="readwrite", description=None)}
    api, outcome = apply_access(clock, old, [access.Declared("198.51.100.0/24", "readwrite", None)], purge=True,
                                failing_writes={("POST", "/access"): "ovhError"})
    assert [call[1] for call in api.writes()] == ["POST"]
    assert api.blocks == old
    assert outcome.not_attempted == [("remove access", "192.0.2.0/24")] and "ovhError" in str(outcome.error)


def test_a_replaced_entry_is_removed_then_added_before_the_purge_removals(clock):
    api, outcome = apply_access(clock, {"192.0.2.0/24": dict(type="readwrite", description=None),
                                        "203.0.113.4/32": dict(type="readwrite", description=None)},
                                [access.Declared("192.0.2.0/24", "readonly", None)], purge=True)
    assert [(call[1], call[2].rsplit("/", 1)[1]) for call in api.writes()] == [
        ("DELETE", "192.0.2.0%2F24"), ("POST", "access"), ("DELETE", "203.0.113.4%2F32")]
    assert api.kinds().count("wait_tasks") == 3
    assert api.blocks == {"192.0.2.0/24": dict(type="readonly", description=None)}
    assert outcome.error is None
