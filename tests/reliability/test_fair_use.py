# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fair use: the role converging under the simulator's rate limit (429 with Retry-After beyond N requests a second).

With max_requests_per_second set to the limit, no request is refused; without it, requests are refused and the
run still converges, each refused request sent again after the Retry-After pause.
"""
from __future__ import annotations

import pytest

from harness import assert_no_change_twice, role_play, services_inventory

SERVICE = "zpool-100001"
LIMIT = 4  # requests a second per consumer key

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


def converge(playbooks, sim, busy, **variables):
    sim.reset(rate_limit=LIMIT, busy=busy)
    run = playbooks.run(role_play(), inventory=services_inventory(SERVICE, **dict(POLICY, **variables)), settle=0.5)
    assert run.rc == 0, run.describe()
    assert sim.snapshot_types(SERVICE, "projects") == ["day-1", "day-7", "hour-1"]
    assert sim.snapshot_types(SERVICE, "backups") == ["day-1"]
    assert sim.custom_names(SERVICE, "projects") == ["monthly", "release-2026.10"]
    assert sim.custom_names(SERVICE, "backups") == ["keep-me"]
    assert sim.custom_names(SERVICE, "scratch") == ["scratch-1"]
    assert_no_change_twice(sim.tasks())
    return run


def refused(run):
    return [entry for entry in run.log if entry["status"] == 429]


@pytest.mark.parametrize("busy", ["accept", "conflict"])
def test_capped_at_the_limit_the_role_converges_without_a_429(playbooks, sim, busy):
    run = converge(playbooks, sim, busy, nasha_snapshot_policy_max_requests_per_second=LIMIT)
    signed = [entry for entry in run.log if not entry["path"].startswith("/auth/time")]
    assert len(signed) > 3 * LIMIT  # enough requests for the limit to matter (see the uncapped run)
    assert refused(run) == []


@pytest.mark.parametrize("busy", ["accept", "conflict"])
def test_uncapped_the_role_meets_429s_and_still_converges_after_retry_after(playbooks, sim, busy):
    run = converge(playbooks, sim, busy)
    assert refused(run), "no request was refused: the limit did not bite, so the capped run proves nothing"
    assert all(entry["path"] for entry in refused(run))
    # Each refused request was sent again: every 429 is followed by a success on the same method and path.
    answered = [(entry["method"], entry["path"]) for entry in run.log if entry["status"] == 200]
    assert all((entry["method"], entry["path"]) in answered for entry in refused(run))
