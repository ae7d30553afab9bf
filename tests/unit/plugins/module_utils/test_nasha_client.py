# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NashaClient and AccessClient on an in-memory service: their reads, and the writes they build (requests, read-back
checks, phases) as the write path sends them. The state machine itself is tested in test_write_path.py."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _access as access
from ansible_collections.snapkeep.nasha.plugins.module_utils import _custom_snapshots
from ansible_collections.snapkeep.nasha.plugins.module_utils import _schedule
from ansible_collections.snapkeep.nasha.plugins.module_utils._access_client import AccessClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._write_path import applied_task
from ansible_collections.snapkeep.nasha.tests.unit.plugins.module_utils.write_path_fake import (
    BASE,
    BUSY,
    LOST,
    LOST_APPLIED,
    PART,
    REFUSED,
    SVC,
    FakeApi,
)

READ_BACK = "found applied when read back (the answer to the write was lost or refused)"


def make(schedule=("hour-1",), customs=None, timeout=600):
    api = FakeApi(partitions={PART: dict(schedule=list(schedule), customs=dict(customs or {})), "media": {}})
    return api, NashaClient(api), api.deadline(timeout)


def sent(api):
    """(method, last path segment, body) of each write sent."""
    return [(method, path.rsplit("/", 1)[1], body) for dummy, method, path, body in api.sends()]


# Before a partition's first write, what is pending there is listed (the write path's pre-scan).
PRESCAN = ["tasks init", "tasks todo", "tasks doing"]


def task_reads(api):
    """The reads of single tasks (not the task lists)."""
    return [kind for kind in api.kinds() if kind.startswith("task ")]


# ------------------------------------------------------------------ reads


def test_service_and_partition_names():
    api, client, dummy_deadline = make()
    assert client.service_names() == [SVC]
    assert client.partition_names(SVC) == [PART, "media"]
    assert api.calls == [("get", "/dedicated/nasha"), ("get", "/dedicated/nasha/zpool-1/partition")]


def test_snapshot_types_is_one_get_in_canonical_order():
    api, client, dummy_deadline = make(schedule=["day-7", "hour-1", "day-1"])
    assert client.snapshot_types(SVC, PART) == ["hour-1", "day-1", "day-7"]
    assert api.calls == [("get", BASE + "/snapshot")]


def test_snapshot_types_lets_a_not_found_error_through():
    api, client, dummy_deadline = make()
    error = OvhApiError("The requested object (partitionName = backups) does not exist", status=404)
    api.get_errors[BASE + "/snapshot"] = error
    with pytest.raises(OvhApiError) as err:
        client.snapshot_types(SVC, PART)
    assert err.value is error


def test_a_custom_snapshot_gone_between_list_and_read_is_none_when_missing_is_ok():
    api, client, dummy_deadline = make(customs={"snap-a": "2027-01-01T00:00:00Z"})
    assert client.lookup_custom_snapshot(SVC, PART, "a") == {"name": "snap-a", "expiration": "2027-01-01T00:00:00Z"}
    assert client.custom_snapshot(SVC, PART, "gone", missing_ok=True) is None
    with pytest.raises(OvhApiError):
        client.custom_snapshot(SVC, PART, "gone")


# ------------------------------------------------------------------ schedule


def test_apply_schedule_without_change_sends_nothing():
    api, client, deadline = make()
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["hour-1"]), deadline)
    assert outcome.tasks == [] and not outcome.changed and outcome.error is None
    assert api.calls == []


def test_apply_schedule_keeping_a_type_adds_then_removes_together_then_waits_once():
    api, client, deadline = make(schedule=["hour-1", "hour-6", "day-7"])
    plan = _schedule.plan_schedule(api.partitions[PART]["schedule"], ["hour-6", "day-1", "day-2"])
    outcome = client.apply_schedule(SVC, PART, plan, deadline)
    assert sent(api) == [("POST", "snapshot", {"snapshotType": "day-1"}), ("POST", "snapshot", {"snapshotType": "day-2"}),
                         ("DELETE", "hour-1", None), ("DELETE", "day-7", None)]
    assert api.kinds()[:3] == PRESCAN
    assert api.kinds()[7:] == ["task 101", "task 102", "task 103", "task 104"]  # sent together, then waited
    assert [task["taskId"] for task in outcome.tasks] == [101, 102, 103, 104]
    assert all(task["status"] == "done" for task in outcome.tasks)
    assert sorted(api.partitions[PART]["schedule"]) == ["day-1", "day-2", "hour-6"]


def test_the_actions_name_the_change_and_the_partition():
    api, client, dummy_deadline = make(schedule=["hour-1", "day-7"])
    phases = client.schedule_writes(SVC, PART, _schedule.plan_schedule(["hour-1", "day-7"], ["hour-1", "day-1"]))
    assert [write.action for phase in phases for write in phase] == [
        "add snapshot type day-1 to partition backups on service zpool-1",
        "remove snapshot type day-7 from partition backups on service zpool-1",
    ]
    assert [write.operation for phase in phases for write in phase] == [_schedule.OPERATION_SCHEDULE] * 2
    assert api.calls == []  # building writes reads nothing


def test_the_read_back_of_a_schedule_write_reads_the_schedule():
    api, client, dummy_deadline = make(schedule=["hour-1", "day-7"])
    add, remove = client.schedule_writes(SVC, PART, _schedule.plan_schedule(["hour-1", "day-7"], ["hour-1", "day-1"]))[0]
    assert (add.applied(), remove.applied()) == (False, False)
    api.partitions[PART]["schedule"] = ["hour-1", "day-1"]
    assert (add.applied(), remove.applied()) == (True, True)
    assert api.calls == [("get", BASE + "/snapshot")] * 4


def test_apply_schedule_without_wait_returns_pending_tasks():
    api, client, deadline = make()
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["hour-1", "day-1", "day-2"]),
                                    deadline, wait=False)
    assert [task["status"] for task in outcome.tasks] == ["todo", "todo"]
    assert task_reads(api) == []
    assert outcome.changed and outcome.applied == [] and len(outcome.pending) == 2


def test_apply_schedule_names_the_kept_frequency_rule_when_removing_the_last():
    api, client, deadline = make(schedule=["hour-1"])
    api.script = [REFUSED]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["hour-1"], state="absent"), deadline)
    message = ("Could not remove snapshot type hour-1 from partition backups on service zpool-1 "
               "(OVHcloud keeps at least one automatic snapshot frequency): refused")
    assert str(outcome.error) == message
    assert outcome.failed == [(_schedule.ScheduleChange("remove", "hour-1"), message)]
    assert not outcome.changed


def test_apply_schedule_plain_remove_text_when_some_type_stays():
    api, client, deadline = make(schedule=["hour-1", "day-1"])
    api.script = [REFUSED]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1", "day-1"], ["day-1"], state="absent"), deadline)
    assert str(outcome.error) == "Could not remove snapshot type day-1 from partition backups on service zpool-1: refused"


def test_apply_schedule_busy_until_the_deadline_fails_busy():
    api, client, deadline = make(timeout=30)
    api.script = [BUSY] * 1000
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1"], purge=False), deadline)
    assert outcome.error.status == 409 and "busy" in str(outcome.error)
    assert api.now == pytest.approx(30) and sum(api.sleeps) == pytest.approx(30)
    assert api.partitions[PART]["schedule"] == ["hour-1"]


def test_apply_schedule_read_back_after_lost_answer_of_an_applied_add():
    api, client, deadline = make()
    api.script = [LOST_APPLIED]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1"], purge=False), deadline)
    assert outcome.tasks == [{"taskId": None, "operation": _schedule.OPERATION_SCHEDULE, "status": "done",
                              "details": READ_BACK, "partitionName": PART}]
    # the partition was waited idle, the schedule read, and nothing sent twice
    assert len(api.sends()) == 1 and api.kinds()[-1] == "GET snapshot"
    assert api.partitions[PART]["schedule"] == ["hour-1", "day-1"]


def test_apply_schedule_read_back_after_lost_answer_of_a_write_not_applied():
    api, client, deadline = make(schedule=["hour-1", "day-1"])
    api.script = ["accept", LOST]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1", "day-1"], ["day-7"]), deadline)
    assert sent(api) == [("POST", "snapshot", {"snapshotType": "day-7"}), ("DELETE", "hour-1", None),
                         ("DELETE", "hour-1", None), ("DELETE", "day-1", None)]
    assert api.partitions[PART]["schedule"] == ["day-7"]
    assert [task["taskId"] for task in outcome.tasks] == [101, 102, 103]


def test_apply_schedule_read_back_of_an_applied_remove_is_not_waited_for():
    api, client, deadline = make(schedule=["hour-1", "day-1"])
    api.script = ["accept", LOST_APPLIED]
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1", "day-1"], ["hour-6", "day-1"]), deadline)
    # filed as found when read back, before the phase's accepted writes are waited for
    assert [task["taskId"] for task in outcome.tasks] == [None, 101]
    assert outcome.tasks[0]["details"] == READ_BACK
    assert outcome.applied == [_schedule.ScheduleChange("remove", "hour-1"), _schedule.ScheduleChange("add", "hour-6")]
    assert sorted(api.partitions[PART]["schedule"]) == ["day-1", "hour-6"]


# ------------------------------------------------------------------ data safety: phases, failures


def test_a_pure_replacement_adds_waits_for_the_addition_then_removes():
    api, client, deadline = make(schedule=["hour-1"])
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1"]), deadline)
    assert api.kinds() == PRESCAN + ["POST snapshot", "task 101", "DELETE hour-1", "task 102"]
    assert outcome.applied == [_schedule.ScheduleChange("add", "day-1"), _schedule.ScheduleChange("remove", "hour-1")]
    assert outcome.error is None and outcome.changed
    assert api.partitions[PART]["schedule"] == ["day-1"]


def test_a_failed_addition_of_a_pure_replacement_sends_no_removal():
    api, client, deadline = make(schedule=["hour-1"])
    api.task_end = {"/snapshot": (1, "ovhError")}
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1"]), deadline)
    assert api.kinds() == PRESCAN + ["POST snapshot", "task 101"]
    assert api.partitions[PART]["schedule"] == ["hour-1"]
    assert outcome.applied == [] and outcome.pending == [] and not outcome.changed
    assert [change for change, dummy in outcome.failed] == [_schedule.ScheduleChange("add", "day-1")]
    assert "ovhError" in outcome.failed[0][1] and "ovhError" in str(outcome.error)
    assert outcome.not_attempted == [_schedule.ScheduleChange("remove", "hour-1")]
    assert [task["status"] for task in outcome.tasks] == ["ovhError"]


def test_a_pure_replacement_without_wait_still_waits_for_the_additions():
    api, client, deadline = make(schedule=["hour-1", "day-7"])
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1", "day-7"], ["day-1", "day-2"]), deadline,
                                    wait=False)
    assert api.kinds() == PRESCAN + ["POST snapshot", "POST snapshot", "task 101", "task 102", "DELETE hour-1",
                                     "DELETE day-7"]
    assert outcome.applied == [_schedule.ScheduleChange("add", "day-1"), _schedule.ScheduleChange("add", "day-2")]
    assert outcome.pending == [_schedule.ScheduleChange("remove", "hour-1"), _schedule.ScheduleChange("remove", "day-7")]


def failing_task_for(api, failing_body, status):
    """The write of `failing_body` is accepted and starts a task that ends `status`; the others end done."""
    original = api.send

    def send(method, path, action, body=None):
        api.task_end = {"": (1, status)} if body == failing_body else {}
        return original(method, path, action, body=body)

    api.send = send


def test_one_failed_addition_among_several_is_reported_beside_the_applied_one():
    api, client, deadline = make(schedule=["hour-1"])
    failing_task_for(api, {"snapshotType": "day-2"}, "cancelled")
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1"], ["day-1", "day-2"]), deadline)
    assert outcome.applied == [_schedule.ScheduleChange("add", "day-1")]
    assert [change for change, dummy in outcome.failed] == [_schedule.ScheduleChange("add", "day-2")]
    assert outcome.not_attempted == [_schedule.ScheduleChange("remove", "hour-1")]
    assert outcome.changed
    assert "DELETE hour-1" not in api.kinds()


def test_keeping_a_type_on_a_busy_partition_sends_nothing_after_a_failed_task():
    api, client, deadline = make(schedule=["hour-1", "day-7"])
    api.task_end = {"/snapshot": (1, "ovhError")}
    api.script = ["accept", BUSY]  # the removal is refused while the addition's task runs; that task fails
    outcome = client.apply_schedule(SVC, PART, _schedule.plan_schedule(["hour-1", "day-7"], ["hour-1", "day-1"]), deadline)
    assert sent(api) == [("POST", "snapshot", {"snapshotType": "day-1"}), ("DELETE", "day-7", None)]  # not sent again
    assert outcome.not_attempted == [_schedule.ScheduleChange("remove", "day-7")]
    assert [change for change, dummy in outcome.failed] == [_schedule.ScheduleChange("add", "day-1")]
    assert sorted(api.partitions[PART]["schedule"]) == ["day-7", "hour-1"]


def test_deleting_two_custom_snapshots_stops_after_a_refused_one():
    api, client, deadline = make(customs={"x": None, "snap-x": None})
    api.script = [REFUSED]
    outcome = client.delete_custom_snapshots(SVC, PART, ["x", "snap-x"], deadline)
    assert str(outcome.error) == "Could not delete custom snapshot x from partition backups on service zpool-1: refused"
    assert outcome.not_attempted == [("delete", "snap-x")]
    assert api.partitions[PART]["customs"] == {"x": None, "snap-x": None}


# ------------------------------------------------------------------ custom snapshots


def test_create_custom_snapshot_with_expiration():
    api, client, deadline = make()
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    expiration = datetime.datetime(2026, 12, 31, 12, 0, tzinfo=plus_two)
    task = client.create_custom_snapshot(SVC, PART, "before-upgrade", expiration, deadline)
    assert api.kinds() == PRESCAN + ["POST customSnapshot", "task 101"]
    assert sent(api) == [("POST", "customSnapshot", {"name": "before-upgrade", "expiration": "2026-12-31T10:00:00Z"})]
    write = client.custom_creation(SVC, PART, "before-upgrade", expiration)
    assert write.action == "create custom snapshot before-upgrade on partition backups on service zpool-1"
    assert task["taskId"] == 101 and task["status"] == "done"


def test_create_custom_snapshot_without_expiration_and_without_wait():
    api, client, deadline = make()
    task = client.create_custom_snapshot(SVC, PART, "plain", None, deadline, wait=False)
    assert sent(api) == [("POST", "customSnapshot", {"name": "plain"})]
    assert task["status"] == "todo" and task_reads(api) == []


def test_create_custom_snapshot_raises_the_error_of_a_refused_creation():
    api, client, deadline = make()
    api.script = [REFUSED]
    with pytest.raises(OvhApiError, match="Could not create custom snapshot x on partition backups"):
        client.create_custom_snapshot(SVC, PART, "x", None, deadline)


def test_create_custom_snapshot_read_back_finds_the_prefixed_name():
    api, client, deadline = make()
    api.prefix_customs = True
    api.script = [LOST_APPLIED]
    task = client.create_custom_snapshot(SVC, PART, "before", None, deadline)
    assert task == applied_task(_custom_snapshots.OPERATION_CUSTOM_CREATE, PART)
    assert list(api.partitions[PART]["customs"]) == ["snap-before"]
    assert len(api.sends()) == 1 and api.kinds()[-1] == "GET customSnapshot"


def test_create_custom_snapshot_read_back_sends_again_when_missing():
    api, client, deadline = make()
    api.script = [LOST]
    task = client.create_custom_snapshot(SVC, PART, "before", None, deadline)
    assert len(api.sends()) == 2
    assert task["taskId"] == 101
    assert list(api.partitions[PART]["customs"]) == ["before"]


def test_create_custom_snapshot_busy_is_sent_again():
    api, client, deadline = make()
    api.foreign_task(reads=2)
    api.script = [BUSY]
    task = client.create_custom_snapshot(SVC, PART, "x", None, deadline)
    assert [kind for kind in api.kinds() if not kind.startswith("task")] == ["POST customSnapshot", "POST customSnapshot"]
    assert api.kinds()[:3] == PRESCAN
    assert task["status"] == "done" and list(api.partitions[PART]["customs"]) == ["x"]


def test_delete_custom_snapshot_uses_the_listed_name():
    api, client, deadline = make(customs={"snap-before": None})
    task = client.delete_custom_snapshot(SVC, PART, "snap-before", deadline)
    assert api.kinds() == PRESCAN + ["DELETE snap-before", "task 101"]
    assert client.custom_deletion(SVC, PART, "snap-before").action == (
        "delete custom snapshot snap-before from partition backups on service zpool-1")
    assert api.partitions[PART]["customs"] == {}
    assert task["status"] == "done"


def test_delete_custom_snapshot_read_back():
    api, client, deadline = make(customs={"a": None})
    api.script = [LOST_APPLIED]
    task = client.delete_custom_snapshot(SVC, PART, "a", deadline)
    assert task["operation"] == _custom_snapshots.OPERATION_CUSTOM_DELETE and task["taskId"] is None
    assert len(api.sends()) == 1


def test_delete_custom_snapshot_read_back_sends_again_when_still_there():
    api, client, deadline = make(customs={"a": None, "snap-a": None})
    api.script = [LOST]
    client.delete_custom_snapshot(SVC, PART, "a", deadline)
    assert len(api.sends()) == 2
    assert api.partitions[PART]["customs"] == {"snap-a": None}


# ------------------------------------------------------------------ access list


def apply_access(blocks, declared, purge, task_end=None):
    api = FakeApi(partitions={PART: dict(access=dict((block, entry["type"]) for block, entry in blocks.items()))})
    api.task_end = dict(task_end or {})
    client = AccessClient(api)
    plan = access.plan_access(dict(blocks), declared, purge=purge)
    return api, client.apply_access(SVC, PART, plan, client.access_blocks(SVC, PART), api.deadline(600))


def test_purge_moving_access_adds_the_new_block_first_then_removes_the_old_one():
    api, outcome = apply_access({"192.0.2.0/24": dict(type="readwrite", description=None)},
                                [access.Declared("198.51.100.0/24", "readwrite", None)], purge=True)
    assert [(method, segment) for method, segment, dummy in sent(api)] == [("POST", "access"), ("DELETE", "192.0.2.0%2F24")]
    assert api.partitions[PART]["access"] == {"198.51.100.0/24": "readwrite"}
    assert outcome.error is None and outcome.changed


def test_purge_with_a_failed_addition_sends_no_removal():
    old = {"192.0.2.0/24": dict(type="readwrite", description=None)}
    api, outcome = apply_access(old, [access.Declared("198.51.100.0/24", "readwrite", None)], purge=True,
                                task_end={"/access": (1, "ovhError")})
    assert [method for method, dummy, dummy in sent(api)] == ["POST"]
    assert api.partitions[PART]["access"] == {"192.0.2.0/24": "readwrite"}
    assert outcome.not_attempted == [("remove access", "192.0.2.0/24")] and "ovhError" in str(outcome.error)


def test_a_replaced_entry_is_removed_then_added_before_the_purge_removals():
    api, outcome = apply_access({"192.0.2.0/24": dict(type="readwrite", description=None),
                                 "203.0.113.4/32": dict(type="readwrite", description=None)},
                                [access.Declared("192.0.2.0/24", "readonly", None)], purge=True)
    assert [(method, segment) for method, segment, dummy in sent(api)] == [
        ("DELETE", "192.0.2.0%2F24"), ("POST", "access"), ("DELETE", "203.0.113.4%2F32")]
    assert api.kinds()[:4] == ["GET access"] + PRESCAN  # the blocks read, then one pre-scan before the first write
    assert api.kinds()[4:] == ["DELETE 192.0.2.0%2F24", "task 101", "POST access", "task 102", "DELETE 203.0.113.4%2F32",
                               "task 103"]  # three phases, each waited for
    assert api.partitions[PART]["access"] == {"192.0.2.0/24": "readonly"}
    assert outcome.error is None
