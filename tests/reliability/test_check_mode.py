# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check mode sends no write request, whatever happens; it reports what a real run would change.

Every run of the suite in check mode is also checked for writes by the harness (tests/reliability/harness.py).
"""
from __future__ import annotations

from harness import CREDENTIALS, custom_snapshot, play, role_play, schedule, services_inventory, task

READ_FAULTS = [
    {"match": {"method": "GET", "path": "/snapshot$"}, "count": 2, "status": 503},
    {"match": {"method": "GET", "path": "/customSnapshot$"}, "count": 1, "drop": "after"},
    {"match": {"method": "GET", "path": "/customSnapshot/"}, "count": 1, "status": 429, "retry_after": 1},
]


def test_every_module_in_check_mode_under_faults_reports_and_writes_nothing(playbooks, sim):
    sim.add_faults(*READ_FAULTS)
    run = playbooks.run(play([
        schedule(["day-1", "day-7"], api_timeout=1),
        custom_snapshot("would-create", api_timeout=1),
        custom_snapshot("release-2026.10", partition_name="projects", state="absent", api_timeout=1),
        task("info", "nasha_snapshot_info", service_name="zpool-100001", api_timeout=1),
        task("plan", "nasha_snapshot_plan", service_name="zpool-100001", api_timeout=1,
             partitions=[dict(name="scratch", snapshot_types=["hour-6"], custom_snapshots=[dict(name="x")])]),
    ]), check=True)
    assert run.rc == 0, run.describe()
    scheduled = run.result("schedule backups")["result"]
    assert scheduled["changed"] is True and scheduled["added"] == ["day-1", "day-7"] and scheduled["removed"] == ["hour-1"]
    assert run.result("custom would-create")["result"]["changed"] is True
    assert run.result("custom release-2026.10")["result"]["changed"] is True
    assert run.result("plan")["result"]["partitions"][0]["add"] == ["hour-6"]
    assert len(run.faults()) == 4
    assert run.writes() == [] and sim.tasks() == []


def test_the_role_in_check_mode_with_a_read_only_consumer_key(playbooks, sim):
    # A key that may only GET is enough for a check-mode run on two services at once.
    inventory = services_inventory("zpool-100001", "zpool-100002",
                                   nasha_snapshot_policy_consumer_key=CREDENTIALS.readonly_consumer_key,
                                   nasha_snapshot_policy_all_partitions=True,
                                   nasha_snapshot_policy_defaults=dict(snapshot_types=["day-1"], purge_custom_snapshots=True,
                                                                       custom_snapshots=[dict(name="weekly", expires_in="7d")]))
    run = playbooks.run(role_play(), inventory=inventory, check=True, forks=2)
    assert run.rc == 0, run.describe()
    assert "zpool-100001 backups: would add day-1; would remove hour-1; would create weekly; would delete before-upgrade" in run.stdout
    assert "zpool-100002 db: would add day-1; would remove hour-1, hour-6, day-3; would create weekly; would delete pre-migration" in run.stdout
    assert run.writes() == [] and sim.tasks() == []


def test_check_mode_does_not_wait_for_a_pending_task(playbooks, sim):
    sim.configure(busy="conflict")
    sim.add_faults({"match": {"method": "POST", "path": "/partition/backups/snapshot$"}, "count": 1, "task": {"never_finish": True}})
    sim.client().post("/dedicated/nasha/zpool-100001/partition/backups/snapshot", snapshotType="day-3")
    since = sim.log_next()
    run = playbooks.run(play([schedule(["hour-1", "day-1"], wait_timeout=2), custom_snapshot("while-busy", wait_timeout=2)]),
                        check=True)
    assert run.rc == 0, run.describe()
    assert run.result("schedule backups")["result"]["added"] == ["day-1"]
    assert run.result("custom while-busy")["result"]["changed"] is True
    assert [entry for entry in sim.log(since=since)["entries"] if entry["write"]] == []
    assert len(sim.tasks()) == 1
