# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Expirations and lifetimes of custom snapshots: parsing, formatting, comparing. Pure."""
from __future__ import annotations

import datetime
import re

_UTC = datetime.timezone.utc
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


# How far an expiration may lie beyond now + a declared lifetime before it counts as another lifetime: the
# clocks of the controller and of OVHcloud differ a little.
LIFETIME_SLACK = datetime.timedelta(minutes=5)


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
