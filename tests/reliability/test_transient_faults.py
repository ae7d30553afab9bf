# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transient faults: 429 bursts, 5xx answers, dropped connections and slow answers.

Within the retry budget the modules converge; beyond it they fail with a message naming the
problem. Either way no change is sent twice and nothing undeclared is deleted.
"""
from __future__ import annotations

import pytest

from harness import assert_no_change_twice, custom_snapshot, play, schedule

SERVICE = "zpool-100001"
CUSTOM_LIST = "/partition/backups/customSnapshot$"
BACKUPS_SCHEDULE = "/partition/backups/snapshot$"


def _statuses(run, method, path_part):
    return [entry["status"] for entry in run.requests(method, path_part)]


def test_429_burst_without_retry_after_converges(playbooks, sim):
    # The first three GETs, /auth/time included, are refused: python-ovh's clock request is retried too.
    sim.add_faults({"match": {"method": "GET"}, "count": 3, "status": 429})
    run = playbooks.run(play([custom_snapshot("burst", api_timeout=1)]))
    assert not run.failed("custom burst"), run.describe()
    assert run.result("custom burst")["result"]["changed"] is True
    assert [entry["fault"]["status"] for entry in run.faults()] == [429, 429, 429]
    assert "burst" in sim.custom_names(SERVICE, "backups")
    assert_no_change_twice(sim.tasks())


def test_429_with_retry_after_on_a_write_waits_and_sends_once_more(playbooks, sim):
    sim.add_faults({"match": {"method": "POST", "path": CUSTOM_LIST}, "count": 2, "status": 429, "retry_after": 1})
    run = playbooks.run(play([custom_snapshot("throttled", api_timeout=1)]))
    assert not run.failed("custom throttled"), run.describe()
    posts = run.requests("POST", "/customSnapshot")
    assert [entry["status"] for entry in posts] == [429, 429, 200]
    # Retry-After: 1 is honoured between the attempts.
    assert all(later["time"] - earlier["time"] >= 0.95 for earlier, later in zip(posts, posts[1:]))
    assert sim.custom_names(SERVICE, "backups") == ["before-upgrade", "throttled"]
    assert_no_change_twice(sim.tasks())


def test_500_502_503_504_on_reads_converge(playbooks, sim):
    sim.add_faults(*[{"match": {"method": "GET", "path": BACKUPS_SCHEDULE}, "count": 1, "status": status}
                     for status in (500, 502, 503, 504)])
    run = playbooks.run(play([schedule(["hour-1", "day-1"], api_timeout=1, api_retries=4)]))
    assert not run.failed("schedule backups"), run.describe()
    assert [entry["fault"]["status"] for entry in run.faults()] == [500, 502, 503, 504]
    assert sim.snapshot_types(SERVICE, "backups") == ["day-1", "hour-1"]


def test_5xx_on_writes_are_checked_then_sent_again_once(playbooks, sim):
    # A 5xx leaves a write's fate unknown: the module reads the schedule back before sending it again.
    sim.add_faults({"match": {"method": "POST", "path": BACKUPS_SCHEDULE}, "count": 1, "status": 500},
                   {"match": {"method": "DELETE", "path": "/partition/backups/snapshot/"}, "count": 1, "status": 504})
    run = playbooks.run(play([schedule(["day-1"], api_timeout=1)]))
    assert not run.failed("schedule backups"), run.describe()
    assert _statuses(run, "POST", "/backups/snapshot") == [500, 200]
    assert _statuses(run, "DELETE", "/backups/snapshot/hour-1") == [504, 200]
    assert sim.snapshot_types(SERVICE, "backups") == ["day-1"]
    assert_no_change_twice(sim.tasks())


def test_connection_dropped_before_a_write_is_checked_then_sent_again(playbooks, sim):
    sim.add_faults({"match": {"method": "POST", "path": CUSTOM_LIST}, "count": 1, "drop": "before"})
    run = playbooks.run(play([custom_snapshot("dropped-before", api_timeout=1)]))
    assert not run.failed("custom dropped-before"), run.describe()
    assert _statuses(run, "POST", "/customSnapshot") == [None, 200]
    assert "dropped-before" in sim.custom_names(SERVICE, "backups")
    assert_no_change_twice(sim.tasks())


def test_connection_dropped_after_a_write_is_applied_is_not_sent_again(playbooks, sim):
    sim.add_faults({"match": {"method": "POST", "path": CUSTOM_LIST}, "count": 1, "drop": "after"},
                   {"match": {"method": "DELETE", "path": "/customSnapshot/before-upgrade$"}, "count": 1, "drop": "after"})
    run = playbooks.run(play([
        custom_snapshot("dropped-after", api_timeout=1),
        custom_snapshot("before-upgrade", api_timeout=1, state="absent"),
    ]))
    created = run.result("custom dropped-after")
    deleted = run.result("custom before-upgrade")
    assert created["status"] == "ok" and created["result"]["changed"] is True, run.describe()
    assert deleted["status"] == "ok" and deleted["result"]["changed"] is True, run.describe()
    assert created["result"]["task"]["details"] == "found applied when read back (the answer to the write was lost or refused)"
    assert len(run.requests("POST", "/customSnapshot")) == 1
    assert len(run.requests("DELETE", "/customSnapshot/")) == 1
    assert sim.custom_names(SERVICE, "backups") == ["dropped-after"]
    assert_no_change_twice(sim.tasks())


def test_reads_slower_than_api_timeout_are_retried(playbooks, sim):
    # The list before the creation, and the first read of its task, come back after the 1 s timeout.
    sim.add_faults({"match": {"method": "GET", "path": CUSTOM_LIST}, "count": 1, "delay": 2.5},
                   {"match": {"method": "GET", "path": "/task/"}, "count": 1, "delay": 2.5})
    run = playbooks.run(play([custom_snapshot("slow-read", api_timeout=1)]), settle=2.5)
    assert not run.failed("custom slow-read"), run.describe()
    assert [entry["fault"] for entry in run.faults()] == [{"delay": 2.5}, {"delay": 2.5}]
    assert "slow-read" in sim.custom_names(SERVICE, "backups")


def test_write_slower_than_api_timeout_is_found_applied_not_sent_again(playbooks, sim):
    # The simulator applies the write and answers after 2.5 s, when the module has stopped listening.
    sim.add_faults({"match": {"method": "POST", "path": CUSTOM_LIST}, "count": 1, "delay": 2.5})
    run = playbooks.run(play([custom_snapshot("slow-write", api_timeout=1)]), settle=2.5)
    result = run.result("custom slow-write")
    assert result["status"] == "ok" and result["result"]["changed"] is True, run.describe()
    assert len(run.requests("POST", "/customSnapshot")) == 1
    assert sim.custom_names(SERVICE, "backups") == ["before-upgrade", "slow-write"]
    assert_no_change_twice(sim.tasks())


# ------------------------------------------------------------------ beyond the retry budget
# One playbook: each task meets faults that never end, on a partition of its own (api_retries=1: two attempts).

BEYOND_BUDGET_FAULTS = [
    {"match": {"method": "GET", "path": "/partition/scratch/snapshot$"}, "count": None, "status": 503},
    {"match": {"method": "POST", "path": "/partition/projects/customSnapshot$"}, "count": None, "status": 429, "retry_after": 1},
    {"match": {"method": "POST", "path": "/zpool-100002/partition/media/snapshot$"}, "count": None, "status": 502},
    {"match": {"method": "*", "path": "/zpool-100002/partition/mail/"}, "count": None, "drop": "before"},
    {"match": {"method": "GET", "path": "/zpool-100002/partition/db/customSnapshot$"}, "count": None, "delay": 1.5},
]
BEYOND_BUDGET_TASKS = {
    "503 for ever on a read": schedule(["day-1"], partition_name="scratch", task_name="503 for ever on a read",
                                       api_timeout=1, api_retries=1),
    "429 for ever on a write": custom_snapshot("never-created", partition_name="projects", task_name="429 for ever on a write",
                                               api_timeout=1, api_retries=1),
    "502 for ever on a write": schedule(["day-7", "day-1"], service_name="zpool-100002", partition_name="media",
                                        task_name="502 for ever on a write", api_timeout=1, api_retries=1),
    "connection dropped for ever": schedule(["hour-1"], service_name="zpool-100002", partition_name="mail",
                                            task_name="connection dropped for ever", api_timeout=1, api_retries=1),
    "every answer slower than api_timeout": custom_snapshot("never-read", service_name="zpool-100002", partition_name="db",
                                                            task_name="every answer slower than api_timeout",
                                                            api_timeout=1, api_retries=1),
}
BEYOND_BUDGET_MESSAGES = {
    "503 for ever on a read": ("gave up after 2 attempts to read the snapshot schedule of partition scratch", "HTTP 503"),
    "429 for ever on a write": ("gave up after 2 attempts to create custom snapshot never-created", "HTTP 429"),
    "502 for ever on a write": ("gave up after 2 attempts to add snapshot type day-1 to partition media", "HTTP 502",
                                "may or may not have been applied"),
    "connection dropped for ever": ("gave up after 2 attempts", "could not be reached"),
    "every answer slower than api_timeout": ("gave up after 2 attempts to list the custom snapshots of partition db",
                                             "could not be reached"),
}


@pytest.fixture(scope="module")
def beyond_budget(sim, module_playbooks):
    sim.reset()
    sim.add_faults(*BEYOND_BUDGET_FAULTS)
    before = sim.state()
    run = module_playbooks.run(play(list(BEYOND_BUDGET_TASKS.values())))
    return run, before, sim.state()


@pytest.mark.parametrize("case", sorted(BEYOND_BUDGET_TASKS))
def test_faults_beyond_the_retry_budget_fail_clearly(beyond_budget, case):
    run, dummy, dummy = beyond_budget
    assert run.failed(case), run.describe()
    message = run.msg(case)
    for expected in BEYOND_BUDGET_MESSAGES[case]:
        assert expected in message, message


def test_faults_beyond_the_retry_budget_apply_no_write(beyond_budget):
    run, before, after = beyond_budget
    # Every write was refused or never reached the simulator: no task, the services as they were.
    assert after["tasks"] == []
    assert after["services"] == before["services"]
    assert run.faults()
