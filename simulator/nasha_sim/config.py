"""Run-time switches of the simulator; every one can be changed live through POST /_sim/config."""
from __future__ import annotations

import dataclasses
import re

VISIBILITY = ("on_done", "immediate")
BUSY = ("accept", "conflict")
LAST_SCHEDULE = ("refuse", "allow")
EXPIRATION_FORMAT = ("utc", "echo")
INITIAL_STATUS = ("todo", "init")
EXPANDED_LISTS = ("honour", "ignore")
# Names the control panel allows; the simulator applies the same rule to what it stores (always with fullmatch:
# with "$", a name ending in a newline would pass).
CUSTOM_NAME_PATTERN = re.compile(r"^[a-zA-Z0-9.:-]+$")


@dataclasses.dataclass
class SimConfig:
    task_duration: float = 1.0
    visibility: str = "on_done"
    busy: str = "accept"
    last_schedule: str = "refuse"
    name_prefix: str = ""
    expiration_format: str = "utc"
    # The status a task shows first (and in the answer of its write): todo, or init as OVHcloud may show too.
    initial_status: str = "todo"
    latency: float = 0.0
    clock_offset: float = 0.0
    rate_limit: int | None = None
    # Offset of the dates in task answers (OVHcloud answers in Paris time: +01:00 in winter).
    date_offset_minutes: int = 60
    # How far X-Ovh-Timestamp may be from the server time.
    timestamp_window: int = 300
    # Whether list routes answer their objects to X-Pagination-Mode: CachedObjectList-Pages (honour), or names (ignore).
    expanded_lists: str = "honour"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def _number(value, name, minimum=None):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}")
    return float(value)


def _integer(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}")
    return value


def _choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}")
    return value


def _prefix(value, name):
    if not isinstance(value, str) or (value and not CUSTOM_NAME_PATTERN.fullmatch(value)):
        raise ValueError(f"{name} must be empty or match {CUSTOM_NAME_PATTERN.pattern}")
    return value


def _offset_minutes(value, name):
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) >= 24 * 60:
        raise ValueError(f"{name} must be an integer between -1439 and 1439")
    return value


def _rate_limit(value, name):
    return None if value is None else _integer(value, name, 1)


_CHECKS = {
    "task_duration": lambda v, n: _number(v, n, 0),
    "visibility": lambda v, n: _choice(v, n, VISIBILITY),
    "busy": lambda v, n: _choice(v, n, BUSY),
    "last_schedule": lambda v, n: _choice(v, n, LAST_SCHEDULE),
    "name_prefix": _prefix,
    "expiration_format": lambda v, n: _choice(v, n, EXPIRATION_FORMAT),
    "initial_status": lambda v, n: _choice(v, n, INITIAL_STATUS),
    "latency": lambda v, n: _number(v, n, 0),
    "clock_offset": _number,
    "rate_limit": _rate_limit,
    "date_offset_minutes": _offset_minutes,
    "timestamp_window": lambda v, n: _integer(v, n, 1),
    "expanded_lists": lambda v, n: _choice(v, n, EXPANDED_LISTS),
}


def updated_config(config: SimConfig, changes: dict) -> SimConfig:
    """A copy of ``config`` with ``changes`` applied; ValueError naming the first bad key."""
    if not isinstance(changes, dict):
        raise ValueError("the body must be a JSON object")
    values = {}
    for key, value in changes.items():
        if key not in _CHECKS:
            raise ValueError(f"unknown setting {key!r}; known: {', '.join(sorted(_CHECKS))}")
        values[key] = _CHECKS[key](value, key)
    return dataclasses.replace(config, **values)
