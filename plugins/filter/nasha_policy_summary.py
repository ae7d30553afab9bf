# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filters behind the summary and the final failure of roles/nasha_snapshot_policy: the lines it prints per
partition and the one message it fails with, from the per-partition summary of a service."""
from __future__ import annotations

from ansible.errors import AnsibleFilterError

# What a partition's summary tells, in this order, each with the verb that says what was (or would be) done.
_CHANGES = (("added", "add"), ("removed", "remove"), ("created", "create"), ("deleted", "delete"))


def _text(value):
    # Jinja's join and ~ print None as "None": so does the summary, which must read the same as before.
    return "%s" % (value,)


def _joined(values, separator=", "):
    return separator.join(_text(value) for value in values)


def _summary(result, name):
    if not isinstance(result, dict):
        raise AnsibleFilterError("%s: expects the summary of a service (a dict), not %s" % (name, type(result).__name__))
    partitions = result.get("partitions") or []
    if not isinstance(partitions, list) or not all(isinstance(partition, dict) for partition in partitions):
        raise AnsibleFilterError("%s: partitions must be a list of dicts" % name)
    return result.get("service_name"), partitions


def _partition_line(service_name, partition, check_mode):
    would = "would " if check_mode else ""
    failures = partition.get("failures")
    parts = ["%s%s %s" % (would, verb, _joined(partition[key])) for key, verb in _CHANGES if partition.get(key)]
    if partition.get("expiration_mismatches"):
        parts.append("expiration differs (left as is): " + _joined(partition["expiration_mismatches"]))
    if partition.get("expired"):
        parts.append("expired, not created: " + _joined(partition["expired"]))
    if failures:
        parts.append("FAILED (see below)")
    # A failed partition's rotations are not told: what they keep is not known once a write failed.
    keeps = "would keep" if would else "keeps"
    rotations = [] if failures else [
        "rotation %s %s %d, next due %s"
        % (_text(rotation.get("label")), keeps, len(rotation.get("kept") or []), _text(rotation.get("next_due")))
        for rotation in partition.get("rotations") or []]
    line = "%s %s: %s" % (_text(service_name), _text(partition.get("partition_name")),
                          "; ".join(parts) if parts else "policy holds, nothing to change")
    return line + (" (%s)" % "; ".join(rotations) if rotations else "")


def nasha_policy_summary_lines(result):
    """One line per partition saying what changed (or would change in check mode), or that nothing is managed."""
    service_name, partitions = _summary(result, "nasha_policy_summary_lines")
    check_mode = bool(result.get("check_mode"))
    lines = [_partition_line(service_name, partition, check_mode) for partition in partitions]
    return lines or ["%s: no partition is managed" % _text(service_name)]


def nasha_policy_failure_message(result):
    """The message the role fails with, naming each failed partition and its failures; "" when none failed."""
    service_name, partitions = _summary(result, "nasha_policy_failure_message")
    failed = ["partition %s failed: %s" % (_text(partition.get("partition_name")), _joined(partition["failures"], "; "))
              for partition in partitions if partition.get("failures")]
    return "%s: %s" % (_text(service_name), "; ".join(failed)) if failed else ""


class FilterModule:
    def filters(self):
        return {
            "nasha_policy_summary_lines": nasha_policy_summary_lines,
            "nasha_policy_failure_message": nasha_policy_failure_message,
        }
