# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Data safety: custom snapshots hold data, so only a declaration deletes one.

purge_custom_snapshots false never deletes; an expiration that differs from the declared one never leads to a
delete (nor a re-creation); the names the control panel prefixes with "snap-" are the declared ones, not strangers.
"""
from __future__ import annotations

from harness import custom_snapshot, play, role_play, services_inventory

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
