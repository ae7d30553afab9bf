# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVHcloud tasks that fail, never finish, or are already pending on the partition when a module starts."""
from __future__ import annotations

import time

import pytest

from harness import TASK_DURATION, assert_no_change_twice, custom_snapshot, play, schedule

FAILURE_FAULTS = [
    {"match": {"method": "POST", "path": "/zpool-100001/partition/backups/snapshot$"}, "count": 1,
     "task": {"final_status": "ovhError", "details": "disk failure"}},
    {"match": {"method": "POST", "path": "/zpool-100001/partition/projects/customSnapshot$"}, "count": 1,
     "task": {"final_status": "customerError", "details": "quota exceeded"}},
    {"match": {"method": "DELETE", "path": "/zpool-100002/partition/media/snapshot/"}, "count": 1,
     "task": {"final_status": "cancelled"}},
    {"match": {"method": "POST", "path": "/zpool-100002/partition/db/customSnapshot$"}, "count": 1,
     "task": {"never_finish": True}},
]
FAILURE_TASKS = [
    schedule(["hour-1", "day-2"], task_name="ovhError"),
    custom_snapshot("nightly", partition_name="projects", task_name="customerError"),
    schedule(["day-1"], service_name="zpool-100002", partition_name="media", task_name="cancelled"),
    custom_snapshot("stuck", service_name="zpool-100002", partition_name="db", task_name="never finishes", wait_timeout=2),
    # The same declaration again: the next run converges once OVHcloud's task succeeds.
    schedule(["hour-1", "day-2"], task_name="ovhError, run again"),
]
EXPECTED_FAILURES = {
    "ovhError": ("(operation clusterLeclercSnapshotUpdate) on service zpool-100001 partition backups ended with status "
                 "ovhError: disk failure"),
    "customerError": ("(operation clusterLeclercCustomSnapCreate) on service zpool-100001 partition projects ended with "
                      "status customerError: quota exceeded"),
    "cancelled": "(operation clusterLeclercSnapshotUpdate) on service zpool-100002 partition media ended with status cancelled",
    "never finishes": "timed out after 2 s waiting for task",
}


@pytest.fixture(scope="module")
def failed_tasks(sim, module_playbooks):
    sim.reset()
    sim.add_faults(*FAILURE_FAULTS)
    run = module_playbooks.run(play(FAILURE_TASKS))
    return run, sim.state()


@pytest.mark.parametrize("case", sorted(EXPECTED_FAILURES))
def test_a_failed_or_endless_task_fails_the_module_with_its_status(failed_tasks, case):
    run, dummy = failed_tasks
    assert run.failed(case), run.describe()
    message = run.msg(case)
    assert EXPECTED_FAILURES[case] in message, message


def test_a_failed_task_applies_nothing_and_the_next_run_converges(failed_tasks):
    run, state = failed_tasks
    services = state["services"]
    assert [snapshot["name"] for snapshot in services["zpool-100001"]["partitions"]["projects"]["custom_snapshots"]] == [
        "release-2026.10"]
    # media: day-1 was added, the cancelled removal of day-7 left it scheduled.
    assert sorted(services["zpool-100002"]["partitions"]["media"]["snapshot_types"]) == ["day-1", "day-7"]
    rerun = run.result("ovhError, run again")
    assert rerun["status"] == "ok" and rerun["result"]["changed"] is True, run.describe()
    assert sorted(services["zpool-100001"]["partitions"]["backups"]["snapshot_types"]) == ["day-2", "hour-1"]


def test_an_endless_task_is_reported_still_pending(failed_tasks):
    run, state = failed_tasks
    message = run.msg("never finishes")
    assert "(last status doing)" in message and "the change may still be applied" in message, message
    stuck = [task for task in state["tasks"] if task["never_finish"]]
    assert [task["change"]["snapshot"]["name"] for task in stuck] == ["stuck"]


def _pending_write(sim, duration, never_finish=False):
    """A schedule change on zpool-100001/backups still running when the playbook starts; returns its task."""
    if never_finish:
        sim.add_faults({"match": {"method": "POST", "path": "/partition/backups/snapshot$"}, "count": 1,
                        "task": {"never_finish": True}})
    sim.configure(task_duration=duration)
    task = sim.client().post("/dedicated/nasha/zpool-100001/partition/backups/snapshot", snapshotType="day-3")
    sim.configure(task_duration=TASK_DURATION)
    return task


def test_a_task_already_pending_is_waited_for_before_writing_when_the_api_accepts_overlaps(playbooks, sim):
    # busy=accept: OVHcloud would take the write at once, but a change already under way on the partition
    # is waited for first (within wait_timeout), so that the module never overlaps it blindly.
    _pending_write(sim, duration=2.0)
    started = time.time()
    run = playbooks.run(play([custom_snapshot("beside-pending", wait_timeout=30)]))
    assert not run.failed("custom beside-pending"), run.describe()
    posts = run.requests("POST", "/customSnapshot")
    assert [entry["status"] for entry in posts] == [200]
    assert posts[0]["time"] >= started + 1.9, posts[0]["time"] - started
    assert "day-3" in sim.snapshot_types("zpool-100001", "backups")
    assert "beside-pending" in sim.custom_names("zpool-100001", "backups")
    assert_no_change_twice(sim.tasks())


def test_a_task_already_pending_is_waited_for_when_the_partition_is_busy(playbooks, sim):
    # busy=conflict: the write is refused while the task runs; the module waits for it, then sends it again.
    sim.configure(busy="conflict")
    pending = _pending_write(sim, duration=2.0)
    started = time.time()
    run = playbooks.run(play([custom_snapshot("after-pending", wait_timeout=30)]))
    assert not run.failed("custom after-pending"), run.describe()
    posts = run.requests("POST", "/customSnapshot")
    assert [entry["status"] for entry in posts][-1] == 200 and set(entry["status"] for entry in posts[:-1]) <= {409}
    # Accepted only once the pending task had ended.
    assert posts[-1]["time"] >= started + 1.9, posts[-1]["time"] - started
    assert "day-3" in sim.snapshot_types("zpool-100001", "backups")
    assert "after-pending" in sim.custom_names("zpool-100001", "backups")
    assert pending["status"] == "todo"
    assert_no_change_twice(sim.tasks())


def test_a_pending_task_beyond_wait_timeout_fails_clearly_without_writing(playbooks, sim):
    sim.configure(busy="conflict")
    pending = _pending_write(sim, duration=TASK_DURATION, never_finish=True)
    run = playbooks.run(play([custom_snapshot("blocked", wait_timeout=2)]))
    assert run.failed("custom blocked"), run.describe()
    message = run.msg("custom blocked")
    assert "timed out after 2 s waiting for task %s (last status doing)" % pending["taskId"] in message, message
    assert [entry for entry in run.writes() if entry["status"] == 200] == []
    assert "blocked" not in sim.custom_names("zpool-100001", "backups")
    assert len(sim.tasks()) == 1
