# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.snapkeep.nasha.plugins.modules import nasha_partition_access
from ansible_collections.snapkeep.nasha.tests.unit.plugins.modules.nasha_fake import BASE, PART, SVC, refusal, run_module

READONLY = dict(type="readonly", aclDescription="restore host")


def run(**args):
    check_mode, diff = args.pop("check_mode", False), args.pop("diff", False)
    return run_module(nasha_partition_access.main, dict(dict(service_name=SVC, partition_name=PART), **args),
                      check_mode=check_mode, diff=diff)


def test_an_allowed_block_with_its_type_and_description_sends_no_write(ovh_client):
    ovh_client.partitions[PART]["access"] = {"203.0.113.4/32": READONLY}
    how, result = run(ip="203.0.113.4", type="readonly", description="restore host", diff=True)
    assert how == "exit"
    assert result["changed"] is False
    assert result["access"] == [dict(ip="203.0.113.4/32", type="readonly", description="restore host")]
    assert result["diff"]["before"] == result["diff"]["after"]
    assert ovh_client.writes() == []


def test_a_new_block_is_allowed(ovh_client):
    how, result = run(ip="203.0.113.4", type="readonly", description="restore host")
    assert how == "exit"
    assert result["changed"] is True and result["added"] == ["203.0.113.4/32"]
    assert ovh_client.writes() == [("POST", BASE + "/access",
                                    {"ip": "203.0.113.4/32", "type": "readonly", "aclDescription": "restore host"})]
    assert [task["status"] for task in result["tasks"]] == ["done"]
    assert ovh_client.partitions[PART]["access"] == {"203.0.113.4/32": READONLY}


def test_check_mode_with_purge_reports_the_changes_in_the_diff_and_writes_nothing(ovh_client):
    ovh_client.partitions[PART]["access"] = {"198.51.100.0/28": dict(type="readwrite", aclDescription=None)}
    how, result = run(access_list=[dict(ip="203.0.113.4", type="readonly")], purge=True, check_mode=True, diff=True)
    assert how == "exit"
    assert result["changed"] is True
    assert result["added"] == ["203.0.113.4/32"] and result["removed"] == ["198.51.100.0/28"]
    assert [entry["ip"] for entry in result["diff"]["before"]["access"]] == ["198.51.100.0/28"]
    assert [entry["ip"] for entry in result["diff"]["after"]["access"]] == ["203.0.113.4/32"]
    assert ovh_client.writes() == []


def test_a_refused_addition_keeps_the_blocks_purge_would_remove(ovh_client):
    ovh_client.partitions[PART]["access"] = {"198.51.100.0/28": dict(type="readwrite", aclDescription=None)}
    ovh_client.refusals[("POST", BASE + "/access")] = refusal(400, "This IP is not authorizable")
    how, result = run(ip="203.0.113.4", purge=True)
    assert how == "fail"
    assert result["changed"] is False and result["http_status"] == 400
    assert "This IP is not authorizable" in result["msg"]
    assert "applied: none" in result["msg"] and "failed: allow 203.0.113.4/32" in result["msg"]
    assert "not attempted: remove access 198.51.100.0/28" in result["msg"]
    assert [method for method, dummy, dummy in ovh_client.writes()] == ["POST"]
    assert list(ovh_client.partitions[PART]["access"]) == ["198.51.100.0/28"]


@pytest.mark.parametrize("args", [dict(service_name="zpool-1/x"), dict(partition_name="..")])
def test_a_name_that_would_change_the_route_is_refused_before_any_request(ovh_client, args):
    how, result = run(ip="192.0.2.1", **args)
    assert how == "fail"
    label = list(args)[0]
    assert label in result["msg"] and "route" in result["msg"]
    assert ovh_client.calls == []
