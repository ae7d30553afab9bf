# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations


class ModuleDocFragment:
    """The options that declare a service's snapshot policy, shared by nasha_snapshot_plan and nasha_snapshot_policy."""

    DOCUMENTATION = r"""
options:
  templates:
    description:
      - Named policies that partitions refer to with their C(policy) key, for example V(gold) and V(bronze).
      - Each holds policy keys (see O(defaults)).
    type: dict
  defaults:
    description:
      - The policy keys every partition gets for the keys neither it nor its template declares.
      - C(snapshot_types) (list of V(hour-1), V(hour-6), V(day-1), V(day-2), V(day-3), V(day-7)), the scheduled
        snapshot types. When no layer declares it, the schedule is left as it is.
      - C(purge_snapshot_types) (bool, default V(true)), whether C(snapshot_types) is the exact set; V(false) only adds.
      - C(custom_snapshots) (list), each with C(name), C(state) (V(present) or V(absent), default V(present)) and
        either C(expiration) (an ISO 8601 date or date-time) or C(expires_in) (a duration such as V(7d), counted
        from the creation).
      - C(purge_custom_snapshots) (bool, default V(false)), whether custom snapshots that are not declared are deleted.
      - C(purge_custom_snapshots_prefix) (str), when set, C(purge_custom_snapshots) deletes only the undeclared custom
        snapshots whose name starts with it (or with V(snap-) and it), such as V(snapkeep-) for those rotations made.
      - C(custom_snapshot_rotations) (list), each with C(label), C(every) (a duration of V(15m) or more), C(keep)
        (1 to 10) and C(prefix) (default V(snapkeep)). A snapshot named C(<prefix>-<label>-<YYYYMMDD>T<HHMM>Z)
        (UTC) is created when the newest of the rotation is C(every) old, less a tenth of C(every) (at most 10
        minutes), and expires C((keep + 1) x every) after its creation; the oldest beyond C(keep) are deleted. A
        rotation only ever deletes its own names, and a purge never deletes them.
      - Lists are not joined across layers; the layer that declares a key gives its whole value.
    type: dict
  partitions:
    description:
      - The partitions to manage. Each has a C(name), an optional C(policy) (a template name) and any policy key,
        which wins over the template's, which wins over O(defaults).
      - A partition given as a bare name, such as V(media), is the same as a dictionary with only that name.
    type: list
    elements: raw
  all_partitions:
    description:
      - Whether every partition the API lists is managed, those not in O(partitions) with O(defaults) alone.
      - When V(true), a partition in O(partitions) that the service does not have is an error.
    type: bool
    default: false
  expiration_mismatch:
    description:
      - What an existing custom snapshot whose expiration differs from the declared one means. OVHcloud cannot
        change the expiration of a snapshot, so it is never changed.
      - V(warn) lists it in RV(partitions[].expiration_mismatches) with a warning; V(ignore) lists it without a
        warning; V(fail) makes it an error of its partition, so that M(snapkeep.nasha.nasha_snapshot_policy) writes
        nothing on the service.
      - With C(expires_in), a snapshot differs when it has no expiration or expires later than the declared
        lifetime from now (OVHcloud does not report when it was created).
    type: str
    choices: [warn, ignore, fail]
    default: warn
  message_names:
    description:
      - What messages call O(templates), O(defaults) and O(partitions), for a role that passes its own variables.
    type: dict
    suboptions:
      templates:
        description: The name messages give to O(templates).
        type: str
      defaults:
        description: The name messages give to O(defaults).
        type: str
      partitions:
        description: The name messages give to O(partitions).
        type: str
requirements:
  - voluptuous
"""
