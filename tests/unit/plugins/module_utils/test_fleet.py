# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
import threading

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _fleet as fleet
import ovh
import requests

from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import (
    BoundedTransport,
    OvhApi,
    install_transport,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError


def service(name, datacenter="rbx", disk="hdd", tags=None, ip="10.0.0.1"):
    return {"serviceName": name, "customName": None, "datacenter": datacenter, "diskType": disk, "ip": ip,
            "monitored": True, "canCreatePartition": True, "zpoolSize": 3000, "zpoolCapacity": 12,
            "iam": {"id": "00000000-0000-0000-0000-000000000000", "urn": "urn:v1:eu:resource:nasHa:" + name,
                    "displayName": name, "tags": tags}}


def partition(name, protocol="NFS"):
    return {"partitionName": name, "partitionDescription": None, "protocol": protocol, "size": 100,
            "partitionCapacity": 10, "usedBySnapshots": 2}


# credentials of a client that never reaches OVHcloud
FAKE_SECRET = "secret-of-the-fleet-tests"
FAKE_CONSUMER_KEY = "consumer-key-of-the-fleet-tests"

FLEET = {
    "zpool-1": (service("zpool-1", tags={"environment": "production"}), [partition("a"), partition("b", "CIFS")]),
    "zpool-2": (service("zpool-2", "gra", "ssd", {"environment": "staging"}), [partition("c", "NFS_CIFS")]),
    "other-3": (service("other-3", "gra", "nvme"), []),
}


class FakeApi:
    """Answers GETs from FLEET, expanded or as names; records every request; raises errors set per path."""

    def __init__(self, expanded=True, errors=None):
        self.expanded = expanded
        self.errors = errors or {}
        self.requests = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._lock = threading.Lock()

    def get(self, path, action, **query):
        with self._lock:
            self.requests.append((path, query))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if path in self.errors:
                status = self.errors[path]
                raise OvhApiError("Could not %s: refused (HTTP %d)" % (action, status), status=status)
            return self._answer(path, query)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, path, query):
        parts = path.strip("/").split("/")[2:]
        if not parts:
            services = [FLEET[n][0] for n in sorted(FLEET)]
            if "iamTags" in query:
                document = json.loads(query["iamTags"])
                services = [s for s in services if fleet.iam_tags_match(s["iam"]["tags"], document)]
            return services if self.expanded else [s["serviceName"] for s in services]
        svc, partitions = FLEET[parts[0]]
        if len(parts) == 1:
            return svc
        if len(parts) == 2:
            return partitions if self.expanded else [p["partitionName"] for p in partitions]
        if len(parts) == 3:
            return next(p for p in partitions if p["partitionName"] == parts[2])
        if parts[3] == "snapshot":
            return [{"snapshotType": t} for t in ("day-1", "hour-1")] if self.expanded else ["day-1", "hour-1"]
        if len(parts) == 4:
            return [{"name": "keep", "expiration": None}] if self.expanded else ["keep"]
        return {"name": parts[4], "expiration": None}


def read(api, **options):
    fleet_filter = fleet.FleetFilter(**options.pop("filters", {}))
    warnings = []
    records = fleet.FleetReader(api, warn=warnings.append, **options).read(fleet_filter)
    return records, warnings


def test_expanded_lists_cost_one_request_plus_one_per_service():
    api = FakeApi(expanded=True)
    records, warnings = read(api)
    assert [r["service"]["serviceName"] for r in records] == ["other-3", "zpool-1", "zpool-2"]
    assert len(api.requests) == 1 + 3
    assert warnings == []


def test_names_only_falls_back_to_one_read_per_object_with_the_same_result():
    expanded, dummy = read(FakeApi(expanded=True))
    api = FakeApi(expanded=False)
    plain, dummy = read(api)
    assert plain == expanded
    assert len(api.requests) == 1 + 2 * 3 + 3  # the list, service + partition list each, one read per partition


def test_filters_names_datacenters_disk_types_without_reading_the_others():
    api = FakeApi(expanded=True)
    records, dummy = read(api, filters=dict(names=["zpool-*"], datacenters=["gra"]))
    assert [r["service"]["serviceName"] for r in records] == ["zpool-2"]
    assert [p for p, q in api.requests] == ["/dedicated/nasha", "/dedicated/nasha/zpool-2/partition"]
    records, dummy = read(FakeApi(), filters=dict(disk_types=["nvme"]))
    assert [r["service"]["serviceName"] for r in records] == ["other-3"]


def test_iam_tags_are_sent_to_the_api_and_checked_again():
    api = FakeApi(expanded=True)
    records, dummy = read(api, filters=dict(iam_tags={"environment": "production"}))
    assert [r["service"]["serviceName"] for r in records] == ["zpool-1"]
    path, query = api.requests[0]
    assert json.loads(query["iamTags"]) == {"environment": [{"operator": "EQ", "value": "production"}]}
    # A server that ignores the filter: the answers are checked again.
    ignoring = FakeApi(expanded=True)
    ignoring._answer = lambda path, query: FakeApi._answer(ignoring, path, {})
    records, dummy = read(ignoring, filters=dict(iam_tags={"environment": [{"operator": "LIKE", "value": "stag%"}]}))
    assert [r["service"]["serviceName"] for r in records] == ["zpool-2"]


@pytest.mark.parametrize("tags,document,holds", [
    ({"a": "x"}, {"a": [{"operator": "EQ", "value": "x"}]}, True),
    ({"a": "x"}, {"a": [{"operator": "NEQ", "value": "x"}]}, False),
    ({}, {"a": [{"operator": "NEQ", "value": "x"}]}, True),
    ({"a": "x"}, {"a": [{"operator": "NEXISTS"}]}, False),
    (None, {"a": [{"operator": "EXISTS"}]}, False),
    ({"a": "Prod-1"}, {"a": [{"operator": "ILIKE", "value": "prod%"}]}, True),
    ({"a": "Prod-1"}, {"a": [{"operator": "LIKE", "value": "prod%"}]}, False),
    ({"a": "p[1]"}, {"a": [{"operator": "LIKE", "value": "p[_]"}]}, True),
    ({"a": "x", "b": "y"}, {"a": [{"operator": "EQ", "value": "x"}], "b": [{"operator": "EQ", "value": "z"}]}, False),
])
def test_iam_tags_match(tags, document, holds):
    assert fleet.iam_tags_match(tags, document) is holds


def test_a_bad_iam_filter_is_refused():
    with pytest.raises(ValueError, match="operator IS"):
        fleet.iam_filter_document({"a": [{"operator": "is", "value": "x"}]})
    with pytest.raises(ValueError, match="needs a value"):
        fleet.iam_filter_document({"a": [{"operator": "EQ"}]})


def test_snapshots_are_read_only_when_asked():
    api = FakeApi(expanded=True)
    records, dummy = read(api, fetch_snapshots=True)
    first = records[1]["partitions"][0]
    assert first["snapshot_types"] == ["hour-1", "day-1"]
    assert first["custom_snapshots"] == [{"name": "keep", "expiration": None}]
    assert len(api.requests) == 1 + 3 + 2 * 3
    plain = FakeApi(expanded=False)
    assert read(plain, fetch_snapshots=True)[0] == records


def test_concurrency_is_bounded():
    api = FakeApi(expanded=False)
    read(api, max_workers=2)
    assert 1 <= api.most_in_flight <= 2


def test_forbidden_fails_when_strict_and_skips_otherwise():
    errors = {"/dedicated/nasha/zpool-1/partition": 403}
    with pytest.raises(OvhApiError):
        read(FakeApi(errors=errors))
    records, warnings = read(FakeApi(errors=errors), strict_permissions=False)
    assert [r["service"]["serviceName"] for r in records] == ["other-3", "zpool-2"]
    assert warnings == ["NAS-HA service zpool-1 skipped: Could not list the partitions of NAS-HA service zpool-1: refused (HTTP 403)"]


def test_forbidden_snapshots_are_left_unknown_when_not_strict():
    errors = {"/dedicated/nasha/zpool-2/partition/c/snapshot": 403}
    records, warnings = read(FakeApi(errors=errors), fetch_snapshots=True, strict_permissions=False)
    assert records[2]["partitions"][0]["snapshot_types"] is None
    assert len(warnings) == 1 and "zpool-2" in warnings[0]


def test_the_service_list_must_be_readable_and_other_errors_fail():
    with pytest.raises(OvhApiError):
        read(FakeApi(errors={"/dedicated/nasha": 403}), strict_permissions=False)
    with pytest.raises(OvhApiError):
        read(FakeApi(errors={"/dedicated/nasha/zpool-1/partition": 500}), strict_permissions=False)


def test_a_service_gone_since_the_list_is_skipped():
    records, warnings = read(FakeApi(expanded=False, errors={"/dedicated/nasha/zpool-2": 404}))
    assert [r["service"]["serviceName"] for r in records] == ["other-3", "zpool-1"]
    assert len(warnings) == 1


def test_host_variables():
    record = {"service": FLEET["zpool-2"][0], "partitions": [partition("c", "NFS_CIFS"), partition("d", "CIFS")]}
    variables = fleet.host_variables(record)
    assert variables["nasha_datacenter"] == "gra"
    assert variables["nasha_disk_type"] == "ssd"
    assert variables["nasha_iam_tags"] == {"environment": "staging"}
    assert variables["nasha_partitions"][0] == {
        "name": "c", "description": None, "protocol": "NFS_CIFS", "size": 100, "capacity": 10, "used_by_snapshots": 2,
        "nfs_export": "10.0.0.1:/zpool-2/c", "cifs_share": "\\\\10.0.0.1\\zpool-2_c"}
    assert variables["nasha_partitions"][1]["nfs_export"] is None
    assert "snapshot_types" not in variables["nasha_partitions"][0]
    no_ip = {"service": service("zpool-9", ip=None), "partitions": [partition("e")]}
    assert fleet.host_variables(no_ip)["nasha_partitions"][0]["nfs_export"] is None
    assert fleet.host_variables(no_ip)["nasha_iam_tags"] == {}


def test_expanded_lists_keep_the_bounded_transport_with_a_pool_for_the_concurrency():
    client = ovh.Client(endpoint="ovh-eu", application_key="ak-fleet", application_secret=FAKE_SECRET, consumer_key=FAKE_CONSUMER_KEY)
    install_transport(client)  # as build_client does
    fleet.request_expanded_lists(client, 32)
    for prefix in ("https://eu.api.ovh.com/1.0", "http://127.0.0.1/1.0"):
        transport = client._session.get_adapter(prefix)
        assert isinstance(transport, BoundedTransport) and transport.pool_maxsize == 32
    assert client._session.headers["X-Pagination-Mode"] == "CachedObjectList-Pages"
    assert client._session.max_redirects == 0


def test_an_oauth2_session_made_on_first_use_gets_the_bounded_transport_and_the_expanded_lists(monkeypatch):
    client = ovh.Client(endpoint="ovh-eu", client_id="client-id-fleet", client_secret=FAKE_SECRET)
    made = []

    def session(oauth2):  # stands for python-ovh's property, which fetches the token from OVHcloud
        if oauth2._session is None:
            made.append(True)
            oauth2._session = requests.Session()
        return oauth2._session

    monkeypatch.setattr(type(client._oauth2), "session", property(session))
    install_transport(client)
    fleet.request_expanded_lists(client, 16)
    assert made == [] and client._oauth2._session is None  # no token fetched outside OvhApi's guard
    used = []
    monkeypatch.setattr(client, "get", lambda path, **query: used.append(client._oauth2._session) or [])
    assert OvhApi(client, retries=0).get("/dedicated/nasha", "list the services") == []
    transport = used[0].get_adapter("https://eu.api.ovh.com/1.0")
    assert isinstance(transport, BoundedTransport) and transport.pool_maxsize == 16
    assert used[0].headers["X-Pagination-Mode"] == "CachedObjectList-Pages" and used[0].max_redirects == 0


def test_listed_items_accepts_names_objects_and_wrapped_objects_and_refuses_the_rest():
    assert fleet.listed_items(None, "name", "x") == []
    assert fleet.listed_items(["a", {"name": "b"}, {"key": "c", "value": {"name": "c"}}], "name", "x") == [
        "a", {"name": "b"}, {"name": "c"}]
    with pytest.raises(OvhApiError, match="no name"):
        fleet.listed_items([{"other": 1}], "name", "x")
    with pytest.raises(OvhApiError, match="instead of a list"):
        fleet.listed_items({"name": "a"}, "name", "x")
