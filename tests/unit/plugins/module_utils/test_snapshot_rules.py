# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _custom_snapshots
from ansible_collections.snapkeep.nasha.plugins.module_utils import _expiration
from ansible_collections.snapkeep.nasha.plugins.module_utils import _routes
from ansible_collections.snapkeep.nasha.plugins.module_utils import _schedule
from ansible_collections.snapkeep.nasha.plugins.module_utils import _tasks

UTC = datetime.timezone.utc


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


# ------------------------------------------------------------------ snapshot types


def test_sort_snapshot_types_dedups_in_canonical_order():
    assert _schedule.sort_snapshot_types(["day-7", "hour-1", "day-7", "hour-6", "day-1"]) == ["hour-1", "hour-6", "day-1", "day-7"]


def test_sort_snapshot_types_keeps_unknown_types_last():
    assert _schedule.sort_snapshot_types(["week-1", "day-2", "month-1", "week-1"]) == ["day-2", "month-1", "week-1"]


def test_sort_snapshot_types_of_nothing():
    assert _schedule.sort_snapshot_types([]) == []
    assert _schedule.sort_snapshot_types(None) == []


def test_invalid_snapshot_types():
    assert _schedule.invalid_snapshot_types(["day-1", "week-1", "hour-1", "week-1", "Day-1"]) == ["week-1", "Day-1"]
    assert _schedule.invalid_snapshot_types(list(_schedule.SNAPSHOT_TYPES)) == []


# ------------------------------------------------------------------ plan_schedule


@pytest.mark.parametrize(
    "current, desired, state, purge, after, to_add, to_remove",
    [
        # present + purge: exactly the declared types
        (["hour-1"], ["day-1", "day-7"], "present", True, ["day-1", "day-7"], ["day-1", "day-7"], ["hour-1"]),
        (["hour-1", "day-1"], ["day-1", "hour-1"], "present", True, ["hour-1", "day-1"], [], []),
        # present without purge: union
        (["hour-1"], ["day-1"], "present", False, ["hour-1", "day-1"], ["day-1"], []),
        (["hour-1", "day-7"], ["day-7"], "present", False, ["hour-1", "day-7"], [], []),
        # absent: difference (purge does not matter)
        (["hour-1", "day-1", "day-7"], ["day-1", "day-2"], "absent", True, ["hour-1", "day-7"], [], ["day-1"]),
        (["hour-1", "day-1", "day-7"], ["day-1", "day-2"], "absent", False, ["hour-1", "day-7"], [], ["day-1"]),
        (["hour-6"], ["day-1"], "absent", True, ["hour-6"], [], []),
        (["hour-1"], ["hour-1"], "absent", True, [], [], ["hour-1"]),
    ],
)
def test_plan_schedule(current, desired, state, purge, after, to_add, to_remove):
    plan = _schedule.plan_schedule(current, desired, state=state, purge=purge)
    assert plan.before == _schedule.sort_snapshot_types(current)
    assert plan.after == after
    assert plan.to_add == to_add
    assert plan.to_remove == to_remove
    assert plan.changed is bool(to_add or to_remove)


def test_plan_schedule_ignores_order_and_duplicates():
    first = _schedule.plan_schedule(["day-7", "hour-1", "hour-1"], ["day-2", "hour-6", "day-2", "hour-1"])
    second = _schedule.plan_schedule(["hour-1", "day-7"], ["hour-1", "hour-6", "day-2"])
    assert first == second
    assert first.before == ["hour-1", "day-7"]
    assert first.after == ["hour-1", "hour-6", "day-2"]
    assert first.to_add == ["hour-6", "day-2"]
    assert first.to_remove == ["day-7"]


def test_plan_schedule_defaults_are_present_and_purge():
    assert _schedule.plan_schedule(["hour-1"], ["day-1"]).after == ["day-1"]


def test_plan_schedule_removes_unknown_current_type_on_purge():
    plan = _schedule.plan_schedule(["hour-1", "week-1"], ["hour-1"])
    assert plan.before == ["hour-1", "week-1"]
    assert plan.to_remove == ["week-1"]


def test_plan_schedule_refuses_unknown_declared_type_naming_valid_ones():
    with pytest.raises(ValueError) as err:
        _schedule.plan_schedule(["hour-1"], ["day-1", "week-1"])
    assert "week-1" in str(err.value)
    assert "hour-1, hour-6, day-1, day-2, day-3, day-7" in str(err.value)


def _phases(current, desired, **kwargs):
    plan = _schedule.plan_schedule(current, desired, **kwargs)
    return [[(change.action, change.snapshot_type) for change in phase] for phase in _schedule.schedule_phases(plan)]


def test_schedule_phases_pure_replacement_adds_first_then_removes():
    assert _phases(["hour-1"], ["day-1"]) == [[("add", "day-1")], [("remove", "hour-1")]]
    assert _phases(["hour-1", "day-7"], ["day-1", "day-2"]) == [
        [("add", "day-1"), ("add", "day-2")], [("remove", "hour-1"), ("remove", "day-7")]]


def test_schedule_phases_a_type_that_stays_allows_one_overlapped_phase():
    assert _phases(["hour-1", "hour-6", "day-7"], ["hour-6", "day-1", "day-2"]) == [
        [("add", "day-1"), ("add", "day-2"), ("remove", "hour-1"), ("remove", "day-7")]]
    assert _phases(["hour-1", "day-7"], ["hour-1"]) == [[("remove", "day-7")]]
    assert _phases(["hour-1"], ["day-1"], purge=False) == [[("add", "day-1")]]
    assert _phases(["hour-1", "day-1"], ["day-1"], state="absent") == [[("remove", "day-1")]]


def test_schedule_phases_nothing_to_do_and_an_empty_schedule_declared_on_purpose():
    assert _phases(["hour-1"], ["hour-1"]) == []
    # no addition to wait for: the removals asked for are sent (OVHcloud may refuse the last one)
    assert _phases(["hour-1", "day-1"], []) == [[("remove", "hour-1"), ("remove", "day-1")]]


def test_schedule_phases_no_removal_before_an_addition_when_nothing_stays():
    """Whatever the change, a removal in a phase leaves a type scheduled even if that phase's additions all fail."""
    import itertools  # pylint: disable=import-outside-toplevel
    types = _schedule.SNAPSHOT_TYPES[:4]
    subsets = [list(combination) for size in range(len(types) + 1) for combination in itertools.combinations(types, size)]
    for current in subsets:
        for desired in subsets:
            plan = _schedule.plan_schedule(current, desired)
            phases = _schedule.schedule_phases(plan)
            assert sorted(change for phase in phases for change in phase) == sorted(
                [_schedule.ScheduleChange("add", t) for t in plan.to_add] + [_schedule.ScheduleChange("remove", t) for t in plan.to_remove])
            done = set()
            for phase in phases:
                removed = set(change.snapshot_type for change in phase if change.action == "remove")
                kept = (set(current) - set(plan.to_remove)) | done
                if removed and plan.to_add:
                    assert kept, (current, desired, phases)
                done |= set(change.snapshot_type for change in phase if change.action == "add")


def test_plan_schedule_refuses_unknown_state():
    with pytest.raises(ValueError, match="state"):
        _schedule.plan_schedule(["hour-1"], ["day-1"], state="latest")


# ------------------------------------------------------------------ parse_expiration


def test_parse_expiration_of_a_date_is_midnight_utc():
    assert _expiration.parse_expiration("2026-12-31") == utc(2026, 12, 31)
    assert _expiration.parse_expiration("2026-12-31").tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-31T10:00:00",
        "2026-12-31T10:00:00Z",
        "2026-12-31t10:00:00z",
        "2026-12-31T10:00",
        "2026-12-31 10:00:00",
        "2026-12-31T12:00:00+02:00",
        "2026-12-31T12:00:00+0200",
        "2026-12-31T12:00:00+02",
        "2026-12-31T05:30:00-04:30",
        "2026-12-31T10:00:00.000Z",
        "2026-12-31 12:00:00 +02:00",
        "  2026-12-31T10:00:00Z  ",
        "2027-01-01T00:00:00+14:00",
    ],
)
def test_parse_expiration_same_instant_in_every_form(text):
    parsed = _expiration.parse_expiration(text)
    assert parsed == utc(2026, 12, 31, 10, 0, 0)
    assert parsed.utcoffset() == datetime.timedelta(0)


def test_parse_expiration_crosses_the_day_with_an_offset():
    assert _expiration.parse_expiration("2027-01-01T01:00:00+02:00") == utc(2026, 12, 31, 23, 0, 0)


def test_parse_expiration_fractional_seconds():
    assert _expiration.parse_expiration("2026-12-31T10:00:00.5Z") == utc(2026, 12, 31, 10, 0, 0, 500000)
    assert _expiration.parse_expiration("2026-12-31T10:00:00,123456789+00:00") == utc(2026, 12, 31, 10, 0, 0, 123456)


def test_parse_expiration_of_objects():
    assert _expiration.parse_expiration(datetime.date(2026, 12, 31)) == utc(2026, 12, 31)
    naive = _expiration.parse_expiration(datetime.datetime(2026, 12, 31, 10, 0))
    assert naive == utc(2026, 12, 31, 10, 0)
    assert naive.tzinfo is not None
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    aware = _expiration.parse_expiration(datetime.datetime(2026, 12, 31, 12, 0, tzinfo=plus_two))
    assert aware == utc(2026, 12, 31, 10, 0)
    assert aware.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "tomorrow",
        "31/12/2026",
        "2026-12-31T",
        "2026-13-01",
        "2026-02-30",
        "2026-12-31T25:00:00",
        "2026-12-31T10:61:00",
        "2026-12-31+02:00",
        "2026-12-31T10:00:00+24:00",
        "2026-12-31T10:00:00+02:60",
        "2026-12-31T10:00:00 UTC",
        "20261231",
        12345,
        None,
        ["2026-12-31"],
    ],
)
def test_parse_expiration_refuses_bad_values(value):
    with pytest.raises(ValueError) as err:
        _expiration.parse_expiration(value)
    assert "expiration" in str(err.value)


def test_parse_expiration_message_shows_accepted_forms():
    with pytest.raises(ValueError) as err:
        _expiration.parse_expiration("next week")
    assert "YYYY-MM-DD" in str(err.value)
    assert "'next week'" in str(err.value)


# ------------------------------------------------------------------ parse_duration


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("90s", 90),
        ("30m", 1800),
        ("12h", 43200),
        ("7d", 7 * 86400),
        ("2w", 14 * 86400),
        ("1d12h", 86400 + 43200),
        ("1w2d3h4m5s", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5),
        ("12h1d", 86400 + 43200),
        (" 1d 12h ", 86400 + 43200),
        ("0d1h", 3600),
    ],
)
def test_parse_duration(text, seconds):
    assert _expiration.parse_duration(text) == datetime.timedelta(seconds=seconds)


def test_parse_duration_accepts_a_positive_timedelta():
    assert _expiration.parse_duration(datetime.timedelta(hours=2)) == datetime.timedelta(hours=2)


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("", "empty"),
        ("  ", "empty"),
        (None, "empty"),
        (30, "empty"),
        ("0m", "zero"),
        ("0d0h", "zero"),
        ("-1d", "negative"),
        ("5", "not understood"),
        ("d", "not understood"),
        ("1.5h", "not understood"),
        ("5y", "unknown unit"),
        ("3M", "unknown unit"),
        ("2days", "unknown unit"),
        ("1d1d", "twice"),
        (datetime.timedelta(0), "positive"),
        (datetime.timedelta(seconds=-5), "positive"),
    ],
)
def test_parse_duration_refuses_bad_values(value, fragment):
    with pytest.raises(ValueError) as err:
        _expiration.parse_duration(value)
    assert fragment in str(err.value)


# ------------------------------------------------------------------ resolve / format / same_instant

NOW = utc(2026, 6, 1, 12, 0, 0)


def test_resolve_expiration_nothing_declared():
    assert _expiration.resolve_expiration(now=NOW) is None


def test_resolve_expiration_from_an_instant():
    assert _expiration.resolve_expiration(expiration="2026-12-31T12:00:00+02:00", now=NOW) == utc(2026, 12, 31, 10)


def test_resolve_expiration_from_a_duration():
    assert _expiration.resolve_expiration(expires_in="7d", now=NOW) == utc(2026, 6, 8, 12, 0, 0)
    assert _expiration.resolve_expiration(expires_in="1d12h", now=NOW) == utc(2026, 6, 3, 0, 0, 0)


def test_resolve_expiration_rounds_down_to_the_second_and_takes_naive_now_as_utc():
    now = datetime.datetime(2026, 6, 1, 12, 0, 0, 999999)
    assert _expiration.resolve_expiration(expires_in="30m", now=now) == utc(2026, 6, 1, 12, 30, 0)


def test_resolve_expiration_defaults_now_to_the_current_time():
    before = datetime.datetime.now(UTC).replace(microsecond=0)
    resolved = _expiration.resolve_expiration(expires_in="1h")
    after = datetime.datetime.now(UTC)
    assert before + datetime.timedelta(hours=1) <= resolved <= after + datetime.timedelta(hours=1)


def test_resolve_expiration_refuses_both():
    with pytest.raises(ValueError, match="not both"):
        _expiration.resolve_expiration(expiration="2026-12-31", expires_in="1d", now=NOW)


def test_resolve_expiration_reports_bad_duration():
    with pytest.raises(ValueError, match="duration"):
        _expiration.resolve_expiration(expires_in="soon", now=NOW)


def test_format_expiration():
    plus_two = datetime.timezone(datetime.timedelta(hours=2))
    assert _expiration.format_expiration(datetime.datetime(2026, 12, 31, 12, 0, 5, 700000, tzinfo=plus_two)) == "2026-12-31T10:00:05Z"
    assert _expiration.format_expiration(datetime.datetime(2026, 12, 31, 10, 0)) == "2026-12-31T10:00:00Z"
    assert _expiration.format_expiration(datetime.date(2026, 12, 31)) == "2026-12-31T00:00:00Z"
    assert _expiration.format_expiration(None) is None


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (None, None, True),
        (None, "2026-12-31", False),
        ("2026-12-31", None, False),
        ("2026-12-31", "2026-12-31T00:00:00Z", True),
        ("2026-12-31T10:00:00Z", "2026-12-31T12:00:00+02:00", True),
        ("2026-12-31T10:00:00", utc(2026, 12, 31, 10), True),
        ("2026-12-31T10:00:00.400Z", "2026-12-31T10:00:00Z", True),
        ("2026-12-31T10:00:01Z", "2026-12-31T10:00:00Z", False),
        ("2026-12-31", "2027-01-01", False),
        ("not a date", "not a date", True),
        ("not a date", "2026-12-31", False),
        ("not a date", "something else", False),
    ],
)
def test_same_instant(a, b, expected):
    assert _expiration.same_instant(a, b) is expected
    assert _expiration.same_instant(b, a) is expected  # pylint: disable=arguments-out-of-order


# ------------------------------------------------------------------ custom snapshot names


@pytest.mark.parametrize("name", ["before-upgrade", "v1.2.3", "2026-06-01T10:00", "A", "snap-x"])
def test_custom_name_valid(name):
    assert _custom_snapshots.custom_name_error(name) is None


@pytest.mark.parametrize("name", ["with space", "a/b", "under_score", "caf\u00e9", "x;rm", "a\nb", "evil\n", "evil\r\n", "\nevil"])
def test_custom_name_invalid_names_allowed_characters(name):
    message = _custom_snapshots.custom_name_error(name)
    assert message is not None
    assert repr(name) in message
    assert "letters" in message and "digits" in message and "(.)" in message and "(:)" in message and "(-)" in message


@pytest.mark.parametrize("name", ["", None, 12])
def test_custom_name_empty_or_not_text(name):
    assert "non-empty" in _custom_snapshots.custom_name_error(name)


def test_find_custom_snapshot():
    assert _custom_snapshots.find_custom_snapshot(["a", "before"], "before") == "before"
    assert _custom_snapshots.find_custom_snapshot(["snap-before"], "before") == "snap-before"
    assert _custom_snapshots.find_custom_snapshot(["snap-before", "before"], "before") == "before"
    assert _custom_snapshots.find_custom_snapshot(["snap-other"], "before") is None
    assert _custom_snapshots.find_custom_snapshot([], "before") is None
    assert _custom_snapshots.find_custom_snapshot({"snap-before": None}, "before") == "snap-before"
    # no prefix is stripped from what OVHcloud lists
    assert _custom_snapshots.find_custom_snapshot(["before"], "snap-before") is None


# ------------------------------------------------------------------ plan_custom_snapshot

DECLARED = utc(2026, 12, 31, 10)


def test_plan_custom_present_missing_creates():
    plan = _custom_snapshots.plan_custom_snapshot({"other": None}, "before", "present", DECLARED)
    assert plan.action == "create"
    assert plan.changed
    assert plan.listed_name is None
    assert plan.expiration_mismatch is False
    assert plan.before is None
    assert plan.after == {"name": "before", "expiration": "2026-12-31T10:00:00Z"}


def test_plan_custom_present_missing_without_expiration():
    plan = _custom_snapshots.plan_custom_snapshot({}, "before", "present", None)
    assert plan.action == "create"
    assert plan.after == {"name": "before", "expiration": None}


@pytest.mark.parametrize("listed", ["before", "snap-before"])
def test_plan_custom_present_there_does_nothing(listed):
    plan = _custom_snapshots.plan_custom_snapshot({listed: "2026-12-31T12:00:00+02:00"}, "before", "present", DECLARED)
    assert plan.action is None
    assert not plan.changed
    assert plan.listed_name == listed
    assert plan.expiration_mismatch is False
    assert plan.before == {"name": listed, "expiration": "2026-12-31T12:00:00+02:00"}
    assert plan.after == plan.before


def test_plan_custom_present_there_flags_other_expiration_without_recreating():
    plan = _custom_snapshots.plan_custom_snapshot({"snap-before": "2026-12-30T10:00:00Z"}, "before", "present", DECLARED)
    assert plan.action is None
    assert plan.expiration_mismatch is True
    assert plan.after == plan.before == {"name": "snap-before", "expiration": "2026-12-30T10:00:00Z"}


def test_plan_custom_present_there_flags_declared_expiration_when_none_reported():
    plan = _custom_snapshots.plan_custom_snapshot({"before": None}, "before", "present", DECLARED)
    assert plan.action is None
    assert plan.expiration_mismatch is True


def test_plan_custom_present_there_without_declared_expiration_is_no_mismatch():
    plan = _custom_snapshots.plan_custom_snapshot({"before": "2026-12-30T10:00:00Z"}, "before", "present", None)
    assert plan.action is None
    assert plan.expiration_mismatch is False


@pytest.mark.parametrize("listed", ["before", "snap-before"])
def test_plan_custom_absent_there_deletes_the_listed_name(listed):
    plan = _custom_snapshots.plan_custom_snapshot({listed: None, "other": None}, "before", "absent", None)
    assert plan.action == "delete"
    assert plan.listed_name == listed
    assert plan.before == {"name": listed, "expiration": None}
    assert plan.after is None


def test_plan_custom_absent_deletes_the_exact_name_and_its_prefixed_twin():
    plan = _custom_snapshots.plan_custom_snapshot({"snap-before": None, "before": "2099-01-01T00:00:00Z", "other": None}, "before", "absent", None)
    assert plan.action == "delete"
    assert plan.listed_name == "before"
    assert plan.listed_names == ("before", "snap-before")
    # once both are gone, absent holds
    assert _custom_snapshots.plan_custom_snapshot({"other": None}, "before", "absent", None).action is None


def test_custom_snapshot_listings():
    assert _custom_snapshots.custom_snapshot_listings(["snap-a", "a", "b"], "a") == ["a", "snap-a"]
    assert _custom_snapshots.custom_snapshot_listings(["snap-a"], "a") == ["snap-a"]
    assert _custom_snapshots.custom_snapshot_listings([], "a") == []


def test_plan_custom_absent_missing_does_nothing():
    plan = _custom_snapshots.plan_custom_snapshot({"other": None}, "before", "absent", None)
    assert plan == _custom_snapshots.CustomSnapshotPlan(None, None, False, None, None)
    assert not plan.changed


def test_plan_custom_absent_accepts_any_listed_name():
    plan = _custom_snapshots.plan_custom_snapshot({"odd name": None}, "odd name", "absent", None)
    assert plan.action == "delete"


def test_plan_custom_present_refuses_invalid_name():
    with pytest.raises(ValueError, match="not allowed"):
        _custom_snapshots.plan_custom_snapshot({}, "bad name", "present", None)


def test_plan_custom_present_refuses_an_eleventh_snapshot():
    existing = dict(("s%d" % i, None) for i in range(_custom_snapshots.MAX_CUSTOM_SNAPSHOTS))
    with pytest.raises(ValueError, match="already has 10 custom snapshots"):
        _custom_snapshots.plan_custom_snapshot(existing, "one-more", "present", None)
    # an existing one is still found, and one can still be deleted
    assert _custom_snapshots.plan_custom_snapshot(existing, "s3", "present", None).action is None
    assert _custom_snapshots.plan_custom_snapshot(existing, "s3", "absent", None).action == "delete"
    del existing["s0"]
    assert _custom_snapshots.plan_custom_snapshot(existing, "one-more", "present", None).action == "create"


def test_plan_custom_refuses_unknown_state():
    with pytest.raises(ValueError, match="state"):
        _custom_snapshots.plan_custom_snapshot({}, "before", "gone", None)


# ------------------------------------------------------------------ paths and tasks


def test_snapshot_path():
    assert _routes.snapshot_path("snap-before") == ".zfs/snapshot/snap-before"


def test_routes():
    assert _routes.service_path("zpool-1") == "/dedicated/nasha/zpool-1"
    assert _routes.partitions_path("zpool-1") == "/dedicated/nasha/zpool-1/partition"
    assert _routes.partition_path("zpool-1", "backups") == "/dedicated/nasha/zpool-1/partition/backups"
    assert _routes.schedule_path("zpool-1", "backups") == "/dedicated/nasha/zpool-1/partition/backups/snapshot"
    assert _routes.schedule_type_path("zpool-1", "backups", "day-1") == "/dedicated/nasha/zpool-1/partition/backups/snapshot/day-1"
    assert _routes.custom_snapshots_path("zpool-1", "backups") == "/dedicated/nasha/zpool-1/partition/backups/customSnapshot"
    assert _routes.custom_snapshot_path("zpool-1", "backups", "snap-x") == "/dedicated/nasha/zpool-1/partition/backups/customSnapshot/snap-x"
    assert _routes.tasks_path("zpool-1") == "/dedicated/nasha/zpool-1/task"
    assert _routes.task_path("zpool-1", 42) == "/dedicated/nasha/zpool-1/task/42"


def test_routes_quote_every_name():
    assert _routes.partition_path("zpool 1", "a:b") == "/dedicated/nasha/zpool%201/partition/a%3Ab"
    assert _routes.custom_snapshot_path("z", "p", "x:y@") == "/dedicated/nasha/z/partition/p/customSnapshot/x%3Ay%40"


@pytest.mark.parametrize("value", [".", "..", "", "  ", "a/b", "../x", "%2e%2e", "a%2Fb", "a\\b", "x?y", "x#y", "x\n", "\tx", "x\x7f", None])
def test_route_name_error_refuses_names_that_change_the_route(value):
    error = _routes.route_name_error("partition_name", value)
    assert error is not None and error.startswith("partition_name ")
    with pytest.raises(_routes.RouteNameError):
        _routes.partition_path("zpool-1", value)
    with pytest.raises(_routes.RouteNameError):
        _routes.schedule_path(value, "backups")


@pytest.mark.parametrize("value", ["zpool-123456", "backups", "my.partition", "a..b", "...", "x y", "caf\u00e9"])
def test_route_name_error_accepts_ordinary_names(value):
    assert _routes.route_name_error("partition_name", value) is None


def test_route_name_error_messages():
    assert "would change the route of the request once the URL is normalised" in _routes.route_name_error("service_name", "..")
    assert _routes.route_name_error("partition_name", "a/b") == (
        "partition_name 'a/b' holds '/', which a name cannot hold: it could change the route of the request")
    assert _routes.route_name_error("partition_name", "") == "partition_name must be a non-empty name, not ''"


def test_task_summary():
    task = {
        "taskId": 7, "operation": _schedule.OPERATION_SCHEDULE, "status": "todo", "details": "queued",
        "partitionName": "backups", "storageName": "zpool-1", "todoDate": "2026-01-01T00:00:00Z",
    }
    assert _tasks.task_summary(task) == {
        "id": 7, "operation": "clusterLeclercSnapshotUpdate", "status": "todo", "details": "queued", "partition_name": "backups",
    }
    assert _tasks.task_summary({}) == {"id": None, "operation": None, "status": None, "details": None, "partition_name": None}
