# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role under transient faults: it converges within the retry budget, then a second run changes nothing;
beyond the budget the failed partition is named and the others still reach their declared state."""
from __future__ import annotations

from harness import assert_no_change_twice, role_play, services_inventory

SERVICE = "zpool-100001"

POLICY = dict(
    nasha_snapshot_policy_templates=dict(gold=dict(snapshot_types=["hour-1", "day-1", "day-7"],
                                                   custom_snapshots=[dict(name="monthly", expires_in="30d")])),
    nasha_snapshot_policy_partitions=[
        dict(name="projects", policy="gold"),
        dict(name="backups", snapshot_types=["day-1"], purge_custom_snapshots=True,
             custom_snapshots=[dict(name="keep-me", expiration="2099-01-01")]),
        dict(name="scratch", custom_snapshots=[dict(name="scratch-1")]),
    ],
)
ROLE_FAULTS = [
    {"match": {"method": "GET", "path": "/partition/projects/snapshot$"}, "count": 2, "status": 503},
    {"match": {"method": "POST", "path": "/partition/projects/customSnapshot$"}, "count": 1, "status": 429, "retry_after": 1},
    {"match": {"method": "DELETE", "path": "/partition/backups/customSnapshot/"}, "count": 1, "drop": "after"},
    {"match": {"method": "POST", "path": "/partition/backups/snapshot$"}, "count": 1, "delay": 1.5},
    {"match": {"method": "POST", "path": "/partition/scratch/customSnapshot$"}, "count": 1, "drop": "before"},
    {"match": {"method": "GET", "path": "/task$"}, "count": 2, "status": 502},
]


def role_under_faults(playbooks, check=False, api_retries=3):
    return playbooks.run(
        role_play(module_defaults={"group/snapkeep.nasha.ovh": dict(api_timeout=1, api_retries=api_retries)}),
        inventory=services_inventory(SERVICE, **POLICY), check=check, settle=1.5)


def test_role_converges_under_mixed_faults_then_changes_nothing(playbooks, sim):
    sim.add_faults(*ROLE_FAULTS)
    first = role_under_faults(playbooks)
    assert first.rc == 0, first.describe()
    assert len(first.faults()) >= 7
    assert sim.snapshot_types(SERVICE, "projects") == ["day-1", "day-7", "hour-1"]
    assert sim.snapshot_types(SERVICE, "backups") == ["day-1"]
    assert sim.custom_names(SERVICE, "projects") == ["monthly", "release-2026.10"]
    assert sim.custom_names(SERVICE, "backups") == ["keep-me"]
    assert sim.custom_names(SERVICE, "scratch") == ["scratch-1"]
    # Only the one undeclared snapshot of the partition that purges was deleted, once.
    deletes = [entry["path"] for entry in first.requests("DELETE", "/customSnapshot/")]
    assert deletes == ["/dedicated/nasha/%s/partition/backups/customSnapshot/before-upgrade" % SERVICE]
    assert_no_change_twice(sim.tasks())

    second = role_under_faults(playbooks)
    assert second.rc == 0, second.describe()
    assert "changed=0" in second.stdout.split("PLAY RECAP", 1)[1]
    assert second.writes() == []


def test_role_under_mixed_faults_in_check_mode_sends_no_write(playbooks, sim):
    sim.add_faults(*ROLE_FAULTS)
    run = role_under_faults(playbooks, check=True)
    assert run.rc == 0, run.describe()
    summary = run.result("Gather what changed on each partition")["result"]["ansible_facts"]["nasha_snapshot_policy_summary"]
    assert summary["check_mode"] is True
    by_partition = dict((entry["partition_name"], entry) for entry in summary["partitions"])
    assert by_partition["backups"]["deleted"] == ["before-upgrade"]
    assert by_partition["projects"]["created"] == ["monthly"]
    assert sim.tasks() == []


def test_role_beyond_the_retry_budget_fails_the_partition_and_keeps_the_others(playbooks, sim):
    sim.add_faults({"match": {"method": "POST", "path": "/partition/projects/customSnapshot$"}, "count": None, "status": 503})
    run = role_under_faults(playbooks, api_retries=1)
    assert run.rc != 0
    failure = run.msg("Fail when a partition failed", SERVICE)
    assert "partition projects" in failure and "create monthly" in failure and "gave up after 2 attempts" in failure, failure
    assert "Traceback" not in failure
    # The other partitions reached their declared state; the failed creation left nothing behind.
    assert sim.custom_names(SERVICE, "projects") == ["release-2026.10"]
    assert sim.custom_names(SERVICE, "backups") == ["keep-me"]
    assert sim.custom_names(SERVICE, "scratch") == ["scratch-1"]
    assert_no_change_twice(sim.tasks())


def test_role_variables_set_the_retry_budget_and_a_plays_module_defaults_keep_the_rest(playbooks, sim):
    # api_retries from the role's variable (1: two attempts), api_timeout from the play's module_defaults of the group.
    sim.add_faults({"match": {"method": "POST", "path": "/partition/projects/customSnapshot$"}, "count": None, "status": 503})
    run = playbooks.run(role_play(module_defaults={"group/snapkeep.nasha.ovh": dict(api_timeout=1, api_retries=4)}),
                        inventory=services_inventory(SERVICE, nasha_snapshot_policy_api_retries=1,
                                                     nasha_snapshot_policy_wait_timeout=60, **POLICY), settle=1.5)
    assert run.rc != 0
    failure = run.msg("Fail when a partition failed", SERVICE)
    assert "create monthly" in failure and "gave up after 2 attempts" in failure, failure
    assert failure.count("gave up after") == 1, failure
    plan = run.result("Apply the snapshot policy of the service")["result"]
    assert plan["invocation"]["module_args"]["api_timeout"] == 1 and plan["invocation"]["module_args"]["api_retries"] == 1
