# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Concurrency: the role on two services at once (forks > 1), and two runs of the role on one service at once."""
from __future__ import annotations

import pytest

from harness import assert_no_change_twice, role_play, services_inventory

POLICIES = {
    "zpool-100001": [
        dict(name="backups", snapshot_types=["hour-6", "day-1"], custom_snapshots=[dict(name="shared-snap", expires_in="7d")]),
        dict(name="projects", snapshot_types=["day-1"], purge_custom_snapshots=True),
    ],
    "zpool-100002": [
        dict(name="mail", snapshot_types=["hour-1"], custom_snapshots=[dict(name="mail-1"), dict(name="mail-2")]),
        dict(name="db", custom_snapshots=[dict(name="pre-migration", state="absent")]),
    ],
}


def _inventory(*service_names):
    inventory = services_inventory(*service_names)
    inventory["nasha_services"]["hosts"] = dict(
        (name, dict(nasha_snapshot_policy_partitions=POLICIES[name])) for name in service_names)
    return inventory


def _assert_declared_state(sim, service_names):
    if "zpool-100001" in service_names:
        assert sim.snapshot_types("zpool-100001", "backups") == ["day-1", "hour-6"]
        assert sim.custom_names("zpool-100001", "backups") == ["before-upgrade", "shared-snap"]
        assert sim.snapshot_types("zpool-100001", "projects") == ["day-1"]
        assert sim.custom_names("zpool-100001", "projects") == []
    if "zpool-100002" in service_names:
        assert sim.snapshot_types("zpool-100002", "mail") == ["hour-1"]
        assert sim.custom_names("zpool-100002", "mail") == ["mail-1", "mail-2"]
        assert sim.custom_names("zpool-100002", "db") == []
    assert_no_change_twice(sim.tasks())


def _span(run, service_name):
    times = [entry["time"] for entry in run.log if entry["path"].startswith("/dedicated/nasha/%s/" % service_name)]
    return min(times), max(times)


def test_the_role_on_two_services_with_two_forks(playbooks, sim):
    services = ("zpool-100001", "zpool-100002")
    run = playbooks.run(role_play(), inventory=_inventory(*services), forks=2)
    assert run.rc == 0, run.describe()
    # Both services were worked on at the same time.
    first, second = _span(run, "zpool-100001"), _span(run, "zpool-100002")
    assert first[0] < second[1] and second[0] < first[1]
    _assert_declared_state(sim, services)
    again = playbooks.run(role_play(), inventory=_inventory(*services), forks=2)
    assert again.rc == 0 and again.writes() == [], again.describe()


@pytest.mark.parametrize("busy", ["accept", "conflict"])
def test_two_overlapping_runs_on_one_service_end_in_the_declared_state(playbooks, sim, busy):
    sim.configure(busy=busy)
    spec = dict(plays=role_play(), inventory=_inventory("zpool-100001"))
    runs = playbooks.run_together(spec, spec)
    _assert_declared_state(sim, ("zpool-100001",))
    # One creation of the custom snapshot, whatever the interleaving.
    creations = [task for task in sim.tasks() if task["change"]["kind"] == "custom_create"]
    assert [task["change"]["snapshot"]["name"] for task in creations] == ["shared-snap"]
    # A run that finds its change made by the other one (409 Conflict, or 404 on a removal) succeeds too.
    for run in runs:
        assert run.rc == 0, run.describe()
    # Afterwards the policy holds: nothing left to do.
    after = playbooks.run(role_play(), inventory=_inventory("zpool-100001"))
    assert after.rc == 0 and after.writes() == [], after.describe()
