# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.snapkeep.nasha.plugins.filter.nasha_policy_summary import (
    FilterModule, nasha_policy_failure_message, nasha_policy_summary_lines)

SERVICE = "zpool-123456"
ROTATION = {"label": "daily", "kept": ["snapkeep-daily-1", "snapkeep-daily-2"], "next_due": "2026-12-04T00:00:00Z",
            "create": None, "delete": []}


def partition(name="backups", **keys):
    entry = {"partition_name": name, "changed": False, "added": [], "removed": [], "created": [], "deleted": [],
             "expiration_mismatches": [], "expired": [], "rotations": [], "failures": [],
             "snapshot_types_before": ["hour-1"], "tasks": []}
    entry.update(keys)
    return entry


def summary(*partitions, check_mode=False):
    return {"changed": False, "check_mode": check_mode, "service_name": SERVICE, "partitions": list(partitions)}


@pytest.mark.parametrize("result, lines", [
    (summary(partition()), ["zpool-123456 backups: policy holds, nothing to change"]),
    (summary(partition(added=["day-1", "day-2"])), ["zpool-123456 backups: add day-1, day-2"]),
    (summary(partition(removed=["hour-1"])), ["zpool-123456 backups: remove hour-1"]),
    (summary(partition(created=["year-end"])), ["zpool-123456 backups: create year-end"]),
    (summary(partition(deleted=["old-1", "old-2"])), ["zpool-123456 backups: delete old-1, old-2"]),
    (summary(partition(expiration_mismatches=["year-end"])),
     ["zpool-123456 backups: expiration differs (left as is): year-end"]),
    (summary(partition(expired=["last-year"])), ["zpool-123456 backups: expired, not created: last-year"]),
    (summary(partition(failures=["schedule: refused"])), ["zpool-123456 backups: FAILED (see below)"]),
    # every part, in the order of the role's summary
    (summary(partition(added=["day-1"], removed=["hour-1"], created=["new"], deleted=["old"],
                       expiration_mismatches=["kept"], expired=["past"], failures=["delete old: refused"])),
     ["zpool-123456 backups: add day-1; remove hour-1; create new; delete old; expiration differs (left as is): kept; "
      "expired, not created: past; FAILED (see below)"]),
    # check mode: what would change, and what rotations would keep
    (summary(partition(added=["day-1"], removed=["hour-1"], created=["new"], deleted=["old"], rotations=[ROTATION]),
             check_mode=True),
     ["zpool-123456 backups: would add day-1; would remove hour-1; would create new; would delete old "
      "(rotation daily would keep 2, next due 2026-12-04T00:00:00Z)"]),
    (summary(partition(expiration_mismatches=["kept"], expired=["past"]), check_mode=True),
     ["zpool-123456 backups: expiration differs (left as is): kept; expired, not created: past"]),
    # rotations are told only for a partition without failures
    (summary(partition(rotations=[ROTATION, dict(ROTATION, label="weekly", kept=[], next_due="2026-12-07")])),
     ["zpool-123456 backups: policy holds, nothing to change "
      "(rotation daily keeps 2, next due 2026-12-04T00:00:00Z; rotation weekly keeps 0, next due 2026-12-07)"]),
    (summary(partition(created=["snapkeep-daily-3"], rotations=[ROTATION], failures=["create snapkeep-daily-3: busy"])),
     ["zpool-123456 backups: create snapkeep-daily-3; FAILED (see below)"]),
    # one line per partition, in their order
    (summary(partition("b", added=["day-1"]), partition("a")),
     ["zpool-123456 b: add day-1", "zpool-123456 a: policy holds, nothing to change"]),
    (summary(), ["zpool-123456: no partition is managed"]),
    # lists the summary does not hold count as empty
    ({"service_name": SERVICE, "check_mode": False, "partitions": [{"partition_name": "p"}]},
     ["zpool-123456 p: policy holds, nothing to change"]),
], ids=["holds", "add", "remove", "create", "delete", "mismatch", "expired", "failed", "every-part", "check-mode",
        "check-mode-no-verb", "rotations", "rotations-hidden-on-failure", "partition-order", "no-partition",
        "missing-keys"])
def test_summary_lines(result, lines):
    assert nasha_policy_summary_lines(result) == lines


@pytest.mark.parametrize("result, message", [
    (summary(partition(), partition("logs", added=["day-1"])), ""),
    (summary(), ""),
    (summary(partition(failures=["schedule: The partition backups is busy"])),
     "zpool-123456: partition backups failed: schedule: The partition backups is busy"),
    (summary(partition(failures=["delete old: refused", "create new: not attempted"])),
     "zpool-123456: partition backups failed: delete old: refused; create new: not attempted"),
    (summary(partition("a", failures=["schedule: refused"]), partition("b"),
             partition("c", failures=["unknown partition c", "create new: not attempted"])),
     "zpool-123456: partition a failed: schedule: refused; partition c failed: unknown partition c; "
     "create new: not attempted"),
], ids=["nothing-failed", "no-partition", "one-failure", "failures-of-a-partition", "failed-partitions"])
def test_failure_message(result, message):
    assert nasha_policy_failure_message(result) == message


@pytest.mark.parametrize("function", [nasha_policy_summary_lines, nasha_policy_failure_message])
@pytest.mark.parametrize("result", [None, ["zpool-123456"], {"service_name": SERVICE, "partitions": ["backups"]}])
def test_what_is_not_a_summary_is_refused(function, result):
    with pytest.raises(AnsibleFilterError, match=function.__name__):
        function(result)


def test_both_filters_are_registered():
    assert FilterModule().filters() == {"nasha_policy_summary_lines": nasha_policy_summary_lines,
                                        "nasha_policy_failure_message": nasha_policy_failure_message}
