# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.snapkeep.nasha.plugins.filter.nasha_fleet_report import FilterModule, nasha_fleet_report

NOW = "2026-12-01T12:00:00Z"


def entry(name="zpool-1", plan=None, **extra):
    value = {
        "service_name": name, "custom_name": None, "datacenter": "rbx", "disk_type": "hdd", "ip": "10.0.0.1",
        "partitions_details": [{"name": "data", "protocol": "NFS", "size": 100, "used_by_snapshots": 12}],
        "snapshots": {"service_name": name, "partitions": [
            {"partition_name": "data", "snapshot_types": ["day-1", "hour-1"], "custom_snapshots": [
                {"name": "soon", "expiration": "2026-12-05T00:00:00Z"},
                {"name": "later", "expiration": "2027-03-01"},
                {"name": "kept", "expiration": None},
                {"name": "odd", "expiration": "next week"},
            ]},
            {"partition_name": "logs", "snapshot_types": [], "custom_snapshots": []},
        ]},
        "plan": plan,
    }
    value.update(extra)
    return value


def test_schedule_customs_and_expirations():
    report = nasha_fleet_report([entry()], expiring_days=7, now=NOW)
    data, logs = report["services"][0]["partitions"]
    assert data["snapshot_types"] == ["hour-1", "day-1"]
    assert data["used_by_snapshots"] == 12 and data["protocol"] == "NFS"
    customs = dict((c["name"], c) for c in data["custom_snapshots"])
    assert customs["soon"]["expiring"] and customs["soon"]["days_left"] == 3.5
    assert customs["soon"]["expiration"] == "2026-12-05 00:00 UTC"
    assert not customs["later"]["expiring"] and customs["later"]["days_left"] == 89.5
    assert customs["kept"]["days_left"] is None and not customs["kept"]["expiring"]
    assert customs["odd"]["unparsed"] and customs["odd"]["expiration"] == "next week"
    assert logs["used_by_snapshots"] is None and logs["snapshot_types"] == []
    assert data["drift"] is None and not report["services"][0]["policy_declared"]
    assert report["totals"] == {"services": 1, "unreadable_services": 0, "partitions": 2, "custom_snapshots": 4,
                                "expiring": 1, "drifting_partitions": 0, "services_with_policy": 0}


def test_the_window_decides_what_is_expiring_and_past_ones_are_expired():
    report = nasha_fleet_report([entry()], expiring_days=100, now=NOW)
    assert report["totals"]["expiring"] == 2
    report = nasha_fleet_report([entry()], expiring_days=7, now="2026-12-06T00:00:00Z")
    soon = report["services"][0]["partitions"][0]["custom_snapshots"][3]
    assert soon["name"] == "soon" and soon["expired"] and not soon["expiring"]


def test_drift_from_the_plan():
    plan = {"check_mode": True, "partitions": [
        {"partition_name": "data", "add": ["day-7"], "remove": ["hour-1"], "create": [{"name": "monthly"}],
         "delete": ["odd"], "expiration_mismatches": [{"name": "later"}], "errors": []},
        {"partition_name": "logs", "add": [], "remove": [], "create": [], "delete": [], "expiration_mismatches": [],
         "errors": []},
    ]}
    report = nasha_fleet_report([entry(plan=plan)], now=NOW)
    data, logs = report["services"][0]["partitions"]
    assert data["drift"] == {"add": ["day-7"], "remove": ["hour-1"], "create": ["monthly"], "delete": ["odd"],
                             "mismatches": ["later"], "errors": [], "in_sync": False}
    assert logs["drift"]["in_sync"]
    assert report["totals"]["drifting_partitions"] == 1 and report["totals"]["services_with_policy"] == 1


def test_a_partition_the_policy_does_not_manage():
    plan = {"partitions": [{"partition_name": "data", "add": [], "remove": [], "create": [], "delete": []}]}
    logs = nasha_fleet_report([entry(plan=plan)], now=NOW)["services"][0]["partitions"][1]
    assert not logs["managed"]
    assert logs["drift"] is None


def test_services_sorted_and_unreadable_ones_kept():
    report = nasha_fleet_report([entry("zpool-2"), {"service_name": "zpool-0", "error": "refused (HTTP 403)"}, entry("zpool-1")],
                                now=NOW)
    assert [s["service_name"] for s in report["services"]] == ["zpool-0", "zpool-1", "zpool-2"]
    assert report["services"][0]["error"] == "refused (HTTP 403)" and report["services"][0]["partitions"] == []
    assert report["totals"]["unreadable_services"] == 1


def test_bad_input_is_refused():
    with pytest.raises(AnsibleFilterError):
        nasha_fleet_report("zpool-1")
    with pytest.raises(AnsibleFilterError):
        nasha_fleet_report([], expiring_days="soon")
    with pytest.raises(AnsibleFilterError):
        nasha_fleet_report([], now="yesterday")


def test_the_filter_is_registered():
    assert FilterModule().filters()["nasha_fleet_report"] is nasha_fleet_report
