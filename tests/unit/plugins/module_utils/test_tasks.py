# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and waiting for NAS-HA tasks (_tasks.TaskWatch), on a fake clock: no real time passes."""
from __future__ import annotations

import datetime

import pytest

ovh = pytest.importorskip("ovh")
from ovh import exceptions as ovh_exc  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.snapkeep.nasha.plugins.module_utils import _transport  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import (  # noqa: E402  pylint: disable=wrong-import-position
    NEAR_END_STEP,
    TASK_POLL_CAP,
    TASK_POLL_FIRST,
    TASK_POLL_GROWTH,
    TaskWaitTimeout,
    TaskWatch,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import (  # noqa: E402  pylint: disable=wrong-import-position
    EXPANDED_LIST_HEADERS,
    OvhApi,
)

SVC = "zpool-1"
PART = "backups"
TASKS = "/dedicated/nasha/zpool-1/task"
OPERATION = "clusterLeclercSnapshotUpdate"


# ------------------------------------------------------------------ fakes

class FakeResponse:
    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self._body = body
        self.headers = {"X-OVH-QUERYID": "EU.ext-1.q1"}

    def json(self):
        return self._body


def api_error(cls, status, message):
    return cls(message, response=FakeResponse(status, {"message": message, "class": "Client::Error"}))


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


class FakeClient:
    """Stands for ovh.Client. Task lists come from `lists` (one answer per list request); a task read answers the
    next of its scripted states (the last one repeated), or, for a task in `ends`, "doing" until the clock reaches
    its end and "done" from then on. Records each request with the headers it carried."""

    def __init__(self, clock, lists=(), states=None, ends=None):
        self.clock = clock
        self.lists = list(lists)
        self.states = states or {}
        self.ends = ends or {}
        self.calls = []
        self.reads = []  # (task id, clock) of each task read
        self._endpoint = "https://eu.api.ovh.com/1.0"
        self._timeout = 30
        self._application_secret = None
        self._consumer_key = None
        self._client_secret = None
        self._oauth2 = None
        self._time_delta = 0

    def get(self, path, **query):
        # The headers the transport would add to this request (see expanded_list_request).
        headers = dict(getattr(_transport._REQUEST_CONTEXT, "headers", None) or {})  # pylint: disable=protected-access
        self.calls.append((path, query or None, headers))
        if path == TASKS:
            return self.lists.pop(0)
        task_id = int(path.rsplit("/", 1)[1])
        self.reads.append((task_id, self.clock.now))
        if task_id in self.ends:
            return task(task_id, "done" if self.clock.now >= self.ends[task_id] else "doing")
        outcome = self.states[task_id].pop(0) if len(self.states[task_id]) > 1 else self.states[task_id][0]
        if isinstance(outcome, Exception):
            raise outcome
        return dict(outcome)

    def call(self, method, path, data=None, need_auth=True):
        raise AssertionError("tasks are only read")


def make_watch(**script):
    clock = FakeClock()
    client = FakeClient(clock, **script)
    api = OvhApi(client, retries=0, clock=clock, sleep=clock.sleep, jitter=lambda count: [0] * count)
    return TaskWatch(api), client, clock


def task(task_id, status, operation=OPERATION, details=None, partition=PART, **fields):
    return dict({"taskId": task_id, "operation": operation, "status": status, "details": details,
                 "partitionName": partition, "storageName": SVC}, **fields)


def start(watch, client, clock, task_id, seconds):
    """A write answered now with task `task_id`, which OVHcloud ends `seconds` later."""
    client.ends[task_id] = clock.now + seconds
    answer = task(task_id, "todo")
    watch.started(answer)
    return answer


def wait_for(watch, client, clock, task_id, seconds):
    """Start a task of `seconds` and wait for it; the times (after its write) it was read at."""
    began = clock.now
    first = len(client.reads)
    done = watch.wait(SVC, [start(watch, client, clock, task_id, seconds)], watch.api.deadline(600))
    assert [item["status"] for item in done] == ["done"]
    return [at - began for dummy, at in client.reads[first:]]


def pauses_after(reads):
    return [later - earlier for earlier, later in zip(reads, reads[1:])]


# ------------------------------------------------------------------ polling an operation not seen ending yet

def test_an_unknown_operation_is_polled_with_growing_capped_pauses():
    watch, client, clock = make_watch(states={5: [task(5, "doing")] * 14 + [task(5, "done")]})
    watch.started(task(5, "todo"))
    done = watch.wait(SVC, [task(5, "todo")], watch.api.deadline(600))
    assert done == [task(5, "done")]
    expected = [min(TASK_POLL_CAP, TASK_POLL_FIRST * TASK_POLL_GROWTH ** reads) for reads in range(15)]
    assert clock.sleeps == pytest.approx(expected)
    assert expected[:4] == pytest.approx([0.5, 0.65, 0.845, 1.0985]) and expected[-1] == TASK_POLL_CAP


def test_the_oldest_pending_task_is_polled_then_the_next_read_at_once():
    watch, client, clock = make_watch(states={
        11: [task(11, "todo"), task(11, "doing"), task(11, "done")],
        12: [task(12, "doing"), task(12, "done")],
    })
    done = watch.wait(SVC, [task(11, "todo"), task(13, "done"), task(12, "init")], watch.api.deadline(600))
    assert [(item["taskId"], item["status"]) for item in done] == [(11, "done"), (13, "done"), (12, "done")]
    # 11 until it is over, then 12 at once (still doing), then 12 after its own second pause; 13 is never read.
    assert [task_id for task_id, dummy in client.reads] == [11, 11, 11, 12, 12]
    assert clock.sleeps == pytest.approx([0.5, 0.65, 0.845, 0.65])


def test_finished_tasks_make_no_request():
    watch, client, clock = make_watch()
    assert watch.wait(SVC, [task(1, "done"), task(2, "ovhError")], watch.api.deadline(10)) == [task(1, "done"), task(2, "ovhError")]
    assert client.calls == [] and clock.sleeps == []


def test_a_todo_date_ahead_delays_the_first_read():
    ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)
    later = task(6, "todo", todoDate=ahead.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"))
    watch, client, clock = make_watch(states={6: [task(6, "done")]})
    watch.wait(SVC, [later], watch.api.deadline(600))
    assert len(client.reads) == 1
    assert clock.sleeps[0] == pytest.approx(5, abs=0.5)  # not TASK_POLL_FIRST: OVHcloud does not start it before


def test_a_todo_date_is_ignored_once_the_task_runs():
    ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)
    running = task(6, "doing", todoDate=ahead.strftime("%Y-%m-%dT%H:%M:%S+00:00"))
    watch, client, clock = make_watch(states={6: [task(6, "done")]})
    watch.wait(SVC, [running], watch.api.deadline(600))
    assert clock.sleeps == [TASK_POLL_FIRST]


# ------------------------------------------------------------------ polling an operation whose duration the run saw

def test_an_operation_seen_done_is_read_just_before_its_end_the_next_time():
    watch, client, clock = make_watch()
    first = wait_for(watch, client, clock, 1, 3.0)
    assert first == pytest.approx([0.5, 1.15, 1.995, 3.0935])  # growing pauses: seen done 3.0935 s after its write
    second = wait_for(watch, client, clock, 2, 3.0)
    assert 2.8 <= second[0] < 3.0  # just before the end learned from task 1
    assert len(second) <= 2


def test_a_short_operation_seen_done_at_its_first_read_is_read_once_the_next_time():
    watch, client, clock = make_watch()
    assert wait_for(watch, client, clock, 1, 0.3) == pytest.approx([TASK_POLL_FIRST])
    # Seen done 0.5 s after its write: the next one is read 5 % before that, and is over.
    assert wait_for(watch, client, clock, 2, 0.3) == pytest.approx([0.475])
    # The shortest time seen done is kept: 0.475 s now, so the next one is read 5 % before that.
    assert wait_for(watch, client, clock, 3, 0.45) == pytest.approx([0.475 * 0.95])


def test_a_task_lasting_longer_than_learned_is_polled_near_its_end_then_with_growing_pauses():
    watch, client, clock = make_watch()
    wait_for(watch, client, clock, 1, 0.3)  # learned: over 0.5 s after its write
    reads = wait_for(watch, client, clock, 2, 2.0)
    assert reads[0] == pytest.approx(0.475)
    # Near the learned end, reads NEAR_END_STEP (or 5 %) apart, never closer; then pauses growing with the time waited.
    assert min(pauses_after(reads)) >= NEAR_END_STEP - 1e-9
    assert len(reads) <= 10
    assert reads[-1] - 2.0 <= (TASK_POLL_GROWTH - 1) * 2.0 + 1e-9  # seen done within 30 % of its duration


def test_a_task_slightly_longer_than_the_one_learned_from_is_not_read_in_a_burst():
    watch, client, clock = make_watch()
    wait_for(watch, client, clock, 1, 3.0)
    reads = wait_for(watch, client, clock, 2, 3.2)
    assert min(pauses_after(reads)) >= NEAR_END_STEP - 1e-9
    assert len(reads) <= 6


def test_what_one_wait_learns_serves_the_other_partitions_of_the_run():
    watch, client, clock = make_watch()
    wait_for(watch, client, clock, 1, 0.3)
    other = dict(start(watch, client, clock, 2, 0.3), partitionName="media")
    watch.wait(SVC, [other], watch.api.deadline(600))
    assert clock.sleeps[-1] == pytest.approx(0.475)


def test_another_operation_is_not_timed_by_what_was_learned():
    watch, client, clock = make_watch(states={2: [task(2, "done", operation="clusterLeclercCustomSnapCreate")]})
    wait_for(watch, client, clock, 1, 0.3)
    created = task(2, "todo", operation="clusterLeclercCustomSnapCreate")
    watch.started(created)
    watch.wait(SVC, [created], watch.api.deadline(600))
    assert clock.sleeps[-1] == TASK_POLL_FIRST


# ------------------------------------------------------------------ outcomes

@pytest.mark.parametrize("status", ["cancelled", "customerError", "ovhError"])
def test_failed_tasks_are_returned_not_raised_and_the_next_is_read_at_once(status):
    failed = task(21, status, operation="clusterLeclercCustomSnapCreate", details="quota exceeded")
    watch, client, clock = make_watch(states={21: [task(21, "doing"), failed], 22: [task(22, "done")]})
    done = watch.wait(SVC, [task(21, "todo"), task(22, "todo")], watch.api.deadline(600))
    assert done == [failed, task(22, "done")]
    assert [task_id for task_id, dummy in client.reads] == [21, 21, 22]
    assert len(clock.sleeps) == 2


def test_a_wait_times_out_with_the_tasks_still_pending():
    watch, client, clock = make_watch(states={31: [task(31, "doing")], 32: [task(32, "todo")]})
    started = clock.now
    with pytest.raises(OvhApiError) as err:
        watch.wait(SVC, [task(31, "todo"), task(32, "todo")], watch.api.deadline(3))
    assert str(err.value) == "timed out after 3 s waiting for task 31 (last status doing) and task 32 (last status todo); " \
                             "the change may still be applied"
    assert err.value.details == {"tasks": [task(31, "doing"), task(32, "todo")]}
    assert clock.now - started == pytest.approx(3)
    assert {task_id for task_id, dummy in client.reads} == {31}  # 32 waits behind the oldest


def test_a_failed_read_is_raised():
    refusal = api_error(ovh_exc.Forbidden, 403, "Forbidden")
    watch, client, dummy = make_watch(states={41: [refusal]})
    with pytest.raises(OvhApiError, match="^Could not read task 41 of service zpool-1: Forbidden .HTTP 403"):
        watch.wait(SVC, [task(41, "todo")], watch.api.deadline(600))


# ------------------------------------------------------------------ what is pending on a partition

def test_pending_on_reads_each_listed_id_when_the_answer_is_plain_ids():
    watch, client, dummy = make_watch(lists=[[4], [6, 4, 7], [5]], states={
        4: [task(4, "doing")],
        5: [task(5, "todo", partition="media")],
        6: [task(6, "done")],  # over between the list and the read
        7: [api_error(ovh_exc.ResourceNotFoundError, 404, "The requested object (taskId = 7) does not exist")],  # purged
    })
    assert watch.pending_on(SVC, PART) == [task(4, "doing")]
    listed = [call for call in client.calls if call[0] == TASKS]
    assert [call[1] for call in listed] == [{"status": "init"}, {"status": "todo"}, {"status": "doing"}]
    assert all(call[2] == EXPANDED_LIST_HEADERS for call in listed)  # asked for the tasks themselves
    assert [task_id for task_id, dummy in client.reads] == [4, 5, 6, 7]  # each once, oldest first
    assert all(call[2] == {} for call in client.calls if call[0] != TASKS)  # a task read is a plain request


def test_pending_on_takes_the_tasks_of_an_expanded_list_without_reading_each():
    watch, client, dummy = make_watch(
        lists=[[task(4, "doing")], [task(9, "todo"), task(7, "todo", partition="media")], [task(3, "doing")]])
    assert watch.pending_on(SVC, PART) == [task(3, "doing"), task(4, "doing"), task(9, "todo")]
    assert [call[0] for call in client.calls] == [TASKS] * 3 and client.reads == []


def test_pending_on_reads_only_the_ids_of_a_mixed_answer():
    watch, client, dummy = make_watch(lists=[[task(4, "doing")], [8], []], states={8: [task(8, "todo")]})
    assert watch.pending_on(SVC, PART) == [task(4, "doing"), task(8, "todo")]
    assert [task_id for task_id, dummy in client.reads] == [8]


def test_a_failed_task_read_other_than_404_is_raised():
    watch, dummy, dummy = make_watch(lists=[[4], [], []], states={4: [api_error(ovh_exc.Forbidden, 403, "Forbidden")]})
    with pytest.raises(OvhApiError, match="^Could not read task 4 of service zpool-1"):
        watch.pending_on(SVC, PART)


def test_wait_until_idle():
    watch, client, clock = make_watch(lists=[[], [], []])
    assert watch.wait_until_idle(SVC, PART, watch.api.deadline(60)) == []
    assert clock.sleeps == [] and len(client.calls) == 3

    watch, client, clock = make_watch(lists=[[], [8], []], states={8: [task(8, "todo"), task(8, "todo"), task(8, "cancelled")]})
    # Another task's failure is not this caller's: it only waits for the partition to be idle.
    assert [item["status"] for item in watch.wait_until_idle(SVC, PART, watch.api.deadline(60))] == ["cancelled"]
    assert clock.sleeps == pytest.approx([0.5, 0.65])


def test_waiting_for_a_partition_that_stays_busy_times_out_without_speaking_of_a_change_of_the_caller():
    # The tasks pending there are another run's: the caller's own change was not sent.
    watch, dummy, dummy2 = make_watch(lists=[[], [8], []], states={8: [task(8, "doing")]})
    with pytest.raises(TaskWaitTimeout) as err:
        watch.wait_until_idle(SVC, PART, watch.api.deadline(3))
    assert str(err.value) == "timed out after 3 s waiting for task 8 (last status doing)"
    assert err.value.details == {"tasks": [task(8, "doing")]}


def test_pending_on_refuses_a_listed_object_without_a_task_id():
    # Dropped, it would hide a pending task, and the writer would overlap a change under way.
    watch, dummy, dummy2 = make_watch(lists=[[{"key": 4, "value": task(4, "doing")}], [], []])
    with pytest.raises(OvhApiError, match="listed a task of service zpool-1 in a form this module does not know"):
        watch.pending_on(SVC, PART)
