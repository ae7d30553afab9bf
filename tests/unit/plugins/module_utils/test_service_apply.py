# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The service-wide writer without HTTP: phases per partition, fail_fast across partitions, the result's shape."""
from __future__ import annotations

import datetime
import threading

from ansible_collections.snapkeep.nasha.plugins.module_utils import _service_apply as service_apply
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._write_path import WriteOutcome
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import ScheduleChange
from ansible_collections.snapkeep.nasha.plugins.module_utils._service_plan import UNREAD, listed_custom_snapshots
from ansible_collections.snapkeep.nasha.tests.unit.plugins.module_utils.write_path_fake import FakeApi

SVC = "zpool-1"  # the fake's service
NOW = datetime.datetime(2026, 12, 3, 6, 0, 0, tzinfo=datetime.timezone.utc)


class ApiError(OvhApiError):
    def __init__(self, message, status=400):
        super().__init__(message, status=status)


def entry(name, before=("hour-1",), after=None, add=(), remove=(), create=(), delete=(), errors=(), **extra):
    after = list(after if after is not None else [t for t in before if t not in remove] + list(add))
    result = dict(partition_name=name, snapshot_types_before=list(before), snapshot_types_after=after,
                  add=list(add), remove=list(remove), create=list(create), delete=list(delete),
                  expiration_mismatches=[], expired=[], rotations=[], errors=list(errors))
    result["changed"] = bool(add or remove or create or delete)
    result.update(extra)
    return result


def fake(names, refuse=()):
    api = FakeApi(partitions=dict((name, dict(schedule=["hour-1"], customs={"x": None, "y": None})) for name in names))
    api.refuse = set(refuse)
    return api


def holding(monkeypatch, held, first):
    """Partition `held` builds its writes only once the writer of partition `first` is over: a way to make its
    writer start after another partition failed, without relying on timing."""
    over = threading.Event()
    original_apply, original_phases = NashaClient.apply_phases, service_apply.partition_phases

    def apply_phases(self, service_name, partition_name, *args, **kwargs):
        try:
            return original_apply(self, service_name, partition_name, *args, **kwargs)
        finally:
            if partition_name == first:
                over.set()

    def phases(client, service_name, planned, now):
        if planned["partition_name"] == held:
            assert over.wait(10), "the first partition's writer never ended"
        return original_phases(client, service_name, planned, now)

    monkeypatch.setattr(NashaClient, "apply_phases", apply_phases)
    monkeypatch.setattr(service_apply, "partition_phases", phases)


def test_a_partitions_phases_go_schedule_then_deletions_then_creations():
    client = NashaClient(FakeApi())
    planned = entry("media", before=["hour-1"], add=["day-1", "day-7"], create=[
        {"name": "monthly", "expiration": "2026-12-10T00:00:00Z", "expires_in": "30d"},
        {"name": "year-end", "expiration": "2035-12-31T00:00:00Z", "expires_in": None}],
        delete=["old", "older"])
    phases = service_apply.partition_phases(client, SVC, planned, NOW)
    assert [[(write.method, write.path.rsplit("/", 1)[1]) for write in phase] for phase in phases] == [
        [("POST", "snapshot"), ("POST", "snapshot")],
        [("DELETE", "old"), ("DELETE", "older")],
        [("POST", "customSnapshot"), ("POST", "customSnapshot")],
    ]
    # a lifetime counts from the writes' start, not from the plan; a declared date is sent as declared
    assert [write.body for write in phases[2]] == [{"name": "monthly", "expiration": "2027-01-02T06:00:00Z"},
                                                   {"name": "year-end", "expiration": "2035-12-31T00:00:00Z"}]
    assert [write.change for write in phases[0]] == [ScheduleChange("add", "day-1"), ScheduleChange("add", "day-7")]


def test_a_pure_replacement_adds_before_it_removes_and_empty_phases_are_left_out():
    client = NashaClient(FakeApi())
    phases = service_apply.partition_phases(client, SVC, entry("media", before=["hour-1"], add=["day-1"], remove=["hour-1"]),
                                            NOW)
    assert [[write.method for write in phase] for phase in phases] == [["POST"], ["DELETE"]]
    assert service_apply.partition_phases(client, SVC, entry("media"), NOW) == []


def partition_path(name):
    return "/dedicated/nasha/%s/partition/%s" % (SVC, name)


def test_without_fail_fast_a_failed_partition_does_not_stop_the_others(monkeypatch):
    api = fake(["a", "b", "c"], refuse={partition_path("a") + "/snapshot"})
    holding(monkeypatch, "b", "a")
    entries = [entry("a", add=["day-1"], delete=["x"]), entry("b", add=["day-1"], delete=["y"]), entry("c")]
    outcomes = service_apply.apply_partitions(api, SVC, entries, api.deadline(600), fail_fast=False, now=NOW)
    assert sorted(outcomes) == ["a", "b"]  # nothing to write on c: no writer
    assert outcomes["b"].applied == [ScheduleChange("add", "day-1"), ("delete", "y")]
    assert outcomes["a"].not_attempted == [("delete", "x")]  # the partition's own later writes are not sent
    assert api.partitions["b"]["schedule"] == ["hour-1", "day-1"] and api.partitions["b"]["customs"] == {"x": None}
    assert api.partitions["a"]["customs"] == {"x": None, "y": None}
    results = [service_apply.partition_result(item, outcomes.get(item["partition_name"])) for item in entries]
    assert results[0]["failures"] == ["schedule: Could not add snapshot type day-1 to partition a on service zpool-1: refused",
                                      "delete x: not attempted"]
    assert results[1]["failures"] == [] and results[1]["changed"] and results[1]["deleted"] == ["y"]
    assert results[2]["changed"] is False and results[2]["tasks"] == []


def test_with_fail_fast_no_write_is_sent_anywhere_after_the_first_failure(monkeypatch):
    api = fake(["a", "b"], refuse={partition_path("a") + "/snapshot"})
    holding(monkeypatch, "b", "a")
    entries = [entry("a", add=["day-1"]), entry("b", add=["day-1", "day-7"], delete=["y"])]
    outcomes = service_apply.apply_partitions(api, SVC, entries, api.deadline(600), fail_fast=True, now=NOW)
    assert [call[2] for call in api.sends()] == [partition_path("a") + "/snapshot"]
    assert outcomes["b"].error is None and outcomes["b"].applied == []
    result = service_apply.partition_result(entries[1], outcomes["b"])
    assert result["failures"] == ["schedule: add day-1: not attempted", "schedule: add day-7: not attempted",
                                  "delete y: not attempted"]
    assert result["changed"] is False


def test_with_fail_fast_and_no_failure_every_partition_is_written():
    api = fake(["a", "b"])
    entries = [entry("a", add=["day-1"]), entry("b", add=["day-7"], delete=["y"])]
    outcomes = service_apply.apply_partitions(api, SVC, entries, api.deadline(600), fail_fast=True, now=NOW)
    assert outcomes["a"].applied == [ScheduleChange("add", "day-1")]
    assert outcomes["b"].applied == [ScheduleChange("add", "day-7"), ("delete", "y")]
    assert api.now < 600


def test_check_mode_reports_what_would_change_and_a_write_outcome_what_did():
    planned = entry("media", before=["hour-1", "hour-6"], add=["day-1"], remove=["hour-6"],
                    create=[{"name": "monthly", "expiration": None, "expires_in": None}], delete=["old"],
                    expiration_mismatches=[{"name": "keep"}], expired=["gone"])
    would = service_apply.partition_result(planned, None, custom_before=["keep", "old"], check_mode=True)
    assert (would["added"], would["removed"], would["created"], would["deleted"]) == (["day-1"], ["hour-6"], ["monthly"], ["old"])
    assert would["changed"] and would["snapshot_types_after"] == ["hour-1", "day-1"]
    assert would["custom_snapshots_after"] == ["keep", "monthly"]
    assert would["expiration_mismatches"] == ["keep"] and would["expired"] == ["gone"]

    outcome = WriteOutcome()
    outcome.applied.extend([ScheduleChange("add", "day-1"), ("delete", "old")])
    outcome.fail(ScheduleChange("remove", "hour-6"), ApiError("Could not remove hour-6: busy"))
    outcome.not_attempted.append(("create", "monthly"))
    done = service_apply.partition_result(planned, outcome, custom_before=["keep", "old"])
    assert (done["added"], done["removed"], done["created"], done["deleted"]) == (["day-1"], [], [], ["old"])
    assert done["snapshot_types_after"] == ["hour-1", "hour-6", "day-1"]
    assert done["custom_snapshots_after"] == ["keep"]
    assert done["failures"] == ["schedule: Could not remove hour-6: busy", "create monthly: not attempted"]
    diff = service_apply.partition_diff(done)
    assert diff["before"] == {"snapshot_types": ["hour-1", "hour-6"], "custom_snapshots": ["keep", "old"]}
    assert diff["after"]["custom_snapshots"] == ["keep"] and diff["before_header"] == "partition media"


def test_a_wait_that_runs_out_fails_the_partition_naming_its_pending_writes():
    planned = entry("media", before=["hour-1"], add=["day-1"])
    outcome = WriteOutcome()
    outcome.pending.append(ScheduleChange("add", "day-1"))
    outcome.error = ApiError("timed out after 1 s waiting for task 7 (last status doing); the change may still be applied")
    result = service_apply.partition_result(planned, outcome)
    assert result["failures"] == ["schedule: timed out after 1 s waiting for task 7 (last status doing); the change may still "
                                  "be applied"]
    assert result["changed"] and result["added"] == ["day-1"]  # accepted: it may be applied


def test_the_failure_message_names_every_failed_partition_once():
    result = dict(service_name=SVC, partitions=[
        dict(partition_name="a", failures=["schedule: refused", "delete x: not attempted"]),
        dict(partition_name="b", failures=[]),
        dict(partition_name="c", failures=["create m: busy"])])
    assert service_apply.failure_message(result) == (
        "zpool-1: partition a failed: schedule: refused; delete x: not attempted; partition c failed: create m: busy")
    assert service_apply.failure_message(dict(service_name=SVC, partitions=result["partitions"][1:2])) == ""


def test_a_custom_snapshot_list_gives_expirations_when_expanded_and_names_otherwise():
    expanded = [{"name": "monthly", "expiration": "2027-01-01T00:00:00Z"}, {"name": "keep", "expiration": None}]
    assert listed_custom_snapshots(expanded, "here") == {"monthly": "2027-01-01T00:00:00Z", "keep": None}
    plain = listed_custom_snapshots(["monthly", "keep"], "here")
    assert list(plain) == ["monthly", "keep"] and all(value is UNREAD for value in plain.values())
