# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rotations planned run after run on a simulated clock, against a partition that deletes expired snapshots."""
from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _policy as policy
from ansible_collections.snapkeep.nasha.plugins.module_utils import _rotation as rotation
from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import (
    MAX_CUSTOM_SNAPSHOTS,
    custom_name_error,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import format_expiration, parse_expiration

UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
START = datetime.datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def stamp(instant):
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def nightly(day):
    return "snapkeep-nightly-" + stamp(day)


def hourly(hour):
    return "snapkeep-hourly-" + stamp(hour)


def merged_policy(keys):
    """The merged policy of a partition whose only declared keys are `keys` (in the defaults layer)."""
    return policy.merge_policy(SERVICE, None, keys, ["p"])["p"]


def merge_errors(keys):
    with pytest.raises(policy.PolicyError) as raised:
        merged_policy(keys)
    return raised.value.errors


def in_defaults(message):
    """A message about the policy's `policy<path>`, as merge_policy says it of the defaults layer."""
    return "%s: %s%s" % (SERVICE, policy.DEFAULTS_VARIABLE, message[len("policy"):])


def rotations_policy(*rotations, **keys):
    return merged_policy(dict(keys, custom_snapshot_rotations=list(rotations)))


SERVICE = "zpool-100001"
NIGHTLY = {"label": "nightly", "every": "1d", "keep": 7}
HOURLY = {"label": "hourly", "every": "1h", "keep": 6}


class Partition:
    """A partition as OVHcloud keeps it: custom snapshots and their expirations; an expired one disappears."""

    def __init__(self, snapshots=None):
        self.snapshots = dict(snapshots or {})  # name: expiration (aware datetime) or None
        self.expired = []  # names OVHcloud removed at their expiration

    def settle(self, now):
        for name, expiration in sorted(self.snapshots.items()):
            if expiration is not None and expiration <= now:
                del self.snapshots[name]
                self.expired.append(name)

    def run(self, merged, now, wall_clock=None):
        """One run of the policy at `now` (OVHcloud's clock): plan, then deletions, then creations, as the role does."""
        self.settle(now)
        listed = dict((name, format_expiration(expiration)) for name, expiration in self.snapshots.items())
        plan = policy.plan_partition(merged, [], listed, now, wall_clock=wall_clock)
        for name in plan.delete:
            del self.snapshots[name]
        for item in plan.create:
            assert item["name"] not in self.snapshots
            assert len(self.snapshots) < MAX_CUSTOM_SNAPSHOTS, "the limit would be passed by %s" % item["name"]
            self.snapshots[item["name"]] = parse_expiration(item["expiration"]) if item["expiration"] else None
        return plan

    def names(self, label=None):
        return sorted(name for name in self.snapshots if label is None or "-%s-" % label in name)


def created(plan):
    return [item["name"] for item in plan.create]


# ------------------------------------------------------------------ names


def test_a_name_is_the_prefix_the_label_and_the_utc_minute():
    name = rotation.rotation_name("snapkeep", "nightly", at(2026, 12, 2, 3, 0, 41))
    assert name == "snapkeep-nightly-20261202T0300Z"
    assert custom_name_error(name) is None
    assert ":" not in name


def test_a_name_is_in_utc_whatever_the_zone_of_now():
    paris = datetime.timezone(datetime.timedelta(hours=1))
    plan = rotation.plan_rotation(dict(NIGHTLY, prefix="snapkeep"), [], datetime.datetime(2026, 12, 2, 4, 0, tzinfo=paris))
    assert plan.create["name"] == "snapkeep-nightly-20261202T0300Z"


def test_only_names_of_the_rotation_belong_to_it():
    rot = dict(NIGHTLY, prefix="snapkeep")
    listed = [
        "snapkeep-nightly-20261201T0300Z",
        "snap-snapkeep-nightly-20261130T0300Z",  # the control panel's prefix: the same snapshot
        "snapkeep-nightly-x-20261201T0300Z",  # another label
        "snapkeep-nightly-20261201T0300",  # no zone letter
        "snapkeep-nightly-20261399T9999Z",  # the shape of an instant, but none
        "other-nightly-20261201T0300Z",  # another prefix
        "snapkeep-nightly-20261201T0300Z-copy",
        "manual",
    ]
    assert [name for dummy, name in rotation.members(rot, listed)] == [
        "snap-snapkeep-nightly-20261130T0300Z", "snapkeep-nightly-20261201T0300Z"]


def test_the_expiration_is_keep_plus_one_periods_after_the_creation():
    plan = rotation.plan_rotation(dict(NIGHTLY, prefix="snapkeep"), [], at(2026, 12, 2, 3, 0, 30))
    assert plan.create == {"name": "snapkeep-nightly-20261202T0300Z", "expiration": "2026-12-10T03:00:00Z"}


@pytest.mark.parametrize("every, expected", [
    ("15m", datetime.timedelta(seconds=90)), ("1h", datetime.timedelta(minutes=6)), ("6h", datetime.timedelta(minutes=10)),
    ("1d", datetime.timedelta(minutes=10)), ("1w", datetime.timedelta(minutes=10)),
])
def test_tolerance_is_a_tenth_of_the_period_at_most_ten_minutes(every, expected):
    assert rotation.tolerance(policy.parse_duration(every)) == expected


# ------------------------------------------------------------------ the clock walks


def test_daily_runs_for_a_month_keep_the_last_seven():
    merged = rotations_policy(NIGHTLY)
    partition = Partition()
    for day in range(30):
        now = START + day * DAY
        plan = partition.run(merged, now)
        assert created(plan) == [nightly(now)]
        assert plan.delete == ([nightly(now - 7 * DAY)] if day >= 7 else [])
        assert partition.names() == [nightly(START + d * DAY) for d in range(max(0, day - 6), day + 1)]
    assert partition.expired == []  # the rotation deleted each one before its safety expiration


def test_hourly_and_daily_rotations_side_by_side_for_three_days():
    merged = rotations_policy(HOURLY, dict(NIGHTLY, keep=4))
    partition = Partition()
    for hour in range(72):
        now = START + hour * HOUR
        partition.run(merged, now)
        assert partition.names("hourly") == [hourly(START + h * HOUR) for h in range(max(0, hour - 5), hour + 1)]
        assert partition.names("nightly") == [nightly(START + d * DAY) for d in range(hour // 24 + 1)]
        assert len(partition.snapshots) <= MAX_CUSTOM_SNAPSHOTS
    assert partition.expired == []


def test_a_run_up_to_a_minute_early_or_late_never_skips_a_period():
    merged = rotations_policy(dict(NIGHTLY, keep=4), HOURLY)
    partition = Partition()
    jitter = [0, -60, 60, -60, -45, 59, -60, 0, 60, -59]  # seconds around the cron minute, early after late
    for step in range(24 * 10):
        now = START + step * HOUR + datetime.timedelta(seconds=jitter[step % len(jitter)])
        plan = partition.run(merged, now)
        assert hourly(now) in created(plan)
        assert (nightly(now) in created(plan)) == (step % 24 == 0)
    assert len(partition.names("nightly")) == 4 and len(partition.names("hourly")) == 6


def test_a_second_run_within_the_period_changes_nothing():
    merged = rotations_policy(NIGHTLY)
    partition = Partition()
    assert created(partition.run(merged, at(2026, 12, 2, 3, 0, 5))) == ["snapkeep-nightly-20261202T0300Z"]
    # twice in the same minute, later the same day, and until the tolerance (ten minutes) before the next day
    for now in (at(2026, 12, 2, 3, 0, 50), at(2026, 12, 2, 3, 1), at(2026, 12, 2, 15, 0), at(2026, 12, 3, 2, 49, 59)):
        plan = partition.run(merged, now)
        assert not plan.changed, now
        assert plan.rotations[0]["next_due"] == "2026-12-03T02:50:00Z"
    assert created(partition.run(merged, at(2026, 12, 3, 2, 50))) == ["snapkeep-nightly-20261203T0250Z"]


def test_missed_runs_resume_with_one_snapshot_and_expired_ones_gone():
    merged = rotations_policy(NIGHTLY)
    partition = Partition()
    for day in range(10):
        partition.run(merged, START + day * DAY)
    assert partition.names() == [nightly(START + d * DAY) for d in range(3, 10)]
    # three days without a run: the snapshots of days 3, 4 and 5 reach their expiration (creation + 8 days)
    plan = partition.run(merged, START + 13 * DAY)
    assert created(plan) == [nightly(START + 13 * DAY)]
    assert plan.delete == []
    assert partition.expired == [nightly(START + d * DAY) for d in (3, 4, 5)]
    assert partition.names() == [nightly(START + d * DAY) for d in (6, 7, 8, 9, 13)]
    # the older ones keep reaching their expiration: the set holds the last 8 days' snapshots until 7 are back
    expected = {14: (7, 8, 9, 13, 14), 16: (9, 13, 14, 15, 16), 18: (13, 14, 15, 16, 17, 18), 19: range(13, 20),
                20: range(14, 21)}
    for day in range(14, 21):
        partition.run(merged, START + day * DAY)
        if day in expected:
            assert partition.names() == [nightly(START + d * DAY) for d in expected[day]], day


def test_runs_stopped_longer_than_the_rotation_leave_nothing_behind():
    merged = rotations_policy(NIGHTLY)
    partition = Partition()
    for day in range(9):
        partition.run(merged, START + day * DAY)
    partition.settle(START + 25 * DAY)
    assert partition.names() == []
    plan = partition.run(merged, START + 25 * DAY)
    assert created(plan) == [nightly(START + 25 * DAY)] and plan.delete == []


def test_clock_skew_of_a_few_minutes_between_runs_neither_skips_nor_doubles():
    """Two controllers, or one whose clock moves: each run's instant a few minutes off the previous one's."""
    merged = rotations_policy(NIGHTLY)
    partition = Partition()
    skew = [0, -4, 4, -3, 2, -4, 0, 4, -4, 1]  # minutes, each run up to 8 minutes sooner than the previous
    for day in range(20):
        now = START + day * DAY + datetime.timedelta(minutes=skew[day % len(skew)])
        plan = partition.run(merged, now)
        assert created(plan) == [nightly(now)]
        # and the other controller running a minute later changes nothing
        assert not partition.run(merged, now + datetime.timedelta(minutes=1)).changed
    assert len(partition.names()) == 7


def test_a_name_ahead_of_now_counts_as_the_newest():
    """A snapshot named by a clock that was ahead: no second one before a period has passed after its name."""
    merged = rotations_policy(NIGHTLY)
    ahead = nightly(at(2026, 12, 2, 3, 10))
    partition = Partition({ahead: at(2026, 12, 10, 3, 10)})
    assert not partition.run(merged, at(2026, 12, 2, 3, 0)).changed
    assert not partition.run(merged, at(2026, 12, 3, 2, 59)).changed
    assert created(partition.run(merged, at(2026, 12, 3, 3, 0))) == ["snapkeep-nightly-20261203T0300Z"]
    assert partition.names() == [ahead, "snapkeep-nightly-20261203T0300Z"]


class Paris(datetime.tzinfo):
    """Europe/Paris: CET, and CEST from 01:00 UTC on the last Sunday of March to 01:00 UTC on that of October."""

    @staticmethod
    def _summer(utc):
        def change(month):
            last = datetime.datetime(utc.year, month, 31, 1)
            return last - datetime.timedelta(days=(last.weekday() + 1) % 7)
        return change(3) <= utc.replace(tzinfo=None) < change(10)

    def utcoffset(self, dt):
        raise NotImplementedError  # only fromutc is used, through astimezone

    def dst(self, dt):
        return None

    def tzname(self, dt):
        return None

    def fromutc(self, dt):
        return dt + (2 * HOUR if self._summer(dt) else HOUR)


PARIS = Paris()


def paris_wall_clock(instant):
    return PARIS.fromutc(instant.astimezone(UTC).replace(tzinfo=PARIS)).replace(tzinfo=None)


def paris_cron(day, hour):
    """The UTC instant a cron job at `hour`:00 Paris time starts on `day`; None for an hour that does not exist."""
    for utc_hour in range(-3, 27):
        instant = datetime.datetime(day.year, day.month, day.day, tzinfo=UTC) + utc_hour * HOUR
        if paris_wall_clock(instant) == datetime.datetime(day.year, day.month, day.day, hour):
            return instant
    return None


def test_the_paris_clock_of_the_tests_follows_the_dst_rule():
    assert paris_wall_clock(at(2026, 10, 25, 0, 30)) == datetime.datetime(2026, 10, 25, 2, 30)  # CEST
    assert paris_wall_clock(at(2026, 10, 25, 1, 30)) == datetime.datetime(2026, 10, 25, 2, 30)  # CET, the hour repeats
    assert paris_wall_clock(at(2027, 3, 28, 0, 30)) == datetime.datetime(2027, 3, 28, 1, 30)  # CET
    assert paris_wall_clock(at(2027, 3, 28, 1, 30)) == datetime.datetime(2027, 3, 28, 3, 30)  # CEST, 02:xx skipped
    assert paris_cron(datetime.date(2027, 3, 28), 2) is None


@pytest.mark.parametrize("first_day", [datetime.date(2026, 10, 20), datetime.date(2027, 3, 22)], ids=["autumn", "spring"])
def test_a_daily_cron_at_3am_paris_time_through_a_dst_change(first_day):
    """03:00 in Paris is 01:00Z or 02:00Z: 25 hours between two runs in autumn, 23 in spring; one snapshot per run."""
    merged = rotations_policy(NIGHTLY)
    partition = Partition()
    runs = []
    for offset in range(14):
        now = paris_cron(first_day + datetime.timedelta(days=offset), 3)
        runs.append(now)
        assert created(partition.run(merged, now, paris_wall_clock)) == [nightly(now)]
    gaps = set(b - a for a, b in zip(runs, runs[1:]))
    assert gaps == ({DAY, DAY + HOUR} if first_day.month == 10 else {DAY, DAY - HOUR})
    assert partition.names() == [nightly(now) for now in runs[-7:]]  # names in UTC: 0100Z or 0200Z
    assert partition.expired == []


def test_without_the_local_wall_clock_the_spring_dst_run_would_be_skipped():
    """Why the controller's wall clock is consulted: 23 hours of elapsed time are less than a day less the tolerance."""
    merged = rotations_policy(NIGHTLY)
    partition = Partition()
    partition.run(merged, paris_cron(datetime.date(2027, 3, 27), 3))
    assert not partition.run(merged, paris_cron(datetime.date(2027, 3, 28), 3)).changed


@pytest.mark.parametrize("day, nightly_hours, nightly_gaps", [
    # after the autumn change the nightly one keeps its UTC time (24 hours apart), an hour earlier on the wall clock
    (datetime.date(2026, 10, 24), [0, 0, 23, 23], {DAY}),
    # in spring it keeps its wall-clock time: 23 hours after the previous one, not 24 (one hour later on the wall)
    (datetime.date(2027, 3, 27), [0, 0, 0], {DAY, DAY - HOUR}),
], ids=["autumn", "spring"])
def test_an_hourly_cron_in_paris_time_through_a_dst_change(day, nightly_hours, nightly_gaps):
    """Every wall-clock hour that exists (the repeated one twice): one run an hour in UTC, one snapshot per run."""
    merged = rotations_policy(HOURLY, dict(NIGHTLY, keep=4))
    partition = Partition()
    instants = sorted(
        set(instant for offset in range(3) for hour in range(24)
            for instant in [paris_cron(day + datetime.timedelta(days=offset), hour)] if instant is not None)
        | ({at(2026, 10, 25, 1)} if day.month == 10 else set()))  # 02:00 CET, the second 02:00 of that night
    assert set(b - a for a, b in zip(instants, instants[1:])) == {HOUR}
    nightly_runs = []
    for now in instants:
        plan = partition.run(merged, now, paris_wall_clock)
        assert hourly(now) in created(plan)
        if nightly(now) in created(plan):
            nightly_runs.append(now)
        assert partition.names("hourly") == [hourly(instant) for instant in instants if instant <= now][-6:]
    # the nightly one: once a day, never drifting earlier hour by hour
    assert [paris_wall_clock(now).hour for now in nightly_runs] == nightly_hours
    assert set(b - a for a, b in zip(nightly_runs, nightly_runs[1:])) == nightly_gaps


def test_runs_every_quarter_hour_do_not_pull_a_daily_rotation_earlier():
    merged = rotations_policy(dict(NIGHTLY, keep=4), {"label": "quarter", "every": "15m", "keep": 4})
    partition = Partition()
    nightly_runs = []
    for step in range(4 * 24 * 10):
        now = START + step * datetime.timedelta(minutes=15)
        if nightly(now) in created(partition.run(merged, now)):
            nightly_runs.append(now)
    assert nightly_runs == [START + day * DAY for day in range(10)]
    assert len(partition.names("quarter")) == 4 and len(partition.names("nightly")) == 4


# ------------------------------------------------------------------ keep, limits and what may be deleted


def test_lowering_keep_deletes_the_oldest_at_the_next_run():
    partition = Partition()
    for day in range(7):
        partition.run(rotations_policy(NIGHTLY), START + day * DAY)
    plan = partition.run(rotations_policy(dict(NIGHTLY, keep=3)), START + 7 * DAY)
    assert plan.delete == [nightly(START + d * DAY) for d in range(5)]
    assert partition.names() == [nightly(START + d * DAY) for d in (5, 6, 7)]


def test_deletions_come_before_creations_and_the_limit_holds_at_every_step():
    merged = rotations_policy(dict(NIGHTLY, keep=8), custom_snapshots=[{"name": "base"}, {"name": "gold"}])
    partition = Partition()
    for day in range(12):
        plan = partition.run(merged, START + day * DAY)  # Partition.run refuses a creation at the limit
        assert not plan.errors
    assert len(partition.snapshots) == MAX_CUSTOM_SNAPSHOTS


def test_a_policy_that_cannot_fit_fails_its_first_run_counting_each_rotation_full():
    merged = policy.merge_policy("zpool-1", {}, {}, [{
        "name": "backups",
        "custom_snapshots": [{"name": "base"}, {"name": "gone", "state": "absent"}],
        "custom_snapshot_rotations": [NIGHTLY, dict(HOURLY, keep=3)],
    }])["backups"]
    plan = policy.plan_partition(merged, [], {}, START)
    # one place counts fixed and rotation snapshots: 3 created now, 6 + 2 more as the rotations fill up
    assert plan.errors == [
        "the policy would leave 11 custom snapshots on the partition, more than the 10 OVHcloud allows: 0 kept "
        "(0 of them not declared), 3 to create, 0 to delete, 6 more as rotation nightly fills up to its keep of 7, "
        "2 more as rotation hourly fills up to its keep of 3; delete some, lower a rotation's keep, or set "
        "purge_custom_snapshots"]
    # with a keep one lower the same policy fits, now and once the rotations are full
    fits = merged_policy(dict(custom_snapshots=[{"name": "base"}],
                              custom_snapshot_rotations=[dict(NIGHTLY, keep=6), dict(HOURLY, keep=3)]))
    partition = Partition()
    for hour in range(24 * 8):
        assert not partition.run(fits, START + hour * HOUR).errors
    assert len(partition.snapshots) == MAX_CUSTOM_SNAPSHOTS


def test_undeclared_snapshots_kept_that_leave_no_room_fail_the_plan():
    merged = rotations_policy(dict(NIGHTLY, keep=8), custom_snapshots=[{"name": "base"}])
    listed = {"base": None, "colleague": None, "snap-other": None, nightly(START - 2 * DAY): None}
    plan = policy.plan_partition(merged, [], listed, START)
    # the creation stands for the report; the error keeps the whole partition from being applied
    assert created(plan) == [nightly(START)] and plan.delete == []
    assert plan.errors == [
        "the policy would leave 11 custom snapshots on the partition, more than the 10 OVHcloud allows: 4 kept "
        "(2 of them not declared: colleague, snap-other), 1 to create, 0 to delete, 6 more as rotation nightly "
        "fills up to its keep of 8; delete some, lower a rotation's keep, or set purge_custom_snapshots"]
    # with the colleague's snapshots purged, the same policy fits
    fits = rotations_policy(dict(NIGHTLY, keep=8), custom_snapshots=[{"name": "base"}], purge_custom_snapshots=True)
    plan = policy.plan_partition(fits, [], listed, START)
    assert plan.errors == [] and plan.delete == ["colleague", "snap-other"] and created(plan) == [nightly(START)]


def test_a_full_rotation_counts_its_deletions_in_the_same_check():
    # 9 of the rotation (one beyond keep) and one fixed: the run deletes the oldest two and creates one, 9 after
    listed = dict((nightly(START - d * DAY), None) for d in range(1, 10))
    listed["base"] = None
    merged = rotations_policy(dict(NIGHTLY, keep=8), custom_snapshots=[{"name": "base"}])
    plan = policy.plan_partition(merged, [], listed, START)
    assert plan.errors == []
    assert plan.delete == [nightly(START - 9 * DAY), nightly(START - 8 * DAY)] and created(plan) == [nightly(START)]


ROTATION_EXCESS = ["snap-" + nightly(START - 7 * DAY)] + [nightly(START - d * DAY) for d in range(6, 2, -1)]


@pytest.mark.parametrize("keys, deleted", [
    ({}, []),  # the default: nothing the policy does not declare
    ({"purge_custom_snapshots": True, "purge_custom_snapshots_prefix": "snapkeep-"}, ["snapkeep-weekly-20261001T0000Z"]),
    ({"purge_custom_snapshots": True, "purge_custom_snapshots_prefix": "tmp-"}, ["snap-tmp-build", "tmp-1"]),
    ({"purge_custom_snapshots": True}, ["colleague", "snap-tmp-build", "snapkeep-weekly-20261001T0000Z", "tmp-1"]),
], ids=["no-purge", "prefix-snapkeep", "prefix-tmp", "purge-all-undeclared"])
def test_what_each_purge_setting_may_delete(keys, deleted):
    listed = dict((name, None) for name in (
        "colleague", "tmp-1", "snap-tmp-build", "declared",
        "snapkeep-weekly-20261001T0000Z",  # a rotation no longer declared
        "snap-" + nightly(START - 7 * DAY),  # a snapshot of the rotation, listed with the control panel's prefix
    ))
    listed.update((nightly(START - d * DAY), None) for d in range(1, 7))
    merged = rotations_policy(dict(NIGHTLY, keep=3), custom_snapshots=[{"name": "declared"}], **keys)
    plan = policy.plan_partition(merged, [], listed, START)
    # purged first, then each rotation's oldest beyond keep (with the one created, 3 remain)
    assert plan.delete == deleted + ROTATION_EXCESS
    assert created(plan) == [nightly(START)]
    assert plan.rotations[0]["kept"] == [nightly(START - 2 * DAY), nightly(START - DAY), nightly(START)]


def test_the_plan_reports_each_rotation():
    merged = rotations_policy(dict(NIGHTLY, keep=4), HOURLY)
    plan = policy.plan_partition(merged, [], {nightly(START - DAY): None}, START + datetime.timedelta(minutes=30))
    assert plan.rotations == [
        {"label": "nightly", "create": nightly(START + datetime.timedelta(minutes=30)), "delete": [],
         "kept": [nightly(START - DAY), nightly(START + datetime.timedelta(minutes=30))], "next_due": "2026-11-02T03:20:00Z"},
        {"label": "hourly", "create": hourly(START + datetime.timedelta(minutes=30)), "delete": [],
         "kept": [hourly(START + datetime.timedelta(minutes=30))], "next_due": "2026-11-01T04:24:00Z"},
    ]
    assert all(item["expires_in"] is None for item in plan.create)


# ------------------------------------------------------------------ validation


@pytest.mark.parametrize("item, message", [
    ({"label": "nightly", "every": "1d"}, "policy.custom_snapshot_rotations[0] (nightly).keep: missing (required)"),
    ({"label": "night_ly", "every": "1d", "keep": 7}, "policy.custom_snapshot_rotations[0] (night_ly).label: label must be letters"),
    ({"label": "nightly", "every": "10m", "keep": 7}, "policy.custom_snapshot_rotations[0] (nightly).every: every must be 15 minutes or more"),
    ({"label": "nightly", "every": "daily", "keep": 7}, "policy.custom_snapshot_rotations[0] (nightly).every: duration 'daily'"),
    ({"label": "nightly", "every": "1d", "keep": 0}, "policy.custom_snapshot_rotations[0] (nightly).keep: must be a whole number from 1 to 10"),
    ({"label": "nightly", "every": "1d", "keep": 11}, "policy.custom_snapshot_rotations[0] (nightly).keep: must be a whole number from 1 to 10"),
    ({"label": "nightly", "every": "1d", "keep": True}, "policy.custom_snapshot_rotations[0] (nightly).keep: must be a whole number"),
    ({"label": "nightly", "every": "1d", "keep": 7, "prefix": "a:b"}, "policy.custom_snapshot_rotations[0] (nightly).prefix: prefix must be letters"),
    ({"label": "nightly", "every": "1d", "kept": 7}, "policy.custom_snapshot_rotations[0] (nightly).kept: unknown key (did you mean keep?)"),
])
def test_a_bad_rotation_is_refused_naming_its_path(item, message):
    assert merge_errors({"custom_snapshot_rotations": [item]})[0].startswith(in_defaults(message))


def test_two_rotations_naming_alike_are_refused():
    assert merge_errors({"custom_snapshot_rotations": [NIGHTLY, dict(NIGHTLY, keep=2)]}) == [in_defaults(
        "policy.custom_snapshot_rotations[1] (nightly).label: rotation declared twice in the same "
        "list (first at custom_snapshot_rotations[0])")]


def test_a_fixed_name_a_rotation_would_take_is_refused():
    assert merge_errors({"custom_snapshot_rotations": [NIGHTLY],
                         "custom_snapshots": [{"name": "snapkeep-nightly-20261202T0300Z"}]}) == [
        "%s: partition p: custom snapshot snapkeep-nightly-20261202T0300Z has the name of a snapshot of rotation nightly" % SERVICE]


def test_keep_given_as_a_text_of_digits_is_a_number():
    assert rotations_policy(dict(NIGHTLY, keep="7"))["custom_snapshot_rotations"][0]["keep"] == 7


def test_a_purge_prefix_must_be_the_start_of_a_name():
    assert merge_errors({"purge_custom_snapshots_prefix": "a/b"})[0].startswith(
        in_defaults("policy.purge_custom_snapshots_prefix: must be the start of a custom snapshot name"))
