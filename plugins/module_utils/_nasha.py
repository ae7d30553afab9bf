# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NAS-HA snapshot rules, routes and plans.

Everything here is pure: no HTTP and no AnsibleModule, so that modules, roles and tests
can compute the same plan from the same state.
"""
from __future__ import annotations

import datetime
import re
import typing
from urllib.parse import quote


SNAPSHOT_TYPES = ("hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7")
MAX_CUSTOM_SNAPSHOTS = 10
# Matched with fullmatch: with re.match and "$", a name ending in a newline would pass.
CUSTOM_NAME_RE = re.compile(r"[a-zA-Z0-9.:-]+")
CUSTOM_NAME_PREFIX = "snap-"

OPERATION_SCHEDULE = "clusterLeclercSnapshotUpdate"
OPERATION_CUSTOM_CREATE = "clusterLeclercCustomSnapCreate"
OPERATION_CUSTOM_DELETE = "clusterLeclercCustomSnapDelete"

STATES = ("present", "absent")

_UTC = datetime.timezone.utc

# --------------------------------------------------------------------------------------------
# Scheduled (automatic) snapshot types
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# Expirations
# --------------------------------------------------------------------------------------------

_EXPIRATION_RE = re.compile(
    r"""^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
        (?:[Tt\ ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?
           \ ?(?P<zone>[Zz]|[+-]\d{2}(?::?\d{2})?)?
        )?$""",
    re.VERBOSE,
)

_EXPIRATION_FORMATS = "YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.ffffff]] followed by Z or +HH:MM/-HH:MM (no zone means UTC)"


def _as_utc(value):
    """A datetime as an aware UTC datetime; a naive one is taken as UTC."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=_UTC)
    return value.astimezone(_UTC)


def _parse_zone(text):
    if text in ("Z", "z"):
        return _UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:] or 0)
    if minutes >= 60:
        raise ValueError("minutes of the offset out of range")
    return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))


def parse_expiration(value):
    """Return the instant `value` names, as an aware UTC datetime.

    Accepts a datetime (naive = UTC), a date (midnight UTC) or an ISO 8601 text: a date alone, or a date
    and a time (separated by T or a space) with optional seconds, fraction and zone (Z or an offset).
    """
    if isinstance(value, datetime.datetime):
        return _as_utc(value)
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=_UTC)
    if not isinstance(value, str):
        raise ValueError("expiration must be a date or date-time text (%s), not %r" % (_EXPIRATION_FORMATS, value))
    text = value.strip()
    match = _EXPIRATION_RE.match(text)
    if not match:
        raise ValueError("expiration %r is not a date or date-time; use %s" % (value, _EXPIRATION_FORMATS))
    parts = match.groupdict()
    try:
        zone = _parse_zone(parts["zone"]) if parts["zone"] else _UTC
        fraction = (parts["fraction"] or "")[:6].ljust(6, "0")
        parsed = datetime.datetime(
            int(parts["year"]), int(parts["month"]), int(parts["day"]),
            int(parts["hour"] or 0), int(parts["minute"] or 0), int(parts["second"] or 0),
            int(fraction), tzinfo=zone,
        )
    except ValueError as exc:
        raise ValueError("expiration %r is not a valid date or time: %s" % (value, exc)) from None
    return parsed.astimezone(_UTC)


_DURATION_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_PART_RE = re.compile(r"(\d+)\s*([a-zA-Z]+)\s*")
_DURATION_HELP = "a positive number followed by a unit (w weeks, d days, h hours, m minutes, s seconds), e.g. 30m, 12h, 7d, 2w or 1d12h"


def parse_duration(text):
    """Return the timedelta a text such as "30m", "12h", "7d", "2w", "90s" or "1d12h" names."""
    if isinstance(text, datetime.timedelta):
        if text <= datetime.timedelta(0):
            raise ValueError("duration must be positive, not %s" % text)
        return text
    if not isinstance(text, str) or not text.strip():
        raise ValueError("duration %r is empty or not a text; use %s" % (text, _DURATION_HELP))
    remaining = text.strip()
    if remaining.startswith("-"):
        raise ValueError("duration %r is negative; use %s" % (text, _DURATION_HELP))
    seconds = 0
    seen = set()
    position = 0
    while position < len(remaining):
        match = _DURATION_PART_RE.match(remaining, position)
        if not match:
            raise ValueError("duration %r is not understood; use %s" % (text, _DURATION_HELP))
        amount, unit = match.groups()
        if unit not in _DURATION_UNITS:
            raise ValueError("duration %r has an unknown unit %r; use %s" % (text, unit, _DURATION_HELP))
        if unit in seen:
            raise ValueError("duration %r gives the unit %r twice; use %s" % (text, unit, _DURATION_HELP))
        seen.add(unit)
        seconds += int(amount) * _DURATION_UNITS[unit]
        position = match.end()
    if seconds <= 0:
        raise ValueError("duration %r is zero; use %s" % (text, _DURATION_HELP))
    return datetime.timedelta(seconds=seconds)


def resolve_expiration(expiration=None, expires_in=None, now=None):
    """Return the expiration instant declared either as an instant or as a duration from `now`.

    None when neither is given. `now` defaults to the current time; the result of a duration is
    rounded down to the second, the precision sent to OVHcloud.
    """
    if expiration is not None and expires_in is not None:
        raise ValueError("give either expiration or expires_in, not both")
    if expiration is not None:
        return parse_expiration(expiration)
    if expires_in is not None:
        start = _as_utc(now) if now is not None else datetime.datetime.now(_UTC)
        return (start + parse_duration(expires_in)).replace(microsecond=0)
    return None


def format_expiration(dt):
    """The expiration text sent to OVHcloud: "YYYY-MM-DDTHH:MM:SSZ" in UTC; None stays None."""
    if dt is None:
        return None
    return parse_expiration(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def same_instant(a, b):
    """Whether two expirations (texts, datetimes or None) name the same instant, to the second.

    None only equals None. A text that is not a date is only equal to the same text.
    """
    if a is None or b is None:
        return a is None and b is None
    try:
        first = parse_expiration(a).replace(microsecond=0)
        second = parse_expiration(b).replace(microsecond=0)
    except ValueError:
        return isinstance(a, str) and isinstance(b, str) and a.strip() == b.strip()
    return first == second


# --------------------------------------------------------------------------------------------
# Custom (manual) snapshots
# --------------------------------------------------------------------------------------------


def custom_name_error(name):
    """None when `name` is a valid custom snapshot name, else a sentence saying why not."""
    if not isinstance(name, str) or not name:
        return "a custom snapshot name must be a non-empty text, not %r" % (name,)
    if not CUSTOM_NAME_RE.fullmatch(name):
        return (
            "custom snapshot name %r is not allowed: use only letters (a-z, A-Z), digits (0-9), "
            "dots (.), colons (:) and hyphens (-)" % name
        )
    return None


def custom_snapshot_listings(names, name):
    """Every listed name that is the custom snapshot `name`: `name` itself, then "snap-" + `name`, when listed."""
    listed = set(names or ())
    return [candidate for candidate in (name, CUSTOM_NAME_PREFIX + name) if candidate in listed]


def find_custom_snapshot(names, name):
    """The name under which OVHcloud lists the custom snapshot `name`, or None if it is not listed.

    OVHcloud's control panel prefixes the names it creates with "snap-"; an exact match wins.
    """
    listed = set(names or ())
    if name in listed:
        return name
    if CUSTOM_NAME_PREFIX + name in listed:
        return CUSTOM_NAME_PREFIX + name
    return None


class CustomSnapshotPlan(typing.NamedTuple):
    """What to do with one custom snapshot, with before/after for diff mode."""

    action: typing.Optional[str]
    listed_name: typing.Optional[str]
    expiration_mismatch: bool
    before: typing.Optional[dict]
    after: typing.Optional[dict]
    # For a deletion: every listed name that is this snapshot (the exact name and its "snap-" twin).
    listed_names: tuple = ()

    @property
    def changed(self):
        return self.action is not None


def plan_custom_snapshot(existing, name, state, expiration):
    """Decide whether to create or delete the custom snapshot `name`.

    `existing` maps each listed name to its expiration as reported (text or None); `expiration` is the
    declared instant or None. A snapshot that exists is never deleted and created again to change its
    expiration (that would lose its data): the difference is only flagged.

    Both `name` and "snap-" + `name` are that snapshot; absent deletes every one of them that is listed,
    so that one run leaves none and a second run has nothing to do.
    """
    if state not in STATES:
        raise ValueError("state must be one of %s, not %r" % (", ".join(STATES), state))
    existing = existing or {}
    listed_name = find_custom_snapshot(existing, name)
    if listed_name is None:
        if state == "absent":
            return CustomSnapshotPlan(None, None, False, None, None)
        error = custom_name_error(name)
        if error:
            raise ValueError(error)
        if len(existing) >= MAX_CUSTOM_SNAPSHOTS:
            raise ValueError(
                "cannot create custom snapshot %r: the partition already has %d custom snapshots, the most OVHcloud allows is %d"
                % (name, len(existing), MAX_CUSTOM_SNAPSHOTS)
            )
        return CustomSnapshotPlan(
            action="create",
            listed_name=None,
            expiration_mismatch=False,
            before=None,
            after={"name": name, "expiration": format_expiration(expiration)},
        )
    current = {"name": listed_name, "expiration": existing[listed_name]}
    if state == "absent":
        return CustomSnapshotPlan("delete", listed_name, False, current, None,
                                  listed_names=tuple(custom_snapshot_listings(existing, name)))
    mismatch = expiration is not None and not same_instant(existing[listed_name], expiration)
    return CustomSnapshotPlan(None, listed_name, mismatch, current, dict(current))


# How far an expiration may lie beyond now + a declared lifetime before it counts as another lifetime: the
# clocks of the controller and of OVHcloud differ a little.
LIFETIME_SLACK = datetime.timedelta(minutes=5)

EXPIRATION_MISMATCH_CHOICES = ("warn", "ignore", "fail")


def lifetime_mismatch(reported, lifetime, now):
    """Whether an existing snapshot cannot have been created with `lifetime` (a timedelta) as its expiration.

    OVHcloud does not report when a snapshot was created, so only what is certain counts: no expiration at
    all, or an expiration further than `lifetime` from now (it would then live longer than declared).
    """
    if reported is None:
        return True
    try:
        expires = parse_expiration(reported)
    except ValueError:
        return True
    return expires > _as_utc(now) + lifetime + LIFETIME_SLACK


def expiration_mismatch_warning(service_name, partition_name, listed_name, reported, declared, expires_in=None):
    """What a user is told when a snapshot exists with another expiration than the declared one (or lifetime)."""
    current = "expires at %s" % reported if reported is not None else "has no expiration"
    wanted = "the declared lifetime of %s from its creation" % expires_in if expires_in else "the declared %s" % declared
    return (
        "custom snapshot %s of partition %s on service %s %s, not %s. OVHcloud cannot change the expiration of a "
        "snapshot and recreating it would destroy the data it holds, so it is left as it is."
        % (listed_name, partition_name, service_name, current, wanted)
    )


def snapshot_path(name):
    """Where a snapshot appears, relative to the mount point of the partition's share."""
    return ".zfs/snapshot/%s" % name


def share_sources(ip, service_name, partition_name, protocol):
    """What a client mounts: the NFS export and the CIFS share of a partition (None where the protocol or the
    service's IP does not give one)."""
    protocol = protocol or ""
    nfs = "%s:/%s/%s" % (ip, service_name, partition_name) if ip and "NFS" in protocol else None
    cifs = "\\\\%s\\%s_%s" % (ip, service_name, partition_name) if ip and "CIFS" in protocol else None
    return nfs, cifs


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------


class RouteNameError(ValueError):
    """A service, partition or snapshot name that would change the route of a request."""


def route_name_error(label, value):
    """None when `value` can be one segment of an API route, else a sentence saying why not.

    Names are sent percent-encoded, but a server or proxy that normalises or decodes the URL could still
    read ".", "..", "/" or "%2F" as another route; such names, empty ones and control characters are refused.
    """
    if not isinstance(value, str) or not value.strip():
        return "%s must be a non-empty name, not %r" % (label, value)
    if value in (".", ".."):
        return "%s %r is not a name: it would change the route of the request once the URL is normalised" % (label, value)
    forbidden = sorted(set(character for character in value if character in "/\\%?#" or ord(character) < 32 or ord(character) == 127))
    if forbidden:
        return ("%s %r holds %s, which a name cannot hold: it could change the route of the request"
                % (label, value, ", ".join(repr(character) for character in forbidden)))
    return None


def _segment(value, label="name"):
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value  # task ids are numbers
    error = route_name_error(label, text)
    if error:
        raise RouteNameError(error)
    return quote(text, safe="")


def service_path(service_name):
    return "/dedicated/nasha/%s" % _segment(service_name, "service_name")


def partitions_path(service_name):
    return "%s/partition" % service_path(service_name)


def partition_path(service_name, partition_name):
    return "%s/%s" % (partitions_path(service_name), _segment(partition_name, "partition_name"))


def schedule_path(service_name, partition_name):
    return "%s/snapshot" % partition_path(service_name, partition_name)


def schedule_type_path(service_name, partition_name, snapshot_type):
    return "%s/%s" % (schedule_path(service_name, partition_name), _segment(snapshot_type, "snapshot type"))


def custom_snapshots_path(service_name, partition_name):
    return "%s/customSnapshot" % partition_path(service_name, partition_name)


def custom_snapshot_path(service_name, partition_name, name):
    return "%s/%s" % (custom_snapshots_path(service_name, partition_name), _segment(name, "custom snapshot name"))


def tasks_path(service_name):
    return "%s/task" % service_path(service_name)


def task_path(service_name, task_id):
    return "%s/%s" % (tasks_path(service_name), _segment(task_id, "task id"))


def task_summary(task):
    """The fields of a task (dedicated.nasTask.Task) reported in module results."""
    task = task or {}
    return {
        "id": task.get("taskId"),
        "operation": task.get("operation"),
        "status": task.get("status"),
        "details": task.get("details"),
        "partition_name": task.get("partitionName"),
    }
