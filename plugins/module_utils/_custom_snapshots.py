# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Custom (manual) snapshots of a partition: names, how OVHcloud lists them, and the plan for one. Pure."""
from __future__ import annotations

import re
import typing

from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import format_expiration, same_instant
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import STATES

MAX_CUSTOM_SNAPSHOTS = 10


# Matched with fullmatch: with re.match and "$", a name ending in a newline would pass.
CUSTOM_NAME_RE = re.compile(r"[a-zA-Z0-9.:-]+")
CUSTOM_NAME_PREFIX = "snap-"

OPERATION_CUSTOM_CREATE = "clusterLeclercCustomSnapCreate"
OPERATION_CUSTOM_DELETE = "clusterLeclercCustomSnapDelete"


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


EXPIRATION_MISMATCH_CHOICES = ("warn", "ignore", "fail")


def expiration_mismatch_warning(service_name, partition_name, listed_name, reported, declared, expires_in=None):
    """What a user is told when a snapshot exists with another expiration than the declared one (or lifetime)."""
    current = "expires at %s" % reported if reported is not None else "has no expiration"
    wanted = "the declared lifetime of %s from its creation" % expires_in if expires_in else "the declared %s" % declared
    return (
        "custom snapshot %s of partition %s on service %s %s, not %s. OVHcloud cannot change the expiration of a "
        "snapshot and recreating it would destroy the data it holds, so it is left as it is."
        % (listed_name, partition_name, service_name, current, wanted)
    )
