# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The write path's state machine, transition by transition, and PartitionWriter.run on scripted partitions."""
from __future__ import annotations

import threading

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _transport as transport
from ansible_collections.snapkeep.nasha.plugins.module_utils import _write_path as wp
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import OPERATION_SCHEDULE, ScheduleChange
from ansible_collections.snapkeep.nasha.tests.unit.plugins.module_utils.write_path_fake import (
    BASE,
    BUSY,
    CONFLICT,
    LOST,
    LOST_APPLIED,
    PART,
    REFUSED,
    SVC,
    TASKS,
    TRANSIENT,
    FakeApi,
    WatchSpy,
)

# What the module's docstring promises, written out: a change to the table must be a change to this test.
PROMISED = {
    ("start", "overlap"): "send",
    ("start", "serial"): "wait turn",
    ("start", "halt"): "stopped",
    ("wait turn", "idle"): "send",
    ("wait turn", "own task failed"): "stopped",
    ("wait turn", "timed out"): "failed",
    ("wait turn", "halt"): "stopped",
    ("send", "accepted"): "sent",
    ("send", "transient"): "pause",
    ("send", "lost"): "read back lost",
    ("send", "busy"): "wait busy",
    ("send", "conflict"): "read back conflict",
    ("send", "refused"): "failed",
    ("pause", "again"): "send",
    ("pause", "exhausted"): "failed",
    ("pause", "halt"): "stopped",
    ("wait busy", "idle"): "send",
    ("wait busy", "own task failed"): "stopped",
    ("wait busy", "timed out"): "failed",
    ("wait busy", "halt"): "stopped",
    ("read back lost", "found"): "applied",
    ("read back lost", "absent"): "pause",
    ("read back lost", "unreadable"): "failed",
    ("read back conflict", "found"): "applied",
    ("read back conflict", "absent"): "failed",
    ("read back conflict", "unreadable"): "failed",
}

# The events each state's handler can return (drive() itself decides the first one, from START).
EVENTS = {
    wp.START: (wp.OVERLAP, wp.SERIAL, wp.HALT),
    wp.WAIT_TURN: (wp.IDLE, wp.OWN_FAILED, wp.TIMED_OUT, wp.HALT),
    wp.SEND: transport.SEND_OUTCOMES,
    wp.PAUSE: (wp.AGAIN, wp.EXHAUSTED, wp.HALT),
    wp.WAIT_BUSY: (wp.IDLE, wp.OWN_FAILED, wp.TIMED_OUT, wp.HALT),
    wp.READ_BACK_LOST: (wp.FOUND, wp.ABSENT, wp.UNREADABLE),
    wp.READ_BACK_CONFLICT: (wp.FOUND, wp.ABSENT, wp.UNREADABLE),
}


def test_the_table_is_the_documented_one():
    assert wp.TRANSITIONS == PROMISED
    assert set(wp.ENDS) == {"sent", "applied", "failed", "stopped"}
    assert not any(state in wp.ENDS for state, dummy in wp.TRANSITIONS)  # nothing leaves an end


def test_every_state_but_the_ends_has_a_handler_and_every_event_it_returns_a_transition():
    states = set(state for state, dummy in wp.TRANSITIONS) | set(wp.TRANSITIONS.values())
    assert states - set(wp.ENDS) == set(EVENTS)
    for state in set(EVENTS) - {wp.START}:
        assert callable(getattr(wp.PartitionWriter, "_" + state.replace(" ", "_"), None)), state
    possible = set((state, event) for state, events in EVENTS.items() for event in events)
    assert possible == set(wp.TRANSITIONS)  # no KeyError possible, and no entry that cannot happen


# ------------------------------------------------------------------ one write at a time


class Recorder(dict):
    """TRANSITIONS, noting each (state, event) drive() looks up."""

    def __init__(self, table):
        super().__init__(table)
        self.taken = []

    def __getitem__(self, key):
        self.taken.append(key)
        return super().__getitem__(key)


def schedule_write(api, action, snapshot_type):
    data = api.partitions[PART]
    if action == "add":
        return wp.Write(ScheduleChange("add", snapshot_type), "add snapshot type %s" % snapshot_type, "POST",
                        BASE + "/snapshot", {"snapshotType": snapshot_type},
                        lambda: api.get(BASE + "/snapshot", "read") and snapshot_type in data["schedule"],
                        OPERATION_SCHEDULE)
    return wp.Write(ScheduleChange("remove", snapshot_type), "remove snapshot type %s" % snapshot_type, "DELETE",
                    BASE + "/snapshot/" + snapshot_type, None,
                    lambda: snapshot_type not in api.get(BASE + "/snapshot", "read"), OPERATION_SCHEDULE)


def writer(api, timeout=600, stop=None):
    watch = WatchSpy(api)
    return wp.PartitionWriter(api, watch, SVC, PART, api.deadline(timeout), stop=stop), watch


def own_task(api, writer_, reads, status):
    """A task of this writer's, pending on the partition, ending `status` after `reads` reads."""
    task_id = api.foreign_task(reads=reads, status=status, operation=OPERATION_SCHEDULE)
    writer_.own[task_id] = dict(api.tasks[task_id])
    return task_id


def scenario_overlap_accepted(api):
    w, watch = writer(api)
    assert w.drive(schedule_write(api, "add", "day-1"))[:2] == ("sent", dict(api.tasks[101]))
    assert api.kinds() == ["POST snapshot"] and watch.asked == []
    assert w.own == {101: api.tasks[101]}


def scenario_serial_waits_its_turn(api):
    w, watch = writer(api)
    w.serial = True
    task_id = own_task(api, w, reads=2, status="done")
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "sent"
    assert watch.asked == [("wait", [task_id])]
    assert api.kinds() == ["task 101", "task 101", "POST snapshot"]  # its own task only, then the write


def scenario_serial_idle_at_once(api):
    w, watch = writer(api)
    w.serial = True
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "sent"
    assert watch.asked == [] and api.kinds() == ["POST snapshot"]


def scenario_halt(api):
    stop = threading.Event()
    stop.set()
    w, watch = writer(api, stop=stop)
    assert w.drive(schedule_write(api, "add", "day-1")) == ("stopped", None, None)
    assert api.calls == [] and watch.asked == []


def scenario_own_task_failed_while_waiting_turn(api):
    w, watch = writer(api)
    w.serial = True
    task_id = own_task(api, w, reads=1, status="ovhError")
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "stopped"
    assert api.sends() == [] and watch.asked == [("wait", [task_id])]


def scenario_turn_timed_out(api):
    w, dummy_watch = writer(api, timeout=30)
    w.serial = True
    own_task(api, w, reads=None, status="done")
    end, task, error = w.drive(schedule_write(api, "add", "day-1"))
    assert (end, task) == ("failed", None) and "timed out after 30 s" in str(error)
    assert api.sends() == [] and api.now == pytest.approx(30)


def scenario_transient_then_accepted(api):
    api.script = [TRANSIENT]
    w, watch = writer(api)
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "sent"
    assert len(api.sends()) == 2 and api.sleeps == [1] and watch.asked == []


def scenario_transient_until_exhausted(api):
    api.script = [TRANSIENT] * 4
    w, dummy_watch = writer(api)
    end, dummy_task, error = w.drive(schedule_write(api, "add", "day-1"))
    assert end == "failed" and str(error) == "gave up after 4 attempts to add snapshot type day-1: transient"
    assert len(api.sends()) == 4 and api.sleeps == [1, 2, 4]


def scenario_lost_found(api):
    api.script = [LOST_APPLIED]
    api.task_end = {"/snapshot": (2, "done")}  # still pending when listed: the read back waits for it
    w, watch = writer(api)
    end, task, error = w.drive(schedule_write(api, "add", "day-1"))
    assert (end, error) == ("applied", None)
    assert task == wp.applied_task(OPERATION_SCHEDULE, PART) and task["status"] == "done"
    # the partition is waited idle (its pending task listed and read), then the schedule is read; nothing resent
    assert watch.asked == [("wait_until_idle", PART), ("pending_on", PART), ("wait", [101])]
    assert api.kinds() == ["POST snapshot", "tasks init", "tasks todo", "tasks doing", "task 101", "task 101",
                           "GET snapshot"]


def scenario_lost_absent_sent_again(api):
    api.script = [LOST]
    w, watch = writer(api)
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "sent"
    assert api.kinds() == ["POST snapshot", "tasks init", "tasks todo", "tasks doing", "GET snapshot", "POST snapshot"]
    assert api.sleeps == [1] and watch.asked == [("wait_until_idle", PART), ("pending_on", PART)]


def scenario_lost_unreadable(api):
    api.script = [LOST]
    api.get_errors[BASE + "/snapshot"] = OvhApiError("read failed", status=500)
    w, dummy_watch = writer(api)
    end, dummy_task, error = w.drive(schedule_write(api, "add", "day-1"))
    assert end == "failed" and len(api.sends()) == 1
    assert str(error) == ("gave up after 1 attempts to add snapshot type day-1: lost; the change may or may not "
                          "have been applied, and it could not be read back")


def scenario_busy_foreign_then_sent(api):
    foreign = api.foreign_task(reads=2)
    api.script = [BUSY]
    w, watch = writer(api)
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "sent"
    assert watch.asked == [("wait_until_idle", PART), ("pending_on", PART), ("wait", [foreign])]
    assert len(api.sends()) == 2 and w.serial


def scenario_busy_own_task_failed(api):
    api.script = [BUSY]
    w, watch = writer(api)
    task_id = own_task(api, w, reads=1, status="customerError")
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "stopped"
    assert len(api.sends()) == 1 and watch.asked == [("wait", [task_id])]


def scenario_busy_past_the_deadline(api):
    api.script = [BUSY]
    w, watch = writer(api, timeout=0)
    end, dummy_task, error = w.drive(schedule_write(api, "add", "day-1"))
    assert end == "failed" and str(error) == "Could not add snapshot type day-1: busy" and error.status == 409
    assert len(api.sends()) == 1 and watch.asked == []


def scenario_conflict_found(api):
    api.partitions[PART]["schedule"].remove("hour-1")  # a DELETE refused as already done
    api.script = [CONFLICT]
    w, watch = writer(api)
    end, task, dummy_error = w.drive(schedule_write(api, "remove", "hour-1"))
    assert end == "applied" and task["taskId"] is None
    assert api.kinds()[-1] == "GET snapshot" and len(api.sends()) == 1 and watch.asked[0] == ("wait_until_idle", PART)


def scenario_conflict_absent(api):
    api.script = [CONFLICT]
    w, dummy_watch = writer(api)
    end, dummy_task, error = w.drive(schedule_write(api, "remove", "hour-1"))
    assert end == "failed" and str(error) == "Could not remove snapshot type hour-1: conflict"
    assert len(api.sends()) == 1 and api.kinds()[-1] == "GET snapshot"


def scenario_conflict_unreadable(api):
    api.script = [CONFLICT]
    api.get_errors[BASE + "/snapshot"] = OvhApiError("read failed", status=500)
    w, dummy_watch = writer(api)
    end, dummy_task, error = w.drive(schedule_write(api, "remove", "hour-1"))
    assert end == "failed" and str(error) == "Could not remove snapshot type hour-1: conflict"  # the write's error
    assert len(api.sends()) == 1


def scenario_refused(api):
    api.script = [REFUSED]
    w, watch = writer(api)
    end, dummy_task, error = w.drive(schedule_write(api, "add", "day-1"))
    assert end == "failed" and error.status == 400 and len(api.sends()) == 1 and watch.asked == []


def scenario_busy_own_task_then_sent(api):
    api.script = [BUSY]
    w, watch = writer(api)
    task_id = own_task(api, w, reads=2, status="done")
    assert w.drive(schedule_write(api, "add", "day-1"))[0] == "sent"
    assert watch.asked == [("wait", [task_id])] and "tasks todo" not in api.kinds()


def stop_when_read(api, task_id, stop):
    """Set `stop` (another partition failing, with fail_fast) while this writer reads task `task_id`."""
    original = api.get

    def get(path, action, **query):
        if path.endswith("/task/%s" % task_id):
            stop.set()
        return original(path, action, **query)

    api.get = get


def scenario_stopped_while_waiting(api, busy):
    # PartitionWriter: "sends nothing more once it is set"; apply_partitions: with fail_fast "what they have not
    # sent yet is not attempted". A write still waiting when another partition fails has not been sent yet.
    stop = threading.Event()
    w, dummy_watch = writer(api, stop=stop)
    w.serial = not busy
    api.script = [BUSY] if busy else []
    task_id = own_task(api, w, reads=1, status="done")
    stop_when_read(api, task_id, stop)
    end, dummy_task, dummy_error = w.drive(schedule_write(api, "add", "day-1"))
    assert stop.is_set()
    assert len(api.sends()) == (1 if busy else 0)  # nothing sent after the stop
    assert end == "stopped"


def scenario_stopped_while_pausing(api):
    api.script = [TRANSIENT]
    stop = threading.Event()
    w, dummy_watch = writer(api, stop=stop)
    original = api.sleep

    def sleep(seconds):
        stop.set()  # another partition fails during the pause
        original(seconds)

    api.sleep = sleep
    end, dummy_task, dummy_error = w.drive(schedule_write(api, "add", "day-1"))
    assert len(api.sends()) == 1 and end == "stopped"


# Each transition, and a scenario in which it happens (several scenarios reach more than one).
SCENARIOS = {
    (wp.START, wp.OVERLAP): scenario_overlap_accepted,
    (wp.START, wp.SERIAL): scenario_serial_idle_at_once,
    (wp.START, wp.HALT): scenario_halt,
    (wp.WAIT_TURN, wp.IDLE): scenario_serial_waits_its_turn,
    (wp.WAIT_TURN, wp.OWN_FAILED): scenario_own_task_failed_while_waiting_turn,
    (wp.WAIT_TURN, wp.TIMED_OUT): scenario_turn_timed_out,
    (wp.WAIT_TURN, wp.HALT): lambda api: scenario_stopped_while_waiting(api, busy=False),
    (wp.SEND, transport.ACCEPTED): scenario_overlap_accepted,
    (wp.SEND, transport.TRANSIENT): scenario_transient_then_accepted,
    (wp.SEND, transport.LOST): scenario_lost_found,
    (wp.SEND, transport.BUSY): scenario_busy_foreign_then_sent,
    (wp.SEND, transport.CONFLICT): scenario_conflict_found,
    (wp.SEND, transport.REFUSED): scenario_refused,
    (wp.PAUSE, wp.AGAIN): scenario_transient_then_accepted,
    (wp.PAUSE, wp.EXHAUSTED): scenario_transient_until_exhausted,
    (wp.PAUSE, wp.HALT): scenario_stopped_while_pausing,
    (wp.WAIT_BUSY, wp.IDLE): scenario_busy_own_task_then_sent,
    (wp.WAIT_BUSY, wp.OWN_FAILED): scenario_busy_own_task_failed,
    (wp.WAIT_BUSY, wp.TIMED_OUT): scenario_busy_past_the_deadline,
    (wp.WAIT_BUSY, wp.HALT): lambda api: scenario_stopped_while_waiting(api, busy=True),
    (wp.READ_BACK_LOST, wp.FOUND): scenario_lost_found,
    (wp.READ_BACK_LOST, wp.ABSENT): scenario_lost_absent_sent_again,
    (wp.READ_BACK_LOST, wp.UNREADABLE): scenario_lost_unreadable,
    (wp.READ_BACK_CONFLICT, wp.FOUND): scenario_conflict_found,
    (wp.READ_BACK_CONFLICT, wp.ABSENT): scenario_conflict_absent,
    (wp.READ_BACK_CONFLICT, wp.UNREADABLE): scenario_conflict_unreadable,
}


def test_every_transition_has_a_scenario():
    assert set(SCENARIOS) == set(wp.TRANSITIONS)


@pytest.mark.parametrize("transition", sorted(wp.TRANSITIONS), ids=lambda key: "%s-%s" % key)
def test_each_transition_happens(monkeypatch, transition):
    recorder = Recorder(wp.TRANSITIONS)
    monkeypatch.setattr(wp, "TRANSITIONS", recorder)
    SCENARIOS[transition](FakeApi())
    assert transition in recorder.taken


# ------------------------------------------------------------------ phases


# Before a partition's first write, what is pending there is listed (PartitionWriter.run's pre-scan).
PRESCAN = ["tasks init", "tasks todo", "tasks doing"]
PRESCAN_ASKED = [("wait_until_idle", PART), ("pending_on", PART)]


def adds(api, *types):
    return [schedule_write(api, "add", snapshot_type) for snapshot_type in types]


def changes(*types, action="add"):
    return [ScheduleChange(action, snapshot_type) for snapshot_type in types]


def test_a_partition_accepting_overlap_gets_its_writes_back_to_back_and_one_wait():
    api = FakeApi()
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1", "day-2", "day-3", "day-7")])
    assert api.kinds()[:7] == PRESCAN + ["POST snapshot"] * 4 and len(api.sends()) == 4
    assert watch.asked == PRESCAN_ASKED + [("wait", [101, 102, 103, 104])]
    assert outcome.applied == changes("day-1", "day-2", "day-3", "day-7") and outcome.error is None
    assert [task["status"] for task in outcome.tasks] == ["done"] * 4 and not w.serial
    assert api.partitions[PART]["schedule"] == ["hour-1", "day-1", "day-2", "day-3", "day-7"]


def test_a_busy_partition_waits_for_its_own_task_then_goes_serial():
    api = FakeApi()
    api.script = ["accept", BUSY]
    api.task_end = {"/snapshot": (2, "done")}
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1", "day-2", "day-3", "day-7")])
    assert len(api.sends()) == 5  # the refused one once more, none other
    assert [call[3] for call in api.sends()] == [{"snapshotType": value} for value in ("day-1", "day-2", "day-2", "day-3", "day-7")]
    # its own task ids: no task list read after the pre-scan
    assert api.kinds()[:3] == PRESCAN and not any(kind.startswith("tasks ") for kind in api.kinds()[3:])
    assert watch.asked[:2] == PRESCAN_ASKED and "pending_on" not in [asked[0] for asked in watch.asked[2:]]
    # the busy write waits for the first task, each next one for the one before it, then the phase's tasks
    assert watch.asked[2:] == [("wait", [101]), ("wait", [102]), ("wait", [103]), ("wait", [101, 102, 103, 104])]
    assert w.serial and outcome.applied == changes("day-1", "day-2", "day-3", "day-7")


def foreign_task_at_first_send(api, reads):
    """Another run's task starts on the partition just before this run's first write arrives (after the pre-scan)."""
    original = api.send
    started = []

    def send(method, path, action, body=None):
        if not started:
            started.append(api.foreign_task(reads=reads))
        return original(method, path, action, body=body)

    api.send = send
    return started


def test_busy_with_a_foreign_task_waits_for_the_partition_then_sends_again():
    api = FakeApi()
    started = foreign_task_at_first_send(api, reads=3)
    api.script = [BUSY]
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    foreign = started[0]
    assert watch.asked[:2] == PRESCAN_ASKED  # nothing pending at the pre-scan
    assert watch.asked[2:5] == [("wait_until_idle", PART), ("pending_on", PART), ("wait", [foreign])]
    assert len(api.sends()) == 2 and api.tasks[foreign]["status"] == "done"
    assert outcome.applied == changes("day-1") and outcome.error is None


def test_busy_with_nothing_listed_pauses_growing_before_sending_again():
    api = FakeApi()
    api.script = [BUSY, BUSY, BUSY]
    w, dummy_watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    assert len(api.sends()) == 4 and outcome.applied == changes("day-1")
    assert api.sleeps[:3] == list(wp.BUSY_PAUSES[:3])


def test_a_lost_answer_found_applied_is_not_sent_again():
    api = FakeApi()
    api.script = [LOST_APPLIED]
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    assert len(api.sends()) == 1 and outcome.applied == changes("day-1")
    assert outcome.tasks == [wp.applied_task(OPERATION_SCHEDULE, PART)]
    assert ("wait_until_idle", PART) in watch.asked
    assert api.partitions[PART]["schedule"] == ["hour-1", "day-1"]


def test_a_lost_answer_not_applied_is_sent_again_after_a_pause():
    api = FakeApi()
    api.script = [LOST]
    w, dummy_watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    assert len(api.sends()) == 2 and api.sleeps[0] == 1
    first = api.kinds().index("POST snapshot")
    assert first < api.kinds().index("GET snapshot") < api.kinds().index("POST snapshot", first + 1)  # read back, resend
    assert outcome.applied == changes("day-1") and api.partitions[PART]["schedule"] == ["hour-1", "day-1"]


def test_a_conflict_is_read_back():
    api = FakeApi(partitions={PART: dict(schedule=["hour-1", "day-1"])})
    api.script = [CONFLICT]
    w, dummy_watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    assert outcome.applied == changes("day-1") and outcome.error is None and len(api.sends()) == 1
    assert "GET snapshot" in api.kinds()


def test_a_refused_write_fails_and_the_rest_is_not_attempted():
    api = FakeApi()
    api.script = ["accept", REFUSED]
    stop = threading.Event()
    w, dummy_watch = writer(api, stop=stop)
    outcome = w.run([adds(api, "day-1", "day-2", "day-3"), [schedule_write(api, "remove", "hour-1")]])
    assert len(api.sends()) == 2
    assert outcome.applied == changes("day-1")  # sent before the refusal: still waited for and reported
    assert [change for change, dummy in outcome.failed] == changes("day-2")
    assert outcome.not_attempted == changes("day-3") + changes("hour-1", action="remove")
    assert outcome.error.status == 400 and stop.is_set()


def test_a_failed_own_task_while_waiting_its_turn_stops_the_rest():
    api = FakeApi()
    api.script = ["accept", BUSY]
    w, watch = writer(api)
    writes = adds(api, "day-1", "day-2", "day-3", "day-7")
    api.task_end = {"/snapshot": (1, "done")}
    original = api.send

    def send(method, path, action, body=None):
        # the write of day-2, once accepted, starts a task that fails
        api.task_end = {"/snapshot": (1, "ovhError")} if body == {"snapshotType": "day-2"} else {"/snapshot": (1, "done")}
        return original(method, path, action, body=body)

    api.send = send
    outcome = w.run([writes])
    assert [call[3]["snapshotType"] for call in api.sends()] == ["day-1", "day-2", "day-2"]
    assert ("wait", [102]) in watch.asked  # day-3 waited its turn: the task of day-2
    assert outcome.applied == changes("day-1")
    assert [change for change, dummy in outcome.failed] == changes("day-2") and "ovhError" in outcome.failed[0][1]
    assert outcome.not_attempted == changes("day-3", "day-7")
    assert api.partitions[PART]["schedule"] == ["hour-1", "day-1"]


def test_the_second_phase_of_a_pure_replacement_is_not_sent_when_the_first_failed():
    api = FakeApi()
    api.task_end = {"/snapshot": (1, "ovhError")}
    w, dummy_watch = writer(api)
    outcome = w.run([adds(api, "day-1"), [schedule_write(api, "remove", "hour-1")]])
    assert api.kinds() == PRESCAN + ["POST snapshot", "task 101"]
    assert outcome.not_attempted == changes("hour-1", action="remove")
    assert "ovhError" in str(outcome.error) and not outcome.changed
    assert api.partitions[PART]["schedule"] == ["hour-1"]


def test_phases_go_one_after_the_other():
    api = FakeApi()
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1"), [schedule_write(api, "remove", "hour-1")]])
    assert api.kinds() == PRESCAN + ["POST snapshot", "task 101", "DELETE hour-1", "task 102"]  # one pre-scan only
    assert watch.asked == PRESCAN_ASKED + [("wait", [101]), ("wait", [102])]
    assert outcome.applied == changes("day-1") + changes("hour-1", action="remove")
    assert api.partitions[PART]["schedule"] == ["day-1"]


def test_without_wait_the_last_phase_is_left_pending():
    api = FakeApi()
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1"), [schedule_write(api, "remove", "hour-1")]], wait=False)
    assert api.kinds() == PRESCAN + ["POST snapshot", "task 101", "DELETE hour-1"]
    assert watch.asked == PRESCAN_ASKED + [("wait", [101])]
    assert outcome.applied == changes("day-1") and outcome.pending == changes("hour-1", action="remove")
    assert outcome.changed and outcome.error is None and outcome.tasks[1]["status"] == "todo"


def test_at_the_deadline_the_task_stays_pending_and_the_error_says_so():
    api = FakeApi()
    api.task_end = {"/snapshot": (None, "done")}
    w, dummy_watch = writer(api, timeout=30)
    outcome = w.run([adds(api, "day-1"), [schedule_write(api, "remove", "hour-1")]])
    assert outcome.pending == changes("day-1") and outcome.applied == []
    assert outcome.not_attempted == changes("hour-1", action="remove")  # a later phase waits for the first
    assert "timed out after 30 s" in str(outcome.error) and api.now == pytest.approx(30)
    assert sum(api.sleeps) == pytest.approx(30)


def test_a_failure_on_one_partition_halts_the_writer_of_another():
    api = FakeApi(partitions={PART: dict(schedule=["hour-1"]), "media": dict(schedule=["hour-1"])})
    api.refuse = {BASE + "/snapshot"}
    stop = threading.Event()
    first, dummy_watch = writer(api, stop=stop)
    failed = first.run([adds(api, "day-1")])
    assert failed.error is not None and stop.is_set()
    other = wp.PartitionWriter(api, WatchSpy(api), SVC, "media", api.deadline(600), stop=stop)
    media_add = wp.Write(ScheduleChange("add", "day-1"), "add", "POST", BASE.replace(PART, "media") + "/snapshot",
                         {"snapshotType": "day-1"}, lambda: False, OPERATION_SCHEDULE)
    outcome = other.run([[media_add]])
    assert outcome.not_attempted == changes("day-1") and outcome.failed == [] and outcome.error is None
    assert len(api.sends()) == 1  # only the refused one


def test_busy_while_several_own_tasks_run_waits_for_the_oldest_only():
    api = FakeApi()
    api.script = ["accept", "accept", "accept", BUSY]
    api.task_end = {"/snapshot": (2, "done")}
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1", "day-2", "day-3", "day-7")])
    assert watch.asked[2] == ("wait", [101])  # the oldest of its three pending tasks, then the write goes again
    assert api.kinds()[:10] == PRESCAN + ["POST snapshot"] * 4 + ["task 101", "task 101", "POST snapshot"]
    assert len(api.sends()) == 5 and outcome.applied == changes("day-1", "day-2", "day-3", "day-7")


@pytest.mark.parametrize("busy", [False, True], ids=["waiting its turn", "waiting for a busy partition"])
def test_a_write_waiting_for_the_partition_is_not_sent_once_the_run_stops(busy):
    scenario_stopped_while_waiting(FakeApi(), busy)


def test_a_write_pausing_before_it_is_sent_again_is_not_sent_once_the_run_stops():
    scenario_stopped_while_pausing(FakeApi())


# ------------------------------------------------------------------ the pre-scan before a partition's first write

EXPANDED = pytest.mark.parametrize("expanded", [True, False], ids=["tasks listed expanded", "task ids listed"])


def statuses_at_sends(api, task_id):
    """(status of task `task_id` as OVHcloud holds it, the fake clock) when each write is sent."""
    seen = []
    original = api.send

    def send(method, path, action, body=None):
        seen.append((api.tasks[task_id]["status"], api.now))
        return original(method, path, action, body=body)

    api.send = send
    return seen


@EXPANDED
def test_a_task_of_another_run_pending_on_the_partition_is_waited_for_before_the_first_write(expanded):
    api = FakeApi()
    api.expanded_lists = expanded
    foreign = api.foreign_task(reads=3)
    seen = statuses_at_sends(api, foreign)
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1", "day-2"), [schedule_write(api, "remove", "hour-1")]])
    assert [status for status, dummy in seen] == ["done"] * 3  # not one write sent while it was pending
    assert watch.asked[:3] == PRESCAN_ASKED + [("wait", [foreign])]
    kinds = api.kinds()
    assert kinds[:3] == PRESCAN and kinds[3:kinds.index("POST snapshot")] == ["task %s" % foreign] * 3
    assert api.listed == [True] * 3  # asked expanded, whatever the answer
    assert outcome.applied == changes("day-1", "day-2") + changes("hour-1", action="remove") and outcome.error is None
    assert not w.serial  # waiting for another run's task is no reason to stop overlapping this run's writes


@EXPANDED
def test_a_task_pending_on_another_partition_is_not_waited_for(expanded):
    api = FakeApi()
    api.expanded_lists = expanded
    other = api.foreign_task(partition="media", reads=None)  # never ends
    seen = statuses_at_sends(api, other)
    w, watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    # with task ids, each is read once to learn its partition; with expanded lists, none is read on its own
    read_to_learn = [] if expanded else ["task %s" % other]
    assert api.kinds() == PRESCAN + read_to_learn + ["POST snapshot", "task %s" % (other + 1)]
    assert watch.asked == PRESCAN_ASKED + [("wait", [other + 1])]
    assert seen == [("todo", 0)]  # sent at once, the other partition's task still pending
    assert outcome.applied == changes("day-1") and outcome.error is None


def test_with_expanded_lists_no_pending_task_is_read_on_its_own_before_the_write():
    api = FakeApi()
    mine = api.foreign_task(reads=1)
    others = [api.foreign_task(partition="media", reads=None) for dummy in range(3)]
    api.tasks[others[0]]["status"] = "doing"
    api.tasks[others[1]]["status"] = "init"
    w, dummy_watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    # one read of this partition's task by the wait, none of the three on "media", none to learn a partition
    assert api.kinds() == PRESCAN + ["task %s" % mine, "POST snapshot", "task %s" % (others[-1] + 1)]
    assert outcome.applied == changes("day-1")


def test_a_pending_task_purged_between_the_list_and_its_read_is_not_waited_for():
    api = FakeApi()
    api.expanded_lists = False
    gone = api.foreign_task(reads=None)
    api.get_errors[TASKS + "/%s" % gone] = OvhApiError("not found", status=404)
    w, dummy_watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    assert api.kinds()[:5] == PRESCAN + ["task %s" % gone, "POST snapshot"]
    assert outcome.applied == changes("day-1") and outcome.error is None


def failing_prescan(api, how):
    """Make the pre-scan fail: a task list unreadable, a pending task unreadable, or one outlasting the deadline."""
    if how == "list unreadable":
        api.get_errors[TASKS] = OvhApiError("Could not list the tasks: server error", status=500)
        return "Could not list the tasks: server error"
    task_id = api.foreign_task(reads=None)
    if how == "task unreadable":
        api.expanded_lists = False
        api.get_errors[TASKS + "/%s" % task_id] = OvhApiError("Could not read the task: server error", status=500)
        return "Could not read the task: server error"
    # The task waited for is another run's: the message says nothing was sent, not that a change may be applied.
    return ("nothing was sent to partition backups on service zpool-1: it stayed busy with a change already under way "
            "there (timed out after 30 s waiting for task %s (last status todo))" % task_id)


@pytest.mark.parametrize("how", ["list unreadable", "task unreadable", "past the deadline"])
def test_a_failed_pre_scan_fails_the_first_write_sends_nothing_and_stops_the_run(how):
    api = FakeApi()
    message = failing_prescan(api, how)
    stop = threading.Event()
    w, dummy_watch = writer(api, timeout=30, stop=stop)
    outcome = w.run([adds(api, "day-1", "day-2"), [schedule_write(api, "remove", "hour-1")]])
    assert api.sends() == []
    assert outcome.failed == [(ScheduleChange("add", "day-1"), str(outcome.error))]
    assert str(outcome.error).startswith(message)
    assert outcome.not_attempted == changes("day-2") + changes("hour-1", action="remove")
    assert outcome.applied == [] and outcome.pending == [] and not outcome.changed and outcome.tasks == []
    assert stop.is_set()
    assert api.partitions[PART]["schedule"] == ["hour-1"]


def test_a_failed_pre_scan_without_a_stop_event_fails_the_same():
    api = FakeApi()
    api.get_errors[TASKS] = OvhApiError("Could not list the tasks: server error", status=500)
    w, dummy_watch = writer(api)
    outcome = w.run([adds(api, "day-1")])
    assert api.sends() == [] and outcome.failed == [(ScheduleChange("add", "day-1"), "Could not list the tasks: server error")]
    assert outcome.not_attempted == [] and outcome.error.status == 500


@pytest.mark.parametrize("phases", [[], [[]], [[], []]], ids=["no phase", "an empty phase", "two empty phases"])
def test_no_pre_scan_without_a_write(phases):
    api = FakeApi()
    api.foreign_task(reads=None)
    w, watch = writer(api)
    outcome = w.run(phases)
    assert api.calls == [] and watch.asked == []
    assert not outcome.changed and outcome.error is None and outcome.not_attempted == []


@pytest.mark.parametrize("how", ["list unreadable", "task unreadable", "past the deadline"])
def test_a_writer_starting_once_the_run_has_stopped_reports_its_writes_not_attempted(how):
    # apply_partitions: with fail_fast, "what they have not sent yet is not attempted". A partition's writer may start
    # after another partition failed (it waited for a free thread, MAX_WRITERS): the pre-scan it runs then must not
    # turn a write that was never going to be sent into a failed one.
    api = FakeApi()
    failing_prescan(api, how)
    stop = threading.Event()
    stop.set()
    w, dummy_watch = writer(api, timeout=30, stop=stop)
    outcome = w.run([adds(api, "day-1", "day-2"), [schedule_write(api, "remove", "hour-1")]])
    assert api.sends() == []
    assert outcome.failed == [] and outcome.error is None
    assert outcome.not_attempted == changes("day-1", "day-2") + changes("hour-1", action="remove")
