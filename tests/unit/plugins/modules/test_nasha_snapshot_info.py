# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
from ovh.exceptions import ResourceNotFoundError

from ansible_collections.snapkeep.nasha.plugins.modules import nasha_snapshot_info
from ansible_collections.snapkeep.nasha.tests.unit.plugins.modules.nasha_fake import BASE, PART, SVC, refusal, run_module


def run(check_mode=False, **args):
    return run_module(nasha_snapshot_info.main, args, check_mode=check_mode)


def test_every_partition_of_every_service_with_its_share_and_snapshots(ovh_client):
    ovh_client.partitions[PART]["customs"] = {"snap-b": None, "a": "2030-01-01T00:00:00Z"}
    how, result = run()
    assert how == "exit"
    assert result["changed"] is False
    [service] = result["services"]
    assert (service["service_name"], service["ip"]) == (SVC, "10.0.0.1")
    backups, media = service["partitions"]
    assert backups == dict(partition_name=PART, snapshot_types=["hour-1"], protocol="NFS", used_by_snapshots=4,
                           nfs_export="10.0.0.1:/zpool-1/backups", cifs_share=None,
                           custom_snapshots=[dict(name="a", expiration="2030-01-01T00:00:00Z", path=".zfs/snapshot/a"),
                                             dict(name="snap-b", expiration=None, path=".zfs/snapshot/snap-b")])
    assert media["partition_name"] == "media" and media["nfs_export"] is None
    assert media["cifs_share"] == "\\\\10.0.0.1\\zpool-1_media"
    assert ovh_client.writes() == []


def test_one_partition_without_details_reads_only_its_schedule(ovh_client):
    how, result = run(check_mode=True, service_name=SVC, partition_name="media", custom_snapshots=False,
                      share_details=False)
    assert how == "exit"
    assert result == dict(changed=False, services=[dict(service_name=SVC, partitions=[
        dict(partition_name="media", snapshot_types=["day-1"], custom_snapshots=[])])])
    assert [path for dummy, path, dummy in ovh_client.calls] == ["/dedicated/nasha/zpool-1/partition/media/snapshot"]


def test_a_partition_the_service_does_not_have_fails_with_the_answer(ovh_client):
    how, result = run(service_name=SVC, partition_name="gone")
    assert how == "fail"
    assert result["http_status"] == 404 and "gone" in result["msg"]


@pytest.mark.parametrize("args", [dict(service_name=".."), dict(service_name=SVC, partition_name="a/b"),
                                  dict(max_concurrent_requests=0), dict(partition_name=PART)])
def test_a_bad_option_is_refused_before_any_request(ovh_client, args):
    how, result = run(**args)
    assert how == "fail"
    assert result["msg"]
    assert ovh_client.calls == []


def test_a_custom_snapshot_gone_between_the_list_and_its_read_is_left_out(ovh_client):
    ovh_client.partitions[PART]["customs"] = {"gone": None, "kept": None}
    ovh_client.refusals[("GET", BASE + "/customSnapshot/gone")] = refusal(
        404, "The requested object (name = gone) does not exist", "Client::NotFound", ResourceNotFoundError)
    how, result = run(service_name=SVC, partition_name=PART, share_details=False)
    assert how == "exit"
    assert [snapshot["name"] for snapshot in result["services"][0]["partitions"][0]["custom_snapshots"]] == ["kept"]


def test_any_other_failure_of_a_read_fails_the_module(ovh_client):
    ovh_client.partitions[PART]["customs"] = {"a": None}
    ovh_client.refusals[("GET", BASE + "/customSnapshot/a")] = refusal(
        403, "This call has not been granted", "Client::Forbidden")
    how, result = run(service_name=SVC, partition_name=PART, share_details=False)
    assert how == "fail"
    assert "This call has not been granted" in result["msg"] and result["http_status"] == 403
