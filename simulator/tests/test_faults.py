"""Injected faults and the control routes under /_sim/."""
from __future__ import annotations

import json
import time

import ovh
import pytest
from conftest import BACKUPS, BASE, TEST_SEED


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_status_fault_answers_without_applying(sim, client, status):
    sim.add_faults({"match": {"method": "POST", "path": r"/snapshot$"}, "status": status, "retry_after": 7})
    with pytest.raises(ovh.exceptions.APIError) as caught:
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    response = caught.value.response
    assert response.status_code == status
    assert response.headers["Retry-After"] == "7"
    assert response.json()["class"].startswith(("Client::", "Server::"))
    assert caught.value.query_id
    assert client.get(f"{BASE}/task") == []
    # count defaults to 1: the retry goes through.
    assert client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")["status"] == "todo"
    faulty = [e for e in sim.log()["entries"] if e["fault"]]
    assert len(faulty) == 1
    assert faulty[0]["fault"] == {"status": status, "retry_after": 7} and faulty[0]["status"] == status


def test_status_fault_without_retry_after(sim, client):
    sim.add_faults({"match": {"method": "GET"}, "status": 429, "retry_after": None})
    with pytest.raises(ovh.exceptions.APIError) as caught:
        client.get("/dedicated/nasha")
    assert "Retry-After" not in caught.value.response.headers


def test_fault_matching_by_method_and_path_and_count(sim, client):
    sim.add_faults({"match": {"method": "GET", "path": "zpool-100002"}, "status": 503, "count": 2})
    assert client.get(f"{BASE}/partition")
    for dummy in range(2):
        with pytest.raises(ovh.exceptions.APIError):
            client.get("/dedicated/nasha/zpool-100002/partition")
    assert client.get("/dedicated/nasha/zpool-100002/partition")
    rule = sim.control("GET", "faults").json()[0]
    assert rule["hits"] == 2 and rule["count"] == 2


def test_fault_forever_until_cleared(sim, client):
    sim.add_faults({"match": {"path": "^/dedicated/nasha$"}, "status": 500, "count": None})
    for dummy in range(3):
        with pytest.raises(ovh.exceptions.APIError):
            client.get("/dedicated/nasha")
    assert sim.control("DELETE", "faults").json() == []
    assert sim.control("GET", "faults").json() == []
    assert client.get("/dedicated/nasha")


def test_drop_before_loses_the_request(sim, client):
    sim.add_faults({"match": {"method": "POST"}, "drop": "before"})
    with pytest.raises(ovh.exceptions.HTTPError):
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    assert client.get(f"{BASE}/task") == []
    entry = [e for e in sim.log()["entries"] if e["write"]][0]
    assert entry["status"] is None and entry["fault"] == {"drop": "before"}


def test_drop_after_applies_the_write_but_loses_the_answer(sim, client):
    sim.add_faults({"match": {"method": "POST"}, "drop": "after"})
    with pytest.raises(ovh.exceptions.HTTPError):
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    assert len(client.get(f"{BASE}/task")) == 1
    sim.clock.advance(1)
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-1"]
    # A blind retry now meets the conflict a client has to understand.
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    entry = [e for e in sim.log()["entries"] if e["write"]][0]
    assert entry["status"] is None and entry["fault"] == {"drop": "after"}


def test_delay_makes_a_client_time_out(sim):
    sim.add_faults({"match": {"method": "GET", "path": "^/dedicated/nasha$"}, "delay": 0.4})
    client = sim.client(timeout=0.15)
    client.get(f"{BASE}/partition")  # fetches /auth/time on the way
    started = time.monotonic()
    with pytest.raises(ovh.exceptions.HTTPError):
        client.get("/dedicated/nasha")
    assert time.monotonic() - started < 0.4
    # the client gave up before the delay ended: the entry comes when the delayed answer is about to leave
    deadline = time.monotonic() + 5
    while not (entries := [e for e in sim.log()["entries"] if e["path"] == "/dedicated/nasha"]):
        assert time.monotonic() < deadline, "the delayed request was not logged within 5 s"
        time.sleep(0.05)
    entry = entries[0]
    assert entry["fault"] == {"delay": 0.4} and entry["duration_ms"] >= 400


def test_latency_is_added_to_every_answer(sim, client):
    client.get("/dedicated/nasha")
    sim.configure(latency=0.05)
    started = time.monotonic()
    client.get("/dedicated/nasha")
    assert time.monotonic() - started >= 0.05


def test_faults_can_hit_auth_time(sim):
    sim.add_faults({"match": {"path": "^/auth/time$"}, "status": 502})
    with pytest.raises(ovh.exceptions.APIError):
        sim.client().get("/dedicated/nasha")


def test_task_fault_only_counts_writes_that_create_a_task(sim, client):
    sim.add_faults({"match": {"path": "customSnapshot"}, "task": {"final_status": "ovhError"}})
    client.get(f"{BACKUPS}/customSnapshot")
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post(f"{BACKUPS}/customSnapshot", name="before-upgrade")
    task = client.post(f"{BACKUPS}/customSnapshot", name="m1")
    sim.clock.advance(1)
    assert client.get(f"{BASE}/task/{task['taskId']}")["status"] == "ovhError"
    entry = [e for e in sim.log()["entries"] if e["write"]][-1]
    assert entry["fault"] == {"task": {"final_status": "ovhError", "details": None}}


@pytest.mark.parametrize("rule", [
    {"status": 418},
    {"drop": "sideways"},
    {"delay": -1},
    {"task": {"final_status": "done"}},
    {"task": {"never_finish": False}},
    {"status": 500, "drop": "before"},
    {"match": {"path": "("}, "status": 500},
    {"match": {"method": "PATCH"}, "status": 500},
    {"status": 500, "count": 0},
    {"drop": "before", "retry_after": 3},
    {},
    "not a rule",
])
def test_bad_fault_rules_are_refused(sim, rule):
    answer = sim.control("POST", "faults", [rule])
    assert answer.status_code == 400
    assert answer.json()["class"] == "Client::BadRequest"
    assert sim.control("GET", "faults").json() == []


def test_config_routes(sim):
    config = sim.control("GET", "config").json()
    assert config["task_duration"] == 1.0 and config["visibility"] == "on_done" and config["busy"] == "accept"
    assert config["last_schedule"] == "refuse" and config["name_prefix"] == "" and config["expiration_format"] == "utc"
    assert config["latency"] == 0 and config["clock_offset"] == 0 and config["rate_limit"] is None
    updated = sim.configure(busy="conflict", rate_limit=60)
    assert updated["busy"] == "conflict" and updated["rate_limit"] == 60 and updated["visibility"] == "on_done"
    assert sim.configure(rate_limit=0.5)["rate_limit"] == 0.5 and sim.configure(rate_limit=None)["rate_limit"] is None
    for bad in ({"busy": "maybe"}, {"task_duration": -1}, {"rate_limit": 0}, {"rate_limit": -2}, {"rate_limit": "5"},
                {"rate_limit": True}, {"unknown": 1}, {"name_prefix": "a b"}):
        answer = sim.control("POST", "config", bad)
        assert answer.status_code == 400, bad
    assert sim.control("GET", "config").json()["busy"] == "conflict"


def test_log_since_and_clear(sim, client):
    client.get("/dedicated/nasha")
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    sim.control("GET", "health")  # control routes are not logged
    log = sim.log()
    assert [e["path"] for e in log["entries"]] == ["/auth/time", "/dedicated/nasha", f"{BACKUPS}/snapshot"]
    assert [e["write"] for e in log["entries"]] == [False, False, True]
    assert [e["seq"] for e in log["entries"]] == [1, 2, 3] and log["next"] == 4
    assert set(log["entries"][0]) == {"seq", "time", "method", "path", "status", "write", "fault", "duration_ms"}
    client.get(f"{BASE}/task", status="todo")
    newer = sim.log(since=log["next"])
    assert [e["path"] for e in newer["entries"]] == [f"{BASE}/task?status=todo"]
    sim.control("DELETE", "log")
    assert sim.log(since=0)["entries"] == []


def test_reset_reloads_the_seed(sim, client):
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    sim.add_faults({"status": 500, "count": None, "match": {"path": "partition$"}})
    sim.clock.advance(1)
    assert sim.control("POST", "reset").status_code == 200
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1"]
    assert client.get(f"{BASE}/task") == []
    assert client.get(f"{BASE}/partition")
    assert sim.control("GET", "faults").json() == []
    assert [e["path"] for e in sim.log()["entries"]] == [f"{BACKUPS}/snapshot", f"{BASE}/task", f"{BASE}/partition"]


def test_seed_replaces_the_state(sim, client):
    seed = json.loads(TEST_SEED.read_text())
    seed["services"] = {"zpool-555555": {"datacenter": "sbg", "customName": None, "ip": "10.9.9.9", "zpoolSize": 100,
                                         "zpoolCapacity": 1, "diskType": "nvme", "monitored": True,
                                         "partitions": {"only": {"protocol": "CIFS", "size": 10}}}}
    answer = sim.control("POST", "seed", seed)
    assert answer.status_code == 200, answer.text
    assert client.get("/dedicated/nasha") == ["zpool-555555"]
    assert client.get("/dedicated/nasha/zpool-555555/partition/only/snapshot") == ["hour-1"]
    bad = dict(seed, services={"zpool-1": {"diskType": "floppy"}})
    answer = sim.control("POST", "seed", bad)
    assert answer.status_code == 400 and "diskType" in answer.json()["message"]
    assert client.get("/dedicated/nasha") == ["zpool-555555"]


def test_state_dump_and_health(sim, client):
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    dump = sim.control("GET", "state").json()
    assert dump["services"]["zpool-100001"]["partitions"]["backups"]["snapshot_types"] == ["hour-1"]
    assert len(dump["tasks"]) == 1
    assert dump["credentials"][0]["application_key"] == "demo-ak"
    assert "application_secret" not in dump["credentials"][0]
    assert all("consumer_key" not in c for c in dump["credentials"][0]["consumer_keys"])
    assert sim.control("GET", "health").json()["status"] == "ok"
    assert sim.control("GET", "nothing").status_code == 404
