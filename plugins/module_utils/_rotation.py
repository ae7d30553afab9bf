# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rotating custom snapshots: "keep the last N, one every period", planned from the names alone.

A rotation is declared as {label, every, keep, prefix}. Its snapshots are named
`<prefix>-<label>-<YYYYMMDD>T<HHMM>Z`, the instant of their creation in UTC to the minute, for example
`snapkeep-nightly-20261202T0300Z`: letters, digits and hyphens only, so that the name is valid for OVHcloud and
readable as a directory on NFS and CIFS clients (no `:`), and names sort in creation order.

Everything here is pure: functions of (rotations, listed names, now), no HTTP and no AnsibleModule. The name
carries the instant, so planning needs no read of each snapshot's details. `now` is OVHcloud's clock (the module
reads it from GET /auth/time), so that names and ages do not depend on the controller's clock or time zone.
"""
from __future__ import annotations

import datetime
import re
import typing

from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import CUSTOM_NAME_PREFIX
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import (
    format_expiration,
    parse_duration,
    parse_expiration,
)

DEFAULT_PREFIX = "snapkeep"
TIMESTAMP_FORMAT = "%Y%m%dT%H%MZ"
# Names carry minutes: a shorter period could give two snapshots one name.
MIN_EVERY = datetime.timedelta(minutes=15)
# A run up to a tenth of the period early (at most 10 minutes) still creates: a cron job whose run reaches the plan a
# few minutes sooner than the previous one did must not skip a whole period. Kept small because runs closer together
# than the tolerance could otherwise pull each creation earlier than the previous one's period.
TOLERANCE_SHARE = 10
MAX_TOLERANCE = datetime.timedelta(minutes=10)
LABEL_RE = re.compile(r"^[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*$")
_TIMESTAMP_RE = r"(\d{8}T\d{4}Z)"

_UTC = datetime.timezone.utc


def label_error(value, what="label"):
    """None when `value` can be a rotation label or prefix, else a sentence saying why not."""
    if not isinstance(value, str) or not LABEL_RE.match(value):
        return ("%s must be letters and digits, optionally in groups joined by single hyphens (such as nightly or "
                "db-hourly), not %r" % (what, value))
    return None


def every_error(value):
    """None when `value` is a valid rotation period (a duration of MIN_EVERY or more), else a sentence."""
    try:
        every = parse_duration(value)
    except ValueError as exc:
        return str(exc)
    if every < MIN_EVERY:
        return "every must be %d minutes or more (names carry the minute), not %s" % (MIN_EVERY.seconds // 60, value)
    return None


def tolerance(every):
    """How much younger than `every` the newest snapshot may be and a new one still be due."""
    return min(every / TOLERANCE_SHARE, MAX_TOLERANCE)


def rotation_name(prefix, label, instant):
    """The name of the snapshot a rotation creates at `instant` (UTC, to the minute)."""
    return "%s-%s-%s" % (prefix, label, parse_expiration(instant).strftime(TIMESTAMP_FORMAT))


def _name_re(prefix, label):
    # The control panel's "snap-" prefix on a listed name is the same snapshot (as for fixed names).
    return re.compile(r"^(?:%s)?%s-%s-%s$" % (re.escape(CUSTOM_NAME_PREFIX), re.escape(prefix), re.escape(label),
                                              _TIMESTAMP_RE))


def _instant(stamp):
    try:
        return datetime.datetime.strptime(stamp, TIMESTAMP_FORMAT).replace(tzinfo=_UTC)
    except ValueError:  # 20261399T9999Z has the shape but is no instant: not a name of the rotation
        return None


def members(rotation, listed_names):
    """[(instant, listed name)] of the listed snapshots that belong to `rotation`, oldest first."""
    pattern = _name_re(rotation.get("prefix") or DEFAULT_PREFIX, rotation["label"])
    found = []
    for listed_name in listed_names or ():
        match = pattern.match(listed_name)
        instant = _instant(match.group(1)) if match else None
        if instant is not None:
            found.append((instant, listed_name))
    return sorted(found)


def belongs_to_any(rotations, listed_name):
    """Whether the listed name is a snapshot of one of `rotations`."""
    return any(members(rotation, [listed_name]) for rotation in rotations or ())


class RotationPlan(typing.NamedTuple):
    """What one rotation does on one partition in one run."""

    label: str
    create: typing.Optional[dict]  # {"name", "expiration"} or None
    delete: list  # listed names, oldest first
    kept: list  # the names of the rotation once the run is done, oldest first
    due: bool  # whether a new snapshot is due (it may still not be created: see `create`)
    next_due: str  # when the next one is due, "YYYY-MM-DDTHH:MM:SSZ"


def _utc_wall_clock(instant):
    return instant.astimezone(_UTC).replace(tzinfo=None)


def controller_wall_clock(instant):
    """The wall-clock time of `instant` in the controller's time zone (naive), with the DST rule of that instant."""
    return instant.astimezone().replace(tzinfo=None)


def age(newest, now, wall_clock=None):
    """How old the newest snapshot is: the elapsed time, or the wall-clock difference where that is more.

    A job started by cron at 03:00 local time runs 23 hours after the previous one on the day DST begins; its
    wall-clock difference is 24 hours, so the period is not skipped. Names and instants stay in UTC.
    """
    wall_clock = wall_clock or _utc_wall_clock
    return max(now - newest, wall_clock(now) - wall_clock(newest))


def plan_rotation(rotation, listed_names, now, wall_clock=None):
    """Plan one rotation: create when the newest is `every` old (less the tolerance), delete the oldest beyond `keep`.

    `listed_names` are every custom snapshot name the partition lists; only those of this rotation are considered.
    A name whose instant lies ahead of `now` (a clock set back, or skew between two controllers) counts as the
    newest: nothing is created before the period has passed after it, and nothing is named twice.
    `wall_clock(instant)` gives the naive local time the age is also measured in (see `age`); UTC by default.
    """
    now = parse_expiration(now).replace(second=0, microsecond=0)
    prefix = rotation.get("prefix") or DEFAULT_PREFIX
    every = parse_duration(rotation["every"])
    keep = int(rotation["keep"])
    found = members(rotation, listed_names)
    newest = found[-1][0] if found else None
    due = newest is None or age(newest, now, wall_clock) >= every - tolerance(every)
    name = rotation_name(prefix, rotation["label"], now)
    create = None
    listed = set(listed_names or ())
    if due and name not in listed and CUSTOM_NAME_PREFIX + name not in listed:
        create = {"name": name, "expiration": format_expiration(now + (keep + 1) * every)}
    # keep is 1 or more (the schema), so the name created, the newest, is never among those deleted
    after = [listed_name for dummy, listed_name in found] + ([name] if create else [])
    excess = max(0, len(after) - keep)
    newest_after = now if create else newest
    # in elapsed time; a local-time job may find it due sooner, on the day DST begins
    next_due = newest_after + every - tolerance(every) if newest_after is not None else now
    return RotationPlan(
        label=rotation["label"],
        create=create,
        delete=after[:excess],
        kept=after[excess:],
        due=due,
        next_due=format_expiration(next_due),
    )


def plan_rotations(rotations, listed_names, now, wall_clock=None):
    """[RotationPlan] of every rotation, in the declared order."""
    return [plan_rotation(rotation, listed_names, now, wall_clock) for rotation in rotations or ()]


def fixed_name_conflicts(fixed_names, rotations):
    """(fixed name, rotation label) for each declared fixed name that a rotation would take as its own."""
    conflicts = []
    for name in fixed_names:
        for rotation in rotations or ():
            if members(rotation, [name]):
                conflicts.append((name, rotation["label"]))
    return conflicts
