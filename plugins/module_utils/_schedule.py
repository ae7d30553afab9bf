# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The automatic snapshot schedule of a partition: its types, the plan from one schedule to another, and
the order of its writes. Pure: no HTTP, no AnsibleModule."""
from __future__ import annotations

import typing

SNAPSHOT_TYPES = ("hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7")
OPERATION_SCHEDULE = "clusterLeclercSnapshotUpdate"

STATES = ("present", "absent")


def sort_snapshot_types(types):
    """Return the types without duplicates, known ones in canonical order.

    A type OVHcloud may add later is kept, after the known ones, in alphabetical order.
    """
    unique = set(types or ())
    known = [t for t in SNAPSHOT_TYPES if t in unique]
    unknown = sorted(t for t in unique if t not in SNAPSHOT_TYPES)
    return known + unknown


def invalid_snapshot_types(types):
    """Return the unknown types, without duplicates, in the order given."""
    invalid = []
    for snapshot_type in types or ():
        if snapshot_type not in SNAPSHOT_TYPES and snapshot_type not in invalid:
            invalid.append(snapshot_type)
    return invalid


class SchedulePlan(typing.NamedTuple):
    """The schedule of one partition before and after, and the writes between them."""

    before: list
    after: list
    to_add: list
    to_remove: list

    @property
    def changed(self):
        return bool(self.to_add or self.to_remove)


def plan_schedule(current, desired, state="present", purge=True):
    """Compare the scheduled types with the declared ones.

    present + purge: exactly the declared types; present without purge: the declared types are added
    to the current ones; absent: the declared types are removed.
    """
    if state not in STATES:
        raise ValueError("state must be one of %s, not %r" % (", ".join(STATES), state))
    invalid = invalid_snapshot_types(desired)
    if invalid:
        raise ValueError(
            "unknown snapshot type(s) %s; valid types are %s" % (", ".join(str(t) for t in invalid), ", ".join(SNAPSHOT_TYPES))
        )
    before = sort_snapshot_types(current)
    wanted = set(desired or ())
    if state == "absent":
        after = [t for t in before if t not in wanted]
    elif purge:
        after = sort_snapshot_types(wanted)
    else:
        after = sort_snapshot_types(set(before) | wanted)
    return SchedulePlan(
        before=before,
        after=after,
        to_add=[t for t in after if t not in before],
        to_remove=[t for t in before if t not in after],
    )


class ScheduleChange(typing.NamedTuple):
    """One write of a schedule change: add or remove one snapshot type."""

    action: str
    snapshot_type: str


def schedule_phases(plan):
    """The writes of a SchedulePlan in phases, so that a failed addition never leaves a partition unprotected.

    A phase's writes may be sent together (overlapping); every task of a phase must be seen done before
    the next phase is sent. A removal is sent only while the partition keeps at least one automatic
    snapshot type even if every addition still pending failed: when a scheduled type stays, everything
    goes in one phase; a pure replacement (no type stays) adds first and removes once the additions are
    done. An empty schedule declared on purpose (removals and no addition) is one phase of removals.
    """
    additions = [ScheduleChange("add", snapshot_type) for snapshot_type in plan.to_add]
    removals = [ScheduleChange("remove", snapshot_type) for snapshot_type in plan.to_remove]
    stays = any(snapshot_type not in plan.to_remove for snapshot_type in plan.before)
    if stays or not additions or not removals:
        phases = [additions + removals]
    else:
        phases = [additions, removals]
    return [phase for phase in phases if phase]
