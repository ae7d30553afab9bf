"""Instants as epoch seconds inside, ISO 8601 text outside."""
from __future__ import annotations

import datetime as dt


def format_with_offset(epoch: float, offset_minutes: int) -> str:
    """'2026-11-27T10:00:00+01:00', the way OVHcloud writes task dates (Europe/Paris style offsets)."""
    zone = dt.timezone(dt.timedelta(minutes=offset_minutes))
    return dt.datetime.fromtimestamp(int(epoch), zone).isoformat(timespec="seconds")


def format_utc(epoch: float) -> str:
    """'2026-11-27T09:00:00Z'."""
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_expiration(text: str) -> float:
    """Epoch seconds of an ISO 8601 date or date-time; no zone means UTC, a bare date means 00:00 UTC.

    Raises ValueError when the text is not ISO 8601.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty")
    text = text.strip()
    if "T" not in text and " " not in text:
        day = dt.date.fromisoformat(text)
        moment = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    else:
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()
