# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data safety: custom snapshots hold data, so only a declaration deletes one; a failed write never leaves a
partition without an automatic snapshot.

purge_custom_snapshots false never deletes; an expiration that differs from the declared one never leads to a
delete (nor a re-creation); the names the control panel prefixes with "snap-" are the declared ones, not strangers.
A pure replacement of the schedule adds first and removes only once the addition is done; once a write fails,
nothing more is sent to that partition.
"""
from __future__ import annotations

import datetime
import time

import pytest

from harness import TASK_DURATION, custom_snapshot, play, role_play, schedule, services_inventory

SEEDED_CUSTOM = {
    ("zpool-100001", "backups"): ["before-upgrade"],
    ("zpool-100001", "projects"): ["release-2026.10"],
    ("zpool-100002", "db"): ["pre-migration"],
}


def _deletes(run):
    return [entry["path"] for entry in run.requests("DELETE", "/customSnapshot/")]


def test_purge_custom_snapshots_false_never_deletes(playbooks, sim):
    inventory = services_inventory("zpool-100001", "zpool-100002")
    inventory["nasha_services"]["vars"].update(
        nasha_snapshot_policy_templates=dict(purging=dict(purge_custom_snapshots=True, custom_snapshots=[dict(name="t-1")])),
        nasha_snapshot_policy_defaults=dict(custom_snapshots=[dict(name="daily-extra", expires_in="1d")]),
        nasha_snapshot_policy_all_partitions=True,
    )
    inventory["nasha_services"]["hosts"] = {
        # the template purges, the partition's own key says no: the partition wins
        "zpool-100001": dict(nasha_snapshot_policy_partitions=[dict(name="backups", policy="purging", purge_custom_snapshots=False),
                                                               dict(name="projects", custom_snapshots=[dict(name="mine")])]),
        # purge_custom_snapshots left to its default (false)
        "zpool-100002": dict(nasha_snapshot_policy_partitions=[dict(name="db", custom_snapshots=[dict(name="db-1")])]),
    }
    run = playbooks.run(role_play(), inventory=inventory, forks=2)
    assert run.rc == 0, run.describe()
    assert _deletes(run) == []
    for (service_name, partition_name), names in SEEDED_CUSTOM.items():
        for name in names:
            assert name in sim.custom_names(service_name, partition_name)
    assert sim.custom_names("zpool-100001", "backups") == ["before-upgrade", "t-1"]
    assert sim.custom_names("zpool-100001", "projects") == ["mine", "release-2026.10"]
    assert sim.custom_names("zpool-100001", "scratch") == ["daily-extra"]
    assert sim.custom_names("zpool-100002", "db") == ["db-1", "pre-migration"]


def test_an_expiration_mismatch_never_deletes_nor_recreates(playbooks, sim):
    # release-2026.10 expires on 2099-12-31T00:00:00Z in the seed.
    run = playbooks.run(play([
        custom_snapshot("release-2026.10", partition_name="projects", expiration="2098-06-30", task_name="other expiration"),
        custom_snapshot("release-2026.10", partition_name="projects", expiration="2099-12-31T01:00:00+01:00",
                        task_name="same instant, other form"),
        custom_snapshot("release-2026.10", partition_name="projects", expires_in="7d", task_name="a lifetime"),
        custom_snapshot("before-upgrade", expiration="2099-01-01", task_name="no expiration there"),
    ]))
    mismatch = run.result("other expiration")
    assert mismatch["status"] == "ok" and mismatch["result"]["changed"] is False, run.describe()
    assert mismatch["result"]["expiration_mismatch"] is True
    assert any("recreating it would destroy the data" in warning for warning in mismatch["result"].get("warnings", [])), mismatch
    assert run.result("same instant, other form")["result"]["expiration_mismatch"] is False
    assert run.result("a lifetime")["result"]["changed"] is False
    assert run.result("no expiration there")["result"]["expiration_mismatch"] is True
    assert run.writes() == []
    assert sim.partition("zpool-100001", "projects")["custom_snapshots"][0]["expiration"] == "2099-12-31T00:00:00Z"


def test_the_role_with_purge_keeps_a_declared_snapshot_whose_expiration_differs(playbooks, sim):
    inventory = services_inventory("zpool-100001", nasha_snapshot_policy_partitions=[
        dict(name="projects", purge_custom_snapshots=True,
             custom_snapshots=[dict(name="release-2026.10", expiration="2098-06-30"), dict(name="new-one")]),
    ])
    run = playbooks.run(role_play(), inventory=inventory)
    assert run.rc == 0, run.describe()
    assert _deletes(run) == []
    assert sim.custom_names("zpool-100001", "projects") == ["new-one", "release-2026.10"]
    summary = run.result("Gather what changed on each partition")["result"]["ansible_facts"]["nasha_snapshot_policy_summary"]
    assert summary["partitions"][0]["expiration_mismatches"] == ["release-2026.10"]
    assert "expiration differs (left as is): release-2026.10" in run.stdout


def test_prefixed_names_are_the_declared_snapshots_and_purge_spares_them(playbooks, sim):
    # Like OVHcloud's control panel, the simulator lists a snapshot created as NAME under snap-NAME.
    sim.configure(name_prefix="snap-")
    inventory = services_inventory("zpool-100001", nasha_snapshot_policy_partitions=[
        dict(name="scratch", purge_custom_snapshots=True, custom_snapshots=[dict(name="keep-me")]),
    ])
    first = playbooks.run(role_play(), inventory=inventory)
    assert first.rc == 0, first.describe()
    assert sim.custom_names("zpool-100001", "scratch") == ["snap-keep-me"]
    second = playbooks.run(role_play(), inventory=inventory)
    assert second.rc == 0, second.describe()
    assert second.writes() == []
    assert sim.custom_names("zpool-100001", "scratch") == ["snap-keep-me"]


# ---------------------------------------------------------------- a failed write never leaves a partition unprotected

BACKUPS_SCHEDULE_POST = "/zpool-100001/partition/backups/snapshot$"


def _strict(sim, busy):
    """Tasks that start in init, and an API that would let the last type go: only the module protects the partition."""
    sim.configure(busy=busy, initial_status="init", last_schedule="allow")


def _failing_addition(sim, path=BACKUPS_SCHEDULE_POST):
    sim.add_faults({"match": {"method": "POST", "path": path}, "count": 1,
                    "task": {"final_status": "ovhError", "details": "disk failure"}})


def _finish_time(sim, kind, snapshot_type):
    """When the simulator's task of a schedule change ended (epoch seconds)."""
    tasks = [task for task in sim.tasks() if task["change"]["kind"] == kind and task["change"].get("type") == snapshot_type]
    assert len(tasks) == 1, tasks
    return tasks[0]["created"] + tasks[0]["duration"]


@pytest.mark.parametrize("busy", ["accept", "conflict"])
def test_a_pure_replacement_whose_addition_fails_removes_nothing(playbooks, sim, busy):
    _strict(sim, busy)
    _failing_addition(sim)
    run = playbooks.run(play([schedule(["day-1"], task_name="replace")]))
    assert run.failed("replace"), run.describe()
    result = run.result("replace")["result"]
    assert [(entry["method"], entry["status"]) for entry in run.writes()] == [("POST", 200)]
    assert sim.snapshot_types("zpool-100001", "backups") == ["hour-1"]
    assert result["changed"] is False
    assert (result["added"], result["removed"]) == ([], [])
    assert [(change["action"], change["snapshot_type"]) for change in result["failed_changes"]] == [("add", "day-1")]
    assert result["not_attempted"] == [{"action": "remove", "snapshot_type": "hour-1"}]
    assert "ovhError: disk failure" in result["msg"] and "not attempted: remove hour-1" in result["msg"]


@pytest.mark.parametrize("busy", ["accept", "conflict"])
def test_a_pure_replacement_removes_only_once_the_addition_is_done(playbooks, sim, busy):
    _strict(sim, busy)
    run = playbooks.run(play([schedule(["day-1", "day-2"], partition_name="backups", task_name="replace")]))
    assert not run.failed("replace"), run.describe()
    assert sim.snapshot_types("zpool-100001", "backups") == ["day-1", "day-2"]
    deletes = run.requests("DELETE", "/snapshot/")
    assert [entry["status"] for entry in deletes] == [200]
    # The simulator logs a request when it answers: the removal arrived after both additions had ended.
    assert deletes[0]["time"] >= max(_finish_time(sim, "schedule_add", "day-1"), _finish_time(sim, "schedule_add", "day-2"))


@pytest.mark.parametrize("busy", ["accept", "conflict"])
def test_the_role_replacing_a_schedule_whose_addition_fails_removes_nothing(playbooks, sim, busy):
    _strict(sim, busy)
    _failing_addition(sim)
    inventory = services_inventory("zpool-100001", nasha_snapshot_policy_partitions=[
        dict(name="backups", snapshot_types=["day-1"], purge_custom_snapshots=True, custom_snapshots=[dict(name="new-one")]),
        dict(name="scratch", snapshot_types=["hour-6"]),
    ])
    run = playbooks.run(role_play(), inventory=inventory)
    assert run.rc != 0
    assert sim.snapshot_types("zpool-100001", "backups") == ["hour-1"]
    assert [entry["method"] for entry in run.writes() if "/partition/backups/" in entry["path"]] == ["POST"]
    # nothing more on the failed partition: its custom snapshots are left as they are
    assert sim.custom_names("zpool-100001", "backups") == ["before-upgrade"]
    # the other partition still converges
    assert sim.snapshot_types("zpool-100001", "scratch") == ["hour-6"]
    assert "schedule: remove hour-1: not attempted" in run.stdout
    assert "delete before-upgrade: not attempted" in run.stdout and "create new-one: not attempted" in run.stdout


def test_keeping_a_type_on_a_busy_partition_sends_nothing_after_a_failed_addition(playbooks, sim):
    _strict(sim, "conflict")
    _failing_addition(sim, path="/zpool-100001/partition/projects/snapshot$")
    # projects: [hour-6, day-1, day-7] -> [hour-6, day-2]: hour-6 stays, so the writes may overlap
    run = playbooks.run(play([schedule(["hour-6", "day-2"], partition_name="projects", task_name="change")]))
    assert run.failed("change"), run.describe()
    assert [(entry["method"], entry["status"]) for entry in run.writes() if entry["status"] == 200] == [("POST", 200)]
    assert sim.snapshot_types("zpool-100001", "projects") == ["day-1", "day-7", "hour-6"]
    result = run.result("change")["result"]
    assert result["not_attempted"] == [{"action": "remove", "snapshot_type": "day-1"}, {"action": "remove", "snapshot_type": "day-7"}]


def test_wait_false_on_a_partition_that_refuses_overlaps_still_waits_between_writes(playbooks, sim):
    # Documented in the wait option: wait=false skips only the wait for the last write's task.
    sim.configure(busy="conflict", initial_status="init")
    run = playbooks.run(play([schedule(["hour-1", "day-1", "day-2"], purge=False, wait=False, task_name="no wait")]))
    assert not run.failed("no wait"), run.describe()
    posts = [entry for entry in run.requests("POST", "/snapshot") if entry["status"] == 200]
    assert len(posts) == 2
    assert posts[1]["time"] >= _finish_time(sim, "schedule_add", "day-1")
    tasks = run.result("no wait")["result"]["tasks"]
    assert [task["status"] for task in tasks][-1] in ("init", "todo", "doing")


def test_absent_holds_when_the_snapshot_expires_between_the_list_and_a_detail_read(playbooks, sim):
    # The list is answered late (the simulator computes it first): the snapshot has expired once it arrives.
    # Room for a slow start of ansible-playbook before the list (on a loaded machine it can take several seconds).
    expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=20)).replace(microsecond=0)
    sim.client().post("/dedicated/nasha/zpool-100001/partition/scratch/customSnapshot", name="short",
                      expiration=expiration.strftime("%Y-%m-%dT%H:%M:%SZ"))
    time.sleep(TASK_DURATION * 2)
    assert sim.custom_names("zpool-100001", "scratch") == ["short"]
    sim.add_faults({"match": {"method": "GET", "path": "/scratch/customSnapshot$"}, "count": 1, "delay": 22})
    run = playbooks.run(play([custom_snapshot("short", partition_name="scratch", state="absent", task_name="absent")]))
    result = run.result("absent")
    assert result["status"] == "ok", run.describe()
    listed = run.requests("GET", "/scratch/customSnapshot")
    # the list was made while the snapshot existed, and answered once it had expired
    assert listed[0]["time"] - listed[0]["duration_ms"] / 1000.0 < expiration.timestamp() <= listed[0]["time"]
    # no detail read; the DELETE answered 404 is read back and found applied (it is gone), like a lost answer
    assert run.requests("GET", "/customSnapshot/short") == []
    assert [entry["status"] for entry in run.writes()] == [404]
    assert sim.custom_names("zpool-100001", "scratch") == []
