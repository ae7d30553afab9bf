# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _policy as policy
from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import MAX_CUSTOM_SNAPSHOTS

UTC = datetime.timezone.utc
NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
SERVICE = "zpool-100001"


def merge_errors(*args, **kwargs):
    with pytest.raises(policy.PolicyError) as raised:
        policy.merge_policy(SERVICE, *args, **kwargs)
    return raised.value.errors


def full(**keys):
    """The merged policy of a partition whose only declared keys are `keys` (in the defaults layer)."""
    return policy.merge_policy(SERVICE, None, keys, ["p"])["p"]


def in_defaults(message):
    """A message about the policy's `policy.<path>`, as merge_policy says it of the defaults layer."""
    return "%s: %s%s" % (SERVICE, policy.DEFAULTS_VARIABLE, message[len("policy"):])


def snapshot(name, expiration=None, expires_in=None, state="present"):
    return {"name": name, "expiration": expiration, "expires_in": expires_in, "state": state}


# ------------------------------------------------------------------ the schema of one merged policy


def test_a_policy_gets_the_default_of_every_key_no_layer_declares():
    assert full() == {
        "snapshot_types": None,
        "purge_snapshot_types": True,
        "custom_snapshots": [],
        "purge_custom_snapshots": False,
        "custom_snapshot_rotations": [],
        "purge_custom_snapshots_prefix": None,
    }


def test_a_policy_gets_the_state_of_its_custom_snapshots_filled_in():
    validated = full(custom_snapshots=[{"name": "keep", "expires_in": "7d"}])
    assert validated["custom_snapshots"] == [{"name": "keep", "expiration": None, "expires_in": "7d", "state": "present"}]


def test_a_policy_accepts_the_booleans_ansible_accepts():
    validated = full(purge_snapshot_types="no", purge_custom_snapshots="yes")
    assert validated["purge_snapshot_types"] is False
    assert validated["purge_custom_snapshots"] is True


@pytest.mark.parametrize(
    "declared, message",
    [
        ({"snapshot_type": ["day-1"]}, "policy.snapshot_type: unknown key (did you mean snapshot_types?)"),
        ({"snapshot_types": ["day-9"]}, "policy.snapshot_types[0]: unknown snapshot type 'day-9'"),
        ({"snapshot_types": "day-1"}, "policy.snapshot_types: must be a list, not 'day-1'"),
        ({"purge_snapshot_types": "maybe"}, "policy.purge_snapshot_types: must be a boolean"),
        ({"custom_snapshots": [{"expires_in": "1d"}]}, "policy.custom_snapshots[0].name: missing (required)"),
        ({"custom_snapshots": [{"name": "a/b"}]}, "policy.custom_snapshots[0] (a/b).name: custom snapshot name 'a/b' is not allowed"),
        ({"custom_snapshots": [{"name": "a", "expiration": "soon"}]}, "policy.custom_snapshots[0] (a).expiration: expiration 'soon' is not a date"),
        ({"custom_snapshots": [{"name": "a", "expires_in": "7 days"}]}, "policy.custom_snapshots[0] (a).expires_in: duration '7 days' has an unknown unit"),
        ({"custom_snapshots": [{"name": "a", "expiration": "2027-01-01", "expires_in": "1d"}]},
         "policy.custom_snapshots[0] (a): give either expiration or expires_in, not both"),
        ({"custom_snapshots": [{"name": "a", "state": "gone"}]}, "policy.custom_snapshots[0] (a).state: must be one of present, absent"),
        ({"custom_snapshots": [{"name": "a", "expire": "1d"}]}, "policy.custom_snapshots[0] (a).expire: unknown key (did you mean expires_in?)"),
        ({"custom_snapshots": ["a"]}, "policy.custom_snapshots[0]: must be a dictionary, not 'a'"),
    ],
)
def test_a_policy_is_refused(declared, message):
    errors = merge_errors(None, declared, ["p"])
    assert len(errors) == 1
    assert errors[0].startswith(in_defaults(message))


# ------------------------------------------------------------------ merge: precedence


TEMPLATES = {
    "gold": {"snapshot_types": ["hour-1", "day-1"], "custom_snapshots": [{"name": "monthly", "expires_in": "30d"}]},
    "bronze": {"snapshot_types": ["day-7"], "purge_snapshot_types": False},
}
DEFAULTS = {"snapshot_types": ["day-1"], "purge_custom_snapshots": True}


def test_merge_precedence_is_own_keys_then_template_then_defaults():
    merged = policy.merge_policy(SERVICE, TEMPLATES, DEFAULTS, [
        {"name": "backups", "policy": "gold"},
        {"name": "media", "policy": "bronze", "snapshot_types": ["day-3"]},
        {"name": "scratch"},
    ])
    assert list(merged) == ["backups", "media", "scratch"]
    assert merged["backups"] == {
        "snapshot_types": ["hour-1", "day-1"],  # template over defaults
        "purge_snapshot_types": True,  # built-in default
        "custom_snapshots": [snapshot("monthly", expires_in="30d")],
        "purge_custom_snapshots": True,  # defaults
        "custom_snapshot_rotations": [],
        "purge_custom_snapshots_prefix": None,
    }
    assert merged["media"]["snapshot_types"] == ["day-3"]  # own key over template
    assert merged["media"]["purge_snapshot_types"] is False  # template
    assert merged["scratch"] == {
        "snapshot_types": ["day-1"],
        "purge_snapshot_types": True,
        "custom_snapshots": [],
        "purge_custom_snapshots": True,
        "custom_snapshot_rotations": [],
        "purge_custom_snapshots_prefix": None,
    }


def test_merge_replaces_lists_rather_than_joining_them():
    merged = policy.merge_policy(SERVICE, TEMPLATES, DEFAULTS, [
        {"name": "backups", "policy": "gold", "custom_snapshots": [{"name": "once", "state": "absent"}]},
    ])
    assert merged["backups"]["custom_snapshots"] == [snapshot("once", state="absent")]


def test_merge_sorts_and_dedups_the_snapshot_types():
    merged = policy.merge_policy(SERVICE, None, None, [{"name": "a", "snapshot_types": ["day-7", "hour-1", "day-7"]}])
    assert merged["a"]["snapshot_types"] == ["hour-1", "day-7"]


def test_merge_of_nothing_declares_nothing():
    assert policy.merge_policy(SERVICE, None, None, None) == {}
    assert policy.merge_policy(SERVICE, {}, {}, []) == {}


def test_merge_does_not_change_what_it_is_given():
    partitions = [{"name": "backups", "policy": "gold"}]
    merged = policy.merge_policy(SERVICE, TEMPLATES, DEFAULTS, partitions)
    merged["backups"]["custom_snapshots"].append(snapshot("extra"))
    merged["backups"]["snapshot_types"].append("day-2")
    assert TEMPLATES["gold"]["custom_snapshots"] == [{"name": "monthly", "expires_in": "30d"}]
    assert TEMPLATES["gold"]["snapshot_types"] == ["hour-1", "day-1"]
    assert partitions == [{"name": "backups", "policy": "gold"}]


# ------------------------------------------------------------------ merge: discovered partitions


def test_all_partitions_gives_the_defaults_to_every_discovered_partition():
    merged = policy.merge_policy(SERVICE, TEMPLATES, DEFAULTS, [{"name": "media", "policy": "bronze"}],
                                 discovered_partitions=["scratch", "media", "backups"], all_partitions=True)
    assert list(merged) == ["media", "backups", "scratch"]
    assert merged["media"]["snapshot_types"] == ["day-7"]
    assert merged["backups"] == merged["scratch"] == policy.merge_policy(SERVICE, None, DEFAULTS, [{"name": "x"}])["x"]


def test_without_all_partitions_only_listed_partitions_are_planned():
    merged = policy.merge_policy(SERVICE, TEMPLATES, DEFAULTS, [{"name": "media"}], discovered_partitions=["media", "backups"])
    assert list(merged) == ["media"]


def test_all_partitions_before_discovery_merges_the_listed_ones():
    merged = policy.merge_policy(SERVICE, TEMPLATES, DEFAULTS, [{"name": "media"}], all_partitions=True)
    assert list(merged) == ["media"]


def test_a_listed_partition_the_service_does_not_have_is_an_error():
    errors = merge_errors(None, None, [{"name": "media"}, {"name": "medai"}], discovered_partitions=["media", "backups"], all_partitions=True)
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_partitions[1] (medai).name: no such partition on the service (did you mean media?); "
        "it has: backups, media",
    ]


def test_a_listed_partition_the_service_does_not_have_is_an_error_without_all_partitions_too():
    errors = merge_errors(None, None, [{"name": "pgdata"}, {"name": "pgdat"}], discovered_partitions=["pgdata", "wal"])
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_partitions[1] (pgdat).name: no such partition on the service (did you mean pgdata?); "
        "it has: pgdata, wal",
    ]


def test_a_partition_given_as_a_bare_name_is_one_with_that_name_only():
    merged = policy.merge_policy(SERVICE, None, {"snapshot_types": ["day-1"]}, ["wal2", {"name": "pgdata"}])
    assert list(merged) == ["wal2", "pgdata"]
    assert merged["wal2"] == merged["pgdata"] == full(snapshot_types=["day-1"])


def test_an_unknown_template_before_a_valid_partition_is_reported_not_raised():
    # A name reused for the message used to turn the list of valid entries into a text (AttributeError).
    errors = merge_errors(TEMPLATES, None, [{"name": "a", "policy": "glod"}, {"name": "b"}])
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_partitions[0] (a).policy: unknown template 'glod' (did you mean gold?); "
        "the templates are: bronze, gold",
    ]


def test_messages_can_name_the_options_of_the_module():
    errors = merge_errors(None, {"snapshot_type": ["day-1"]}, [{"name": "a", "polcy": "gold"}], names=policy.MODULE_NAMES)
    assert errors == [
        "zpool-100001: defaults.snapshot_type: unknown key (did you mean snapshot_types?)",
        "zpool-100001: partitions[0] (a).polcy: unknown key (did you mean policy?)",
    ]


def test_an_empty_schedule_is_refused_with_the_reason():
    errors = merge_errors({"gold": {"snapshot_types": []}}, None, [{"name": "a", "snapshot_types": []}])
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_templates.gold.snapshot_types: " + policy._EMPTY_SCHEDULE,
        "zpool-100001: nasha_snapshot_policy_partitions[0] (a).snapshot_types: " + policy._EMPTY_SCHEDULE,
    ]
    assert "automatic snapshots cannot be disabled" in policy._EMPTY_SCHEDULE


def test_a_past_expiration_is_a_validation_error_when_now_is_given():
    declared = [{"name": "a", "custom_snapshots": [{"name": "typo", "expiration": "2025-06-01"}, {"name": "ok", "expiration": "2027-06-01"}]},
                {"name": "b", "custom_snapshots": [{"name": "gone", "expiration": "2025-01-01", "state": "absent"}]}]
    with pytest.raises(policy.PolicyError):
        policy.merge_policy(SERVICE, None, None, [{"name": "x", "custom_snapshots": [{"name": "g", "state": "absent", "expires_in": "1d"}]}])
    errors = merge_errors(None, {"custom_snapshots": [{"name": "d", "expiration": "2026-03-01T12:00:00Z"}]}, declared, now=NOW)
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_defaults.custom_snapshots[0] (d).expiration: 2026-03-01T12:00:00Z is in the past "
        "(it is now 2026-03-01T12:00:00Z UTC)",
        "zpool-100001: nasha_snapshot_policy_partitions[0] (a).custom_snapshots[0] (typo).expiration: 2025-06-01 is in the past "
        "(it is now 2026-03-01T12:00:00Z UTC)",
        "zpool-100001: nasha_snapshot_policy_partitions[1] (b).custom_snapshots[0] (gone): "
        "a snapshot declared absent takes no expiration or expires_in",
    ]
    assert policy.merge_policy(SERVICE, None, None, declared[:1], now=NOW - datetime.timedelta(days=3650))


# ------------------------------------------------------------------ merge: errors


def test_the_typo_of_the_issue():
    errors = merge_errors(None, None, [{"name": "media"}, {"name": "backups", "snapshot_type": ["day-1"]}])
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_partitions[1] (backups).snapshot_type: unknown key (did you mean snapshot_types?)",
    ]


def test_unknown_template():
    errors = merge_errors(TEMPLATES, None, [{"name": "backups", "policy": "glod"}])
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_partitions[0] (backups).policy: unknown template 'glod' (did you mean gold?); "
        "the templates are: bronze, gold",
    ]


def test_unknown_template_when_none_is_declared():
    errors = merge_errors(None, None, [{"name": "backups", "policy": "gold"}])
    assert errors == ["zpool-100001: nasha_snapshot_policy_partitions[0] (backups).policy: unknown template 'gold'; no template is declared"]


def test_duplicate_partition():
    errors = merge_errors(None, None, [{"name": "backups"}, {"name": "media"}, {"name": "backups", "snapshot_types": ["day-1"]}])
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_partitions[2] (backups).name: partition declared twice (first at nasha_snapshot_policy_partitions[0])",
    ]


def test_duplicate_custom_snapshot_in_one_list():
    errors = merge_errors({"gold": {"custom_snapshots": [{"name": "a"}, {"name": "b"}, {"name": "a", "state": "absent"}]}}, None, [])
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_templates.gold.custom_snapshots[2] (a).name: "
        "custom snapshot declared twice in the same list (first at custom_snapshots[0])",
    ]


def test_errors_in_every_layer_are_all_reported_with_their_path():
    errors = merge_errors(
        {"gold": {"snapshot_types": ["hour-1", "day-9"], "purge_snapshots_types": True}, "bronze": "day-7"},
        {"purge_custom_snapshot": True},
        [
            {"name": "backups", "policy": "gold", "snapshot_type": ["day-1"]},
            7,
            {"policy": "gold"},
            {"name": "db", "custom_snapshots": [{"name": "ok"}, {"name": "bad name", "expires_in": "1d", "expiration": "2027-01-01"}]},
        ],
    )
    assert errors == [
        "zpool-100001: nasha_snapshot_policy_defaults.purge_custom_snapshot: unknown key (did you mean purge_custom_snapshots?)",
        "zpool-100001: nasha_snapshot_policy_templates.bronze: must be a dictionary, not 'day-7'",
        "zpool-100001: nasha_snapshot_policy_templates.gold.snapshot_types[1]: unknown snapshot type 'day-9'; "
        "valid types are hour-1, hour-6, day-1, day-2, day-3, day-7",
        "zpool-100001: nasha_snapshot_policy_templates.gold.purge_snapshots_types: unknown key (did you mean purge_snapshot_types?)",
        "zpool-100001: nasha_snapshot_policy_partitions[0] (backups).snapshot_type: unknown key (did you mean snapshot_types?)",
        "zpool-100001: nasha_snapshot_policy_partitions[1]: must be a partition name or a dictionary with at least a name, not 7",
        "zpool-100001: nasha_snapshot_policy_partitions[2].name: missing (required)",
        "zpool-100001: nasha_snapshot_policy_partitions[3] (db).custom_snapshots[1] (bad name).name: custom snapshot name 'bad name' is not allowed: "
        "use only letters (a-z, A-Z), digits (0-9), dots (.), colons (:) and hyphens (-)",
        "zpool-100001: nasha_snapshot_policy_partitions[3] (db).custom_snapshots[1] (bad name): give either expiration or expires_in, not both",
    ]


def test_layers_of_the_wrong_type():
    assert merge_errors(["gold"], [], {"name": "a"}) == [
        "zpool-100001: nasha_snapshot_policy_defaults: must be a dictionary, not []",
        "zpool-100001: nasha_snapshot_policy_templates: must be a dictionary of template name: policy, not ['gold']",
        "zpool-100001: nasha_snapshot_policy_partitions: must be a list of partitions, not {'name': 'a'}",
    ]


def test_policy_error_message_joins_every_error():
    with pytest.raises(policy.PolicyError) as raised:
        policy.merge_policy(SERVICE, None, {"x": 1}, [{"name": "a", "y": 2}])
    assert str(raised.value) == (
        "zpool-100001: nasha_snapshot_policy_defaults.x: unknown key; "
        "zpool-100001: nasha_snapshot_policy_partitions[0] (a).y: unknown key"
    )


# ------------------------------------------------------------------ plan: schedule


def test_plan_schedule_exact_set_by_default():
    plan = policy.plan_partition(full(snapshot_types=["hour-1", "day-1"]), ["day-1", "day-7"], {}, NOW)
    assert (plan.snapshot_types_before, plan.snapshot_types_after) == (["day-1", "day-7"], ["hour-1", "day-1"])
    assert (plan.add, plan.remove) == (["hour-1"], ["day-7"])
    assert plan.changed


def test_plan_schedule_without_purge_only_adds():
    plan = policy.plan_partition(full(snapshot_types=["hour-1"], purge_snapshot_types=False), ["day-7"], {}, NOW)
    assert (plan.add, plan.remove, plan.snapshot_types_after) == (["hour-1"], [], ["hour-1", "day-7"])


def test_plan_schedule_left_alone_when_no_type_is_declared():
    plan = policy.plan_partition(full(), ["day-7", "hour-6"], {}, NOW)
    assert (plan.add, plan.remove) == ([], [])
    assert plan.snapshot_types_before == plan.snapshot_types_after == ["hour-6", "day-7"]
    assert not plan.changed


def test_plan_of_a_policy_that_holds_changes_nothing():
    declared = full(snapshot_types=["hour-1", "day-1"], custom_snapshots=[{"name": "keep", "expiration": "2026-12-31"}, {"name": "gone", "state": "absent"}])
    plan = policy.plan_partition(declared, ["day-1", "hour-1"], {"keep": "2026-12-31T00:00:00Z", "manual": None}, NOW)
    assert plan == policy.PartitionPlan(["hour-1", "day-1"], ["hour-1", "day-1"], [], [], [], [], [], [], [])
    assert not plan.changed


# ------------------------------------------------------------------ plan: custom snapshots


def test_plan_creates_missing_snapshots_with_the_expiration_to_send():
    declared = full(custom_snapshots=[
        {"name": "week", "expires_in": "7d"},
        {"name": "year-end", "expiration": "2027-01-01T01:00:00+01:00"},
        {"name": "forever"},
    ])
    plan = policy.plan_partition(declared, [], {}, NOW)
    assert plan.create == [
        {"name": "week", "expiration": "2026-03-08T12:00:00Z", "expires_in": "7d"},
        {"name": "year-end", "expiration": "2027-01-01T00:00:00Z", "expires_in": None},
        {"name": "forever", "expiration": None, "expires_in": None},
    ]
    assert plan.delete == [] and plan.changed


def test_plan_finds_snapshots_listed_with_the_control_panel_prefix():
    declared = full(custom_snapshots=[{"name": "keep"}, {"name": "old", "state": "absent"}], purge_custom_snapshots=True)
    plan = policy.plan_partition(declared, [], {"snap-keep": None, "snap-old": None}, NOW)
    assert plan.create == []
    assert plan.delete == ["snap-old"]


def test_plan_deletes_a_declared_absent_snapshot_and_its_prefixed_twin():
    declared = full(custom_snapshots=[{"name": "old", "state": "absent"}], purge_custom_snapshots=True)
    plan = policy.plan_partition(declared, [], {"old": None, "snap-old": None, "manual": None}, NOW)
    assert plan.delete == ["old", "snap-old", "manual"]


def test_plan_deletes_declared_absent_snapshots_only_when_they_exist():
    declared = full(custom_snapshots=[{"name": "old", "state": "absent"}, {"name": "never", "state": "absent"}])
    plan = policy.plan_partition(declared, [], {"old": None, "manual": None}, NOW)
    assert plan.delete == ["old"]


def test_plan_leaves_undeclared_snapshots_alone_without_purge():
    plan = policy.plan_partition(full(custom_snapshots=[{"name": "keep"}]), [], {"keep": None, "manual": None}, NOW)
    assert plan.delete == [] and not plan.changed


def test_plan_purges_undeclared_snapshots_when_asked():
    declared = full(custom_snapshots=[{"name": "keep"}, {"name": "old", "state": "absent"}], purge_custom_snapshots=True)
    plan = policy.plan_partition(declared, [], {"zz": None, "keep": None, "old": None, "aa": None}, NOW)
    assert plan.delete == ["old", "aa", "zz"]


def test_plan_reports_an_expiration_mismatch_and_never_deletes_for_it():
    declared = full(custom_snapshots=[{"name": "keep", "expiration": "2026-12-31"}, {"name": "same", "expiration": "2026-06-01T02:00:00+02:00"}])
    plan = policy.plan_partition(declared, [], {"keep": "2026-11-30T00:00:00Z", "same": "2026-06-01T00:00:00Z"}, NOW)
    assert plan.expiration_mismatches == [
        {"name": "keep", "expiration": "2026-11-30T00:00:00Z", "declared_expiration": "2026-12-31T00:00:00Z", "declared_expires_in": None},
    ]
    assert (plan.create, plan.delete, plan.changed) == ([], [], False)


def test_plan_accepts_an_existing_snapshot_that_its_lifetime_can_explain():
    plan = policy.plan_partition(full(custom_snapshots=[{"name": "week", "expires_in": "7d"}]), [], {"week": "2026-03-02T00:00:00Z"}, NOW)
    assert plan.expiration_mismatches == [] and not plan.changed


@pytest.mark.parametrize("reported", [None, "2026-03-09T12:06:00Z"])
def test_plan_reports_an_existing_snapshot_that_its_lifetime_cannot_explain(reported):
    # No expiration, or one further than 7 days (and the clock slack) from now: it was not created with 7d.
    plan = policy.plan_partition(full(custom_snapshots=[{"name": "week", "expires_in": "7d"}]), [], {"week": reported}, NOW)
    assert plan.expiration_mismatches == [
        {"name": "week", "expiration": reported, "declared_expiration": None, "declared_expires_in": "7d"},
    ]
    assert plan.errors == [] and not plan.changed


def test_plan_with_expiration_mismatch_fail_makes_each_mismatch_an_error():
    declared = full(custom_snapshots=[{"name": "keep", "expiration": "2026-12-31"}, {"name": "week", "expires_in": "7d"}])
    existing = {"keep": "2026-11-30T00:00:00Z", "week": None}
    plan = policy.plan_partition(declared, [], existing, NOW, expiration_mismatch="fail")
    assert plan.errors == [
        "custom snapshot keep expires at 2026-11-30T00:00:00Z, not the declared 2026-12-31T00:00:00Z; OVHcloud cannot change "
        "the expiration of a snapshot (expiration_mismatch is fail)",
        "custom snapshot week has no expiration, not the declared lifetime of 7d; OVHcloud cannot change the expiration of a "
        "snapshot (expiration_mismatch is fail)",
    ]
    for choice in ("warn", "ignore"):
        plan = policy.plan_partition(declared, [], existing, NOW, expiration_mismatch=choice)
        assert plan.errors == [] and len(plan.expiration_mismatches) == 2
    with pytest.raises(ValueError):
        policy.plan_partition(declared, [], existing, NOW, expiration_mismatch="warning")


def test_plan_does_not_create_a_snapshot_whose_expiration_has_passed():
    declared = full(custom_snapshots=[{"name": "last-year", "expiration": "2026-01-01"}, {"name": "today", "expiration": NOW.isoformat()}])
    plan = policy.plan_partition(declared, [], {}, NOW)
    assert plan.expired == ["last-year", "today"]
    assert plan.create == [] and not plan.changed


def test_plan_counts_what_the_partition_would_hold_after_the_run():
    # The case of the issue: 11 declared on a partition holding one undeclared snapshot.
    declared = full(custom_snapshots=[{"name": "c%d" % index} for index in range(11)], snapshot_types=["day-1"])
    plan = policy.plan_partition(declared, [], {"manual": None}, NOW)
    assert plan.errors == [
        "the policy would leave 12 custom snapshots on the partition, more than the 10 OVHcloud allows: 1 kept "
        "(1 of them not declared: manual), 11 to create, 0 to delete; delete some, or set purge_custom_snapshots",
    ]
    assert len(plan.create) == 11 and plan.add == ["day-1"]


def test_plan_counts_the_existing_declared_ones_as_kept():
    existing = dict(("s%d" % index, None) for index in range(MAX_CUSTOM_SNAPSHOTS - 1))
    declared = full(custom_snapshots=[{"name": "s0"}, {"name": "first"}, {"name": "second"}])
    plan = policy.plan_partition(declared, [], existing, NOW)
    assert plan.errors == [
        "the policy would leave 11 custom snapshots on the partition, more than the 10 OVHcloud allows: 9 kept "
        "(8 of them not declared: s1, s2, s3, s4, s5, s6, s7, s8), 2 to create, 0 to delete; delete some, or set purge_custom_snapshots",
    ]


def test_plan_up_to_the_limit_is_fine_and_purge_makes_room():
    existing = dict(("s%d" % index, None) for index in range(MAX_CUSTOM_SNAPSHOTS - 1))
    plan = policy.plan_partition(full(custom_snapshots=[{"name": "first"}]), [], existing, NOW)
    assert plan.errors == [] and [item["name"] for item in plan.create] == ["first"]
    declared = full(custom_snapshots=[{"name": "c%d" % index} for index in range(10)], purge_custom_snapshots=True)
    plan = policy.plan_partition(declared, [], existing, NOW)
    assert plan.errors == [] and len(plan.delete) == 9 and len(plan.create) == 10


def test_plan_counts_the_deletions_before_the_limit():
    existing = dict(("s%d" % index, None) for index in range(MAX_CUSTOM_SNAPSHOTS))
    declared = full(custom_snapshots=[{"name": "new"}, {"name": "s0", "state": "absent"}])
    plan = policy.plan_partition(declared, [], existing, NOW)
    assert plan.delete == ["s0"]
    assert plan.create == [{"name": "new", "expiration": None, "expires_in": None}]
    assert plan.errors == []


def test_plan_accepts_a_naive_now_as_utc():
    plan = policy.plan_partition(full(custom_snapshots=[{"name": "day", "expires_in": "1d"}]), [], {}, NOW.replace(tzinfo=None))
    assert plan.create[0]["expiration"] == "2026-03-02T12:00:00Z"


def test_custom_snapshots_to_read_are_the_existing_ones_with_a_declared_expiration_or_lifetime():
    declared = full(custom_snapshots=[
        {"name": "dated", "expiration": "2026-12-31"},
        {"name": "prefixed", "expiration": "2026-12-31"},
        {"name": "missing", "expiration": "2026-12-31"},
        {"name": "week", "expires_in": "7d"},
        {"name": "undated"},
        {"name": "old", "state": "absent"},
    ])
    listed = ["dated", "snap-prefixed", "week", "undated", "old", "manual"]
    assert policy.custom_snapshots_to_read(declared, listed) == ["dated", "snap-prefixed", "week"]
