# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one write path: how the writes of one partition reach OVHcloud, whichever way it treats a busy partition.

A partition's writes come in phases (schedule_phases and the access plan decide them): every task of a phase is
seen done before the next phase is sent, and once a write fails nothing more is sent to the partition. Before the
first write, whatever is pending on the partition (another run's change) is waited for.

Each write is driven by the state machine below (TRANSITIONS). The transport sends it once and says what became
of it (_transport.Sent.kind); the writer then waits for the partition, reads the change back, or sends it again:

- a lost answer is never sent again blindly: the writer waits until the partition is idle and reads back;
- a busy partition is waited for: the task this run started there when it has one (its id is known), else
  whatever is pending there; from then on the partition's writes go one after another (serial), while a partition
  that accepts overlapping writes keeps getting them together;
- a write refused as made or under way already is read back, and counts as done when its change is there.
"""
from __future__ import annotations

import typing

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import TaskWaitTimeout, failure_message, is_failed, is_pending
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import (
    ACCEPTED,
    BUSY,
    CONFLICT,
    LOST,
    REFUSED,
    TRANSIENT,
)

READ_BACK_DETAILS = "found applied when read back (the answer to the write was lost or refused)"
# Busy, yet nothing pending is listed on the partition (the task ended meanwhile, or lists lag): pauses before the
# next try, growing, so that the API is not hammered.
BUSY_PAUSES = (0.2, 0.5, 1, 2, 4, 8)

# States of one write.
START = "start"
WAIT_TURN = "wait turn"            # serial partition: wait until this run's tasks there are over
SEND = "send"
PAUSE = "pause"                    # before sending again a write that was not applied
WAIT_BUSY = "wait busy"            # refused as busy: wait for the partition
READ_BACK_LOST = "read back lost"  # no usable answer: wait until idle, then read the change back
READ_BACK_CONFLICT = "read back conflict"
# Ends.
SENT = "sent"                      # accepted: its task is to be waited for
APPLIED = "applied"                # found applied when read back
FAILED = "failed"
STOPPED = "stopped"                # not sent: a task of the partition failed meanwhile, or the run stops
ENDS = (SENT, APPLIED, FAILED, STOPPED)

# Events.
OVERLAP, SERIAL, HALT = "overlap", "serial", "halt"  # halt: the run stops at its first failure (fail_fast)
IDLE, OWN_FAILED, TIMED_OUT = "idle", "own task failed", "timed out"
AGAIN, EXHAUSTED = "again", "exhausted"
FOUND, ABSENT, UNREADABLE = "found", "absent", "unreadable"

TRANSITIONS = {
    (START, OVERLAP): SEND,
    (START, SERIAL): WAIT_TURN,
    (START, HALT): STOPPED,
    (WAIT_TURN, IDLE): SEND,
    (WAIT_TURN, OWN_FAILED): STOPPED,
    (WAIT_TURN, TIMED_OUT): FAILED,
    (WAIT_TURN, HALT): STOPPED,
    (SEND, ACCEPTED): SENT,
    (SEND, TRANSIENT): PAUSE,
    (SEND, LOST): READ_BACK_LOST,
    (SEND, BUSY): WAIT_BUSY,
    (SEND, CONFLICT): READ_BACK_CONFLICT,
    (SEND, REFUSED): FAILED,
    (PAUSE, AGAIN): SEND,
    (PAUSE, EXHAUSTED): FAILED,
    (PAUSE, HALT): STOPPED,
    (WAIT_BUSY, IDLE): SEND,
    (WAIT_BUSY, OWN_FAILED): STOPPED,
    (WAIT_BUSY, TIMED_OUT): FAILED,
    (WAIT_BUSY, HALT): STOPPED,
    (READ_BACK_LOST, FOUND): APPLIED,
    (READ_BACK_LOST, ABSENT): PAUSE,
    (READ_BACK_LOST, UNREADABLE): FAILED,
    (READ_BACK_CONFLICT, FOUND): APPLIED,
    (READ_BACK_CONFLICT, ABSENT): FAILED,
    (READ_BACK_CONFLICT, UNREADABLE): FAILED,
}


class Write(typing.NamedTuple):
    """One change of a partition: its request, its read-back check and the operation of its task.

    change names it in the outcome (a ScheduleChange, or a tuple such as ("delete", name)); applied() reads the
    partition and says whether the change is there (called once the partition is idle).
    """

    change: typing.Any
    action: str
    method: str
    path: str
    body: typing.Optional[dict]
    applied: typing.Callable[[], bool]
    operation: str


class WriteOutcome:
    """What became of each write of one partition.

    applied: seen done (or found applied when read back); pending: accepted, not yet seen done (wait=false, or the
    wait failed); failed: (change, message) of a write refused or whose task failed; not_attempted: not sent
    (a write or task of the partition failed, an earlier phase is still pending, or the run stops: fail_fast).
    error: the first OvhApiError, None when nothing failed.
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


def applied_task(operation, partition_name):
    """A task-like record for a write found applied when read back."""
    return {"taskId": None, "operation": operation, "status": "done", "details": READ_BACK_DETAILS,
            "partitionName": partition_name}


class PartitionWriter:
    """Sends the writes of one partition, phase by phase, and says what became of each (a WriteOutcome).

    api: the run's OvhApi; watch: its TaskWatch (shared by the partitions of a run, so that what one learns of an
    operation's duration serves the others). One writer per partition; writers of different partitions may run
    in threads. stop: a threading.Event the writers of a run share to stop at the first failure (fail_fast): a
    writer sets it when a write of its partition fails, and sends nothing more once it is set.
    """

    def __init__(self, api, watch, service_name, partition_name, deadline, stop=None):
        self.api = api
        self.watch = watch
        self.service_name = service_name
        self.partition_name = partition_name
        self.deadline = deadline
        self.stop = stop
        self.serial = False
        self.own = {}  # task id: latest known state, of the tasks this writer started

    # -- phases

    def run(self, phases, wait=True):
        """Send the phases; with wait=false the last phase's tasks are not waited for (the others always are)."""
        outcome = WriteOutcome()
        writes = [write for phase in phases for write in phase]
        if not writes:
            return outcome
        if self._halted():
            outcome.not_attempted.extend(write.change for write in writes)
            return outcome
        error = None
        try:
            # A change already under way there (another run's) is waited for, never overlapped blindly: only this
            # partition's pending tasks, read at once where the API lists tasks expanded.
            self.watch.wait_until_idle(self.service_name, self.partition_name, self.deadline)
        except TaskWaitTimeout as exc:
            error = OvhApiError("nothing was sent to partition %s on service %s: it stayed busy with a change already "
                                "under way there (%s)" % (self.partition_name, self.service_name, exc), details=exc.details)
        except OvhApiError as exc:
            error = exc
        if error is not None:
            outcome.fail(writes[0].change, error)
            outcome.not_attempted.extend(write.change for write in writes[1:])
            self._stop_run()
            return outcome
        stopped = False
        for index, phase in enumerate(phases):
            sent = []
            for write in phase:
                if stopped:
                    outcome.not_attempted.append(write.change)
                    continue
                end, task, error = self.drive(write)
                if end == SENT:
                    sent.append((write, task))
                elif end == APPLIED:
                    outcome.tasks.append(task)
                    outcome.applied.append(write.change)
                elif end == STOPPED:
                    outcome.not_attempted.append(write.change)
                    stopped = True
                else:
                    outcome.fail(write.change, error)
                    stopped = True
                    self._stop_run()  # at once: the other writers send nothing more while this one settles
            last = index == len(phases) - 1
            self._settle(sent, wait or not last, outcome)
            if outcome.error is not None or (not last and outcome.pending):
                stopped = True
        if outcome.error is not None or outcome.failed:
            self._stop_run()
        return outcome

    def _settle(self, sent, wait, outcome):
        """Wait for the tasks of a phase (when `wait`) and file each write as applied, failed or pending."""
        tasks = [self.own.get(task.get("taskId"), task) for dummy, task in sent]
        if wait:
            try:
                tasks = self.watch.wait(self.service_name, tasks, self.deadline)
            except OvhApiError as exc:
                # A timeout or a failed read: the tasks keep their last known state.
                latest = dict((task.get("taskId"), task) for task in (exc.details or {}).get("tasks") or [])
                tasks = [latest.get(task.get("taskId"), task) for task in tasks]
                if outcome.error is None:
                    outcome.error = exc
        for (write, dummy), task in zip(sent, tasks):
            if task.get("taskId") is not None:
                self.own[task["taskId"]] = task
            outcome.tasks.append(task)
            if task.get("status") == "done":
                outcome.applied.append(write.change)
            elif is_failed(task):
                outcome.fail(write.change, OvhApiError(failure_message(self.service_name, task),
                                                       error_code=task.get("status"), details=dict(task=task)))
            else:
                outcome.pending.append(write.change)

    # -- one write

    def drive(self, write):
        """Run one write through the state machine: (end state, its task or None, the OvhApiError when it failed)."""
        if self._halted():
            event = HALT
        else:
            event = SERIAL if self.serial else OVERLAP
        state = START
        context = dict(attempts=0, delays=self.api.retry_delays(), sent=None, error=None, busy_pauses=0)
        while True:
            state = TRANSITIONS[(state, event)]
            if state in ENDS:
                return self._end(state, write, context)
            event = getattr(self, "_" + state.replace(" ", "_"))(write, context)

    def _end(self, state, write, context):
        if state == SENT:
            task = dict(context["sent"].answer or {})
            self.watch.started(task)
            if task.get("taskId") is not None:
                self.own[task["taskId"]] = task
            return state, task, None
        if state == APPLIED:
            return state, applied_task(write.operation, self.partition_name), None
        return state, None, context["error"]

    def _halted(self):
        """Whether the run stops (fail_fast): a write that waited is then not sent."""
        return self.stop is not None and self.stop.is_set()

    def _stop_run(self):
        """A write of this partition failed: with fail_fast, the run stops."""
        if self.stop is not None:
            self.stop.set()

    def _wait_turn(self, write, context):
        return self._wait_for_own(context) or (HALT if self._halted() else IDLE)

    def _send(self, write, context):
        context["attempts"] += 1
        sent = self.api.send(write.method, write.path, write.action, body=write.body)
        context["sent"] = sent
        if sent.kind == REFUSED:
            context["error"] = sent.error
        return sent.kind

    def _pause(self, write, context):
        delay = next(context["delays"], None)
        sent = context["sent"]
        if delay is None:
            # A lost answer read back as absent may still be a request on its way: say so.
            note = "; the change may or may not have been applied" if sent.kind == LOST else ""
            context["error"] = self.api.give_up(write.action, write.method, write.path, sent,
                                                attempts=context["attempts"], note=note)
            return EXHAUSTED
        self.api.sleep(self.api.retry_pause(delay, sent.retry_after))
        return HALT if self._halted() else AGAIN

    def _wait_busy(self, write, context):
        # Once busy, always serial: this run's next writes there wait for its previous task rather than be refused.
        self.serial = True
        if any(is_pending(task) for task in self.own.values()):
            # Busy with a task this run started: its id is known, so only it is read.
            return self._wait_for_own(context, oldest_only=True) or (HALT if self._halted() else IDLE)
        if self.deadline.expired():
            context["error"] = context["sent"].error
            return TIMED_OUT
        # Busy with a task of another run (or one that ended meanwhile): wait for what is pending there.
        try:
            waited = self.watch.wait_until_idle(self.service_name, self.partition_name, self.deadline)
        except OvhApiError as exc:
            context["error"] = exc
            return TIMED_OUT
        if not waited:
            pause = BUSY_PAUSES[min(context["busy_pauses"], len(BUSY_PAUSES) - 1)]
            context["busy_pauses"] += 1
            self.api.sleep(min(pause, self.deadline.remaining()))
        return self._wait_for_own(context) or (HALT if self._halted() else IDLE)

    def _wait_for_own(self, context, oldest_only=False):
        """Wait for this writer's pending tasks (the oldest only, when asked); an end event, or None once over."""
        pending = [task for task_id, task in sorted(self.own.items()) if is_pending(task)]
        if oldest_only:
            pending = pending[:1]
        if pending:
            try:
                for task in self.watch.wait(self.service_name, pending, self.deadline):
                    self.own[task["taskId"]] = task
            except OvhApiError as exc:
                context["error"] = exc
                return TIMED_OUT
        if any(is_failed(task) for task in self.own.values()):
            return OWN_FAILED
        return None

    def _read_back(self, write, context):
        """FOUND when the change is there once the partition is idle, ABSENT when not, UNREADABLE when that fails."""
        try:
            self.watch.wait_until_idle(self.service_name, self.partition_name, self.deadline)
            found = write.applied()
        except OvhApiError:
            # The write's own error says more than the read's.
            sent = context["sent"]
            context["error"] = sent.error if sent.kind != LOST else self.api.give_up(
                write.action, write.method, write.path, sent, attempts=context["attempts"],
                note="; the change may or may not have been applied, and it could not be read back")
            return UNREADABLE
        if found:
            return FOUND
        context["error"] = context["sent"].error
        return ABSENT

    _read_back_lost = _read_back
    _read_back_conflict = _read_back
