# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lines the role nasha_snapshot_policy prints from the result of nasha_snapshot_policy, and its failure message."""
from __future__ import annotations


def nasha_policy_summary_lines(result):
    """One line per partition: what changed (or would, in check mode), mismatches, expired, failures, rotations."""
    would = "would " if result.get("check_mode") else ""
    service_name = result["service_name"]
    lines = []
    for partition in result.get("partitions") or []:
        parts = ["%s%s %s" % (would, verb, ", ".join(partition[key]))
                 for verb, key in (("add", "added"), ("remove", "removed"), ("create", "created"), ("delete", "deleted"))
                 if partition.get(key)]
        if partition.get("expiration_mismatches"):
            parts.append("expiration differs (left as is): %s" % ", ".join(partition["expiration_mismatches"]))
        if partition.get("expired"):
            parts.append("expired, not created: %s" % ", ".join(partition["expired"]))
        if partition.get("failures"):
            parts.append("FAILED (see below)")
        rotations = [] if partition.get("failures") else [
            "rotation %s %s %d, next due %s" % (rotation["label"], "would keep" if would else "keeps", len(rotation["kept"]),
                                                rotation["next_due"])
            for rotation in partition.get("rotations") or []]
        lines.append("%s %s: %s%s" % (service_name, partition["partition_name"],
                                      "; ".join(parts) if parts else "policy holds, nothing to change",
                                      " (%s)" % "; ".join(rotations) if rotations else ""))
    return lines or ["%s: no partition is managed" % service_name]


def nasha_policy_failure_message(result):
    """The one message naming every failed partition and its failures; "" when none failed."""
    failed = [partition for partition in result.get("partitions") or [] if partition.get("failures")]
    if not failed:
        return ""
    return "%s: %s" % (result["service_name"], "; ".join(
        "partition %s failed: %s" % (partition["partition_name"], "; ".join(partition["failures"])) for partition in failed))


class FilterModule:
    def filters(self):
        return {"nasha_policy_summary_lines": nasha_policy_summary_lines,
                "nasha_policy_failure_message": nasha_policy_failure_message}
