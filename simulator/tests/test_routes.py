"""Every /1.0 route: answers, 404 messages, bad parameters, unknown routes, headers."""
from __future__ import annotations

import ovh
import pytest
from conftest import BACKUPS, BASE


def test_list_services(client):
    assert client.get("/dedicated/nasha") == ["zpool-100001", "zpool-100002"]


def test_get_service(client):
    service = client.get(BASE)
    assert service["serviceName"] == "zpool-100001"
    assert service["datacenter"] == "rbx" and service["ip"] == "10.0.0.1" and service["diskType"] == "hdd"
    assert service["iam"]["urn"] == "urn:v1:eu:resource:nasHa:zpool-100001"
    assert set(service) == {"serviceName", "customName", "datacenter", "ip", "zpoolSize", "zpoolCapacity",
                            "diskType", "monitored", "canCreatePartition", "iam"}


def test_unknown_service(client):
    for path in ("", "/partition", "/partition/backups", "/partition/backups/snapshot", "/task", "/task/1"):
        with pytest.raises(ovh.exceptions.ResourceNotFoundError, match="^This service does not exist"):
            client.get("/dedicated/nasha/zpool-999999" + path)


def test_partitions(client):
    assert client.get(f"{BASE}/partition") == ["backups", "projects", "scratch"]
    assert client.get(f"{BACKUPS}") == {
        "partitionName": "backups", "partitionDescription": "nightly backups", "protocol": "NFS", "size": 500,
        "partitionCapacity": 31, "usedBySnapshots": 4,
    }


def test_unknown_partition(client):
    message = r"^The requested object \(partitionName = nope\) does not exist"
    for path in ("", "/snapshot", "/snapshot/hour-1", "/customSnapshot", "/customSnapshot/x"):
        with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=message):
            client.get(f"{BASE}/partition/nope" + path)
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=message):
        client.post(f"{BASE}/partition/nope/snapshot", snapshotType="day-1")


def test_scheduled_types(client):
    assert client.get(f"{BASE}/partition/projects/snapshot") == ["hour-6", "day-1", "day-7"]
    assert client.get(f"{BACKUPS}/snapshot/hour-1") == {"snapshotType": "hour-1"}
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=r"^The requested object \(type = day-7\) does not exist"):
        client.get(f"{BACKUPS}/snapshot/day-7")
    with pytest.raises(ovh.exceptions.BadParametersError, match="snapshotType"):
        client.get(f"{BACKUPS}/snapshot/week-1")


def test_custom_snapshots(sim, client):
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade"]
    assert client.get(f"{BACKUPS}/customSnapshot/before-upgrade") == {"name": "before-upgrade", "expiration": None}
    assert client.get(f"{BASE}/partition/projects/customSnapshot/release-2026.10") == {
        "name": "release-2026.10", "expiration": "2099-12-31T00:00:00Z"}
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=r"^The requested object \(name = gone\) does not exist"):
        client.get(f"{BACKUPS}/customSnapshot/gone")
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=r"\(name = gone\)"):
        client.delete(f"{BACKUPS}/customSnapshot/gone")


def test_write_routes_answer_a_task(client):
    tasks = [
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-1"),
        client.delete(f"{BASE}/partition/projects/snapshot/day-7"),
        client.post(f"{BACKUPS}/customSnapshot", name="manual-1", expiration="2099-01-01"),
        client.delete(f"{BACKUPS}/customSnapshot/before-upgrade"),
    ]
    assert [t["operation"] for t in tasks] == [
        "clusterLeclercSnapshotUpdate", "clusterLeclercSnapshotUpdate",
        "clusterLeclercCustomSnapCreate", "clusterLeclercCustomSnapDelete"]
    assert [t["partitionName"] for t in tasks] == ["backups", "projects", "backups", "backups"]
    ids = [t["taskId"] for t in tasks]
    assert ids == sorted(ids) and len(set(ids)) == 4
    for task in tasks:
        assert task["status"] == "todo" and task["doneDate"] is None and task["storageName"] == "zpool-100001"
        assert task["todoDate"].endswith("+01:00")
    assert client.get(f"{BASE}/task") == ids
    assert client.get(f"{BASE}/task/{ids[0]}")["taskId"] == ids[0]


def test_task_filters(sim, client):
    first = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")["taskId"]
    sim.clock.advance(5)
    second = client.post(f"{BACKUPS}/customSnapshot", name="m1")["taskId"]
    assert client.get(f"{BASE}/task", operation="clusterLeclercSnapshotUpdate") == [first]
    assert client.get(f"{BASE}/task", operation="clusterLeclercCustomSnapCreate") == [second]
    assert client.get(f"{BASE}/task", status="done") == [first]
    assert client.get(f"{BASE}/task", status="todo") == [second]
    assert client.get(f"{BASE}/task", status="done", operation="clusterLeclercCustomSnapCreate") == []
    assert client.get("/dedicated/nasha/zpool-100002/task") == []
    with pytest.raises(ovh.exceptions.BadParametersError, match=r"\[status\]"):
        client.get(f"{BASE}/task", status="error")
    with pytest.raises(ovh.exceptions.BadParametersError, match=r"\[operation\]"):
        client.get(f"{BASE}/task", operation="snapshotUpdate")


def test_unknown_task(client):
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=r"^The requested object \(taskId = 42\) does not exist"):
        client.get(f"{BASE}/task/42")
    with pytest.raises(ovh.exceptions.BadParametersError, match="taskId"):
        client.get(f"{BASE}/task/abc")


def test_task_of_another_service_is_not_found(client):
    task_id = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")["taskId"]
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=f"taskId = {task_id}"):
        client.get(f"/dedicated/nasha/zpool-100002/task/{task_id}")


@pytest.mark.parametrize("method,path", [
    ("GET", "/dedicated/nashaa"),
    ("GET", f"{BACKUPS}/options"),
    ("PUT", f"{BACKUPS}"),
    ("POST", f"{BACKUPS}/snapshot/hour-1"),
    ("GET", f"{BACKUPS}/"),
    ("GET", ""),
])
def test_unknown_routes(sim, method, path):
    answer = sim.signed(method, path)
    assert answer.status_code == 404
    assert answer.json() == {"class": "Client::NotFound", "message": "Got an invalid (or empty) URL"}
    assert answer.headers["X-OVH-QUERYID"]


def test_outside_the_api_prefix(sim):
    answer = sim.http.get(sim.root_url + "/2.0/dedicated/nasha")
    assert answer.status_code == 404 and answer.json()["message"] == "Got an invalid (or empty) URL"


@pytest.mark.parametrize("body,field", [
    ("", "snapshotType"),
    ("{not json", "JSON"),
    ("[]", "JSON object"),
    ("{}", "snapshotType"),
    ('{"snapshotType": "week-1"}', "snapshotType"),
    ('{"snapshotType": "day-1", "extra": 1}', "extra"),
])
def test_bad_schedule_bodies(sim, body, field):
    answer = sim.signed("POST", f"{BACKUPS}/snapshot", body=body)
    assert answer.status_code == 400
    assert answer.json()["class"] == "Client::BadRequest"
    assert field in answer.json()["message"]


@pytest.mark.parametrize("body,field", [
    ("{}", "name"),
    ('{"name": 5}', "name"),
    ('{"name": "has space"}', "name"),
    ('{"name": "a/b"}', "name"),
    ('{"name": "ok", "expiration": null}', "expiration"),
    ('{"name": "ok", "expiration": "next tuesday"}', "expiration"),
    ('{"name": "ok", "expiration": "2001-01-01"}', "expiration"),
    ('{"name": "ok", "ttl": 3}', "ttl"),
])
def test_bad_custom_snapshot_bodies(sim, body, field):
    answer = sim.signed("POST", f"{BACKUPS}/customSnapshot", body=body)
    assert answer.status_code == 400
    assert answer.json()["class"] == "Client::BadRequest"
    assert field in answer.json()["message"]


def test_every_answer_has_json_and_a_query_id(sim, client):
    answers = [
        sim.signed("GET", "/dedicated/nasha"),
        sim.signed("GET", "/dedicated/nasha/nope"),
        sim.signed("GET", "/dedicated/nasha", drop=("X-Ovh-Signature",)),
        sim.http.get(sim.root_url + "/_sim/health"),
        sim.http.get(sim.root_url + "/_sim/nothing"),
    ]
    query_ids = [a.headers["X-OVH-QUERYID"] for a in answers]
    assert all(a.headers["Content-Type"].startswith("application/json") for a in answers)
    assert len(set(query_ids)) == len(query_ids)


def test_expanded_lists_can_be_switched_off(sim, client):
    """With expanded_lists off the header is ignored, as by a server that does not know it: names come back."""
    client._session.headers["X-Pagination-Mode"] = "CachedObjectList-Pages"  # pylint: disable=protected-access
    expanded = client.get(f"{BACKUPS}/customSnapshot")
    assert expanded and all(isinstance(item, dict) and "expiration" in item for item in expanded)
    assert sim.configure(expanded_lists="off")["expanded_lists"] == "off"
    assert client.get(f"{BACKUPS}/customSnapshot") == [item["name"] for item in expanded]
    assert client.get(f"{BASE}/partition") == ["backups", "projects", "scratch"]
    sim.configure(expanded_lists="on")
    assert client.get(f"{BACKUPS}/customSnapshot") == expanded
    assert sim.control("POST", "config", {"expanded_lists": "maybe"}).status_code == 400


def test_expanded_lists_switch_on_the_command_line():
    from simulator.nasha_sim.__main__ import config_from_arguments, parse_arguments
    assert config_from_arguments(parse_arguments(["--state", "s.json"])).expanded_lists == "on"
    assert config_from_arguments(parse_arguments(["--state", "s.json", "--expanded-lists", "off"])).expanded_lists == "off"
