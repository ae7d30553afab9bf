# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime

import pytest

from ansible_collections.snapkeep.nasha.plugins.modules import nasha_custom_snapshot
from ansible_collections.snapkeep.nasha.tests.unit.plugins.modules.nasha_fake import BASE, PART, SVC, refusal, run_module

LATER = "2030-01-01T00:00:00Z"


def run(name, **args):
    check_mode, diff = args.pop("check_mode", False), args.pop("diff", False)
    return run_module(nasha_custom_snapshot.main, dict(dict(service_name=SVC, partition_name=PART, name=name), **args),
                      check_mode=check_mode, diff=diff)


def test_an_existing_snapshot_with_the_declared_expiration_is_left_alone(ovh_client):
    ovh_client.partitions[PART]["customs"] = {"keep": LATER}
    how, result = run("keep", expiration="2030-01-01", diff=True)
    assert how == "exit"
    assert result["changed"] is False and result["expiration_mismatch"] is False
    assert result["snapshot"] == dict(name="keep", expiration=LATER, service_name=SVC, partition_name=PART,
                                      path=".zfs/snapshot/keep")
    assert result["diff"]["before"] == result["diff"]["after"]
    assert ovh_client.writes() == []


def test_a_missing_snapshot_is_created_with_its_expiration(ovh_client):
    before = datetime.datetime.now(datetime.timezone.utc)
    how, result = run("before-upgrade", expires_in="7d")
    assert how == "exit"
    assert result["changed"] is True
    [(method, path, body)] = ovh_client.writes()
    assert (method, path, body["name"]) == ("POST", BASE + "/customSnapshot", "before-upgrade")
    expiration = datetime.datetime.strptime(body["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    assert datetime.timedelta(days=7) - datetime.timedelta(seconds=1) <= expiration - before <= datetime.timedelta(days=7, seconds=5)
    assert result["task"]["operation"] == "clusterLeclercCustomSnapCreate" and result["task"]["status"] == "done"
    assert result["snapshot"]["name"] == "before-upgrade" and result["snapshot"]["expiration"] == body["expiration"]
    assert list(ovh_client.partitions[PART]["customs"]) == ["before-upgrade"]


def test_check_mode_reports_the_creation_and_writes_nothing(ovh_client):
    how, result = run("before-upgrade", expiration=LATER, check_mode=True, diff=True)
    assert how == "exit"
    assert result["changed"] is True
    assert result["diff"] == dict(before=dict(state="absent", name="before-upgrade", expiration=None),
                                  after=dict(state="present", name="before-upgrade", expiration=LATER))
    assert "task" not in result
    assert ovh_client.writes() == []


def test_absent_deletes_the_name_and_its_snap_twin_and_shows_it_in_the_diff(ovh_client):
    ovh_client.partitions[PART]["customs"] = {"old": None, "snap-old": LATER, "other": None}
    how, result = run("old", state="absent", diff=True)
    assert how == "exit"
    assert result["changed"] is True
    assert sorted(result["deleted"]) == ["old", "snap-old"]
    assert result["diff"]["after"] == dict(state="absent", name="old", expiration=None)
    assert result["diff"]["before"]["state"] == "present"
    assert sorted(path for method, path, dummy in ovh_client.writes()) == [BASE + "/customSnapshot/old",
                                                                           BASE + "/customSnapshot/snap-old"]
    assert list(ovh_client.partitions[PART]["customs"]) == ["other"]


def test_a_refused_deletion_is_reported_with_what_was_applied_failed_and_not_attempted(ovh_client):
    ovh_client.partitions[PART]["customs"] = {"old": None, "snap-old": None}
    ovh_client.refusals[("DELETE", BASE + "/customSnapshot/old")] = refusal(403, "This call has not been granted",
                                                                            "Client::Forbidden")
    how, result = run("old", state="absent")
    assert how == "fail"
    assert "This call has not been granted" in result["msg"] and result["http_status"] == 403
    assert "failed: delete old" in result["msg"]
    # The twin is deleted when the write path sent it beside the refused one, else it is not attempted.
    sent_twin = ("DELETE", BASE + "/customSnapshot/snap-old", None) in ovh_client.writes()
    if sent_twin:
        assert "applied: delete snap-old" in result["msg"] and result["deleted"] == ["snap-old"] and result["changed"]
    else:
        assert "applied: none" in result["msg"] and "not attempted: delete snap-old" in result["msg"]
        assert result["deleted"] == [] and result["changed"] is False
    assert "old" in ovh_client.partitions[PART]["customs"]


def test_a_refused_creation_fails_with_the_answer(ovh_client):
    ovh_client.refusals[("POST", BASE + "/customSnapshot")] = refusal(400, "Invalid name")
    how, result = run("new")
    assert how == "fail"
    assert "Invalid name" in result["msg"] and result["http_status"] == 400
    assert ovh_client.partitions[PART]["customs"] == {}


def test_an_expiration_mismatch_with_fail_fails_without_writing(ovh_client):
    ovh_client.partitions[PART]["customs"] = {"keep": None}
    how, result = run("keep", expiration=LATER, expiration_mismatch="fail")
    assert how == "fail"
    assert result["expiration_mismatch"] is True and result["changed"] is False
    assert ovh_client.writes() == []


@pytest.mark.parametrize("args", [dict(service_name="zpool-1/x"), dict(partition_name=".."), dict(name="a b"),
                                  dict(expiration="2001-01-01")])
def test_a_bad_name_or_expiration_is_refused_before_any_request(ovh_client, args):
    how, result = run(args.pop("name", "keep"), **args)
    assert how == "fail"
    assert result["msg"]
    assert ovh_client.calls == []
