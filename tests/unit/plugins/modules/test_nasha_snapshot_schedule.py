# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ovh.exceptions import ResourceConflictError

from ansible_collections.snapkeep.nasha.plugins.modules import nasha_snapshot_schedule
from ansible_collections.snapkeep.nasha.tests.unit.plugins.modules.nasha_fake import BASE, PART, SVC, refusal, run_module


def run(snapshot_types, **args):
    check_mode, diff = args.pop("check_mode", False), args.pop("diff", False)
    return run_module(nasha_snapshot_schedule.main, dict(dict(service_name=SVC, partition_name=PART,
                                                              snapshot_types=snapshot_types), **args),
                      check_mode=check_mode, diff=diff)


def test_a_schedule_that_holds_sends_no_write(ovh_client):
    how, result = run(["hour-1"], diff=True)
    assert how == "exit"
    assert result["changed"] is False
    assert result["added"] == [] and result["removed"] == [] and result["tasks"] == []
    assert result["diff"] == dict(before=dict(snapshot_types=["hour-1"]), after=dict(snapshot_types=["hour-1"]))
    assert ovh_client.writes() == []


def test_a_missing_type_is_added_and_its_task_reported(ovh_client):
    how, result = run(["day-1", "hour-1"])
    assert how == "exit"
    assert result["changed"] is True
    assert result["added"] == ["day-1"] and result["removed"] == []
    assert result["snapshot_types"] == ["hour-1", "day-1"]
    assert ovh_client.writes() == [("POST", BASE + "/snapshot", {"snapshotType": "day-1"})]
    assert [(task["operation"], task["status"]) for task in result["tasks"]] == [("clusterLeclercSnapshotUpdate", "done")]
    assert ovh_client.partitions[PART]["schedule"] == ["hour-1", "day-1"]


def test_check_mode_reports_the_change_and_writes_nothing(ovh_client):
    how, result = run(["day-1"], check_mode=True, diff=True)
    assert how == "exit"
    assert result["changed"] is True
    assert result["added"] == ["day-1"] and result["removed"] == ["hour-1"]
    assert result["diff"] == dict(before=dict(snapshot_types=["hour-1"]), after=dict(snapshot_types=["day-1"]))
    assert ovh_client.writes() == []
    assert ovh_client.partitions[PART]["schedule"] == ["hour-1"]


def test_a_replacement_adds_then_removes_and_shows_both_in_the_diff(ovh_client):
    how, result = run(["day-1"], diff=True)
    assert how == "exit"
    assert [(method, path) for method, path, dummy in ovh_client.writes()] == [
        ("POST", BASE + "/snapshot"), ("DELETE", BASE + "/snapshot/hour-1")]
    assert result["diff"]["after"] == dict(snapshot_types=["day-1"])
    assert ovh_client.partitions[PART]["schedule"] == ["day-1"]


def test_a_refused_addition_stops_the_removal_and_says_what_was_applied_failed_and_not_attempted(ovh_client):
    ovh_client.refusals[("POST", BASE + "/snapshot")] = refusal(400, "Invalid snapshot type")
    how, result = run(["day-1"])
    assert how == "fail"
    assert result["changed"] is False
    assert result["added"] == [] and result["removed"] == []
    assert [(item["action"], item["snapshot_type"]) for item in result["failed_changes"]] == [("add", "day-1")]
    assert "Invalid snapshot type" in result["failed_changes"][0]["error"]
    assert result["not_attempted"] == [dict(action="remove", snapshot_type="hour-1")]
    assert "applied: none" in result["msg"] and "failed: add day-1" in result["msg"]
    assert "not attempted: remove hour-1" in result["msg"]
    assert result["http_status"] == 400
    assert [method for method, dummy, dummy in ovh_client.writes()] == ["POST"]  # the removal was never sent
    assert ovh_client.partitions[PART]["schedule"] == ["hour-1"]


def test_a_failed_task_is_reported_with_what_was_applied_before_it(ovh_client):
    ovh_client.partitions[PART]["schedule"] = ["hour-1", "day-1"]
    ovh_client.failing_tasks[("DELETE", BASE + "/snapshot/day-1")] = "ovhError"
    how, result = run(["hour-1", "day-2"])
    assert how == "fail"
    assert result["changed"] is True
    assert result["added"] == ["day-2"]
    assert [(item["action"], item["snapshot_type"]) for item in result["failed_changes"]] == [("remove", "day-1")]
    assert "ovhError" in result["msg"] and "applied: add day-2" in result["msg"]
    assert ovh_client.partitions[PART]["schedule"] == ["hour-1", "day-1", "day-2"]


def test_a_write_refused_while_the_partition_is_busy_is_sent_again_and_applied(ovh_client):
    busy = refusal(409, "A task is already pending on this partition", "Client::Conflict::ResourceBusy",
                   ResourceConflictError)
    ovh_client.refusals[("POST", BASE + "/snapshot")] = [busy]
    how, result = run(["day-1", "hour-1"])
    assert how == "exit"
    assert result["changed"] is True and result["added"] == ["day-1"]
    assert ovh_client.writes() == [("POST", BASE + "/snapshot", {"snapshotType": "day-1"})] * 2
    assert ovh_client.partitions[PART]["schedule"] == ["hour-1", "day-1"]


def test_a_name_that_would_change_the_route_is_refused_before_any_request(ovh_client):
    how, result = run(["day-1"], partition_name="../media")
    assert how == "fail"
    assert "partition_name" in result["msg"] and "route" in result["msg"]
    assert ovh_client.calls == []
