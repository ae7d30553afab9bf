"""The shipped seeds, in-process start and stop, and concurrent requests."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import ovh
import pytest
from conftest import BASE, REPOSITORY

from simulator.nasha_sim import SimConfig, make_server
from simulator.nasha_sim.state import NashaState

SEEDS = REPOSITORY / "simulator" / "seeds"


def test_demo_seed_matches_its_description():
    seed = json.loads((SEEDS / "demo.json").read_text())
    state = NashaState(seed)
    assert state.list_services() == ["zpool-100001", "zpool-100002"]
    assert all(len(state.list_partitions(s)) == 3 for s in state.list_services())
    schedules = {tuple(state.list_schedules(s, p)) for s in state.list_services() for p in state.list_partitions(s)}
    assert len(schedules) >= 4
    assert sum(len(state.list_custom(s, p)) for s in state.list_services() for p in state.list_partitions(s)) >= 2
    consumers = {c["consumer_key"]: c for c in seed["credentials"][0]["consumer_keys"]}
    assert seed["credentials"][0]["application_key"] == "demo-ak" and seed["credentials"][0]["application_secret"] == "demo-as"
    assert {r["method"] for r in consumers["demo-ck"]["rules"]} >= {"GET", "POST", "DELETE"}
    assert consumers["demo-ck-readonly"]["rules"] == [{"method": "GET", "path": "/*"}]


def test_test_seed_has_a_key_pending_validation():
    seed = json.loads((SEEDS / "test.json").read_text())
    statuses = {c["status"] for app in seed["credentials"] for c in app["consumer_keys"]}
    assert "pendingValidation" in statuses
    NashaState(seed)


def test_make_server_defaults_to_the_demo_seed_without_a_state_file():
    server = make_server(SimConfig(task_duration=0.05))
    server.start_background()
    try:
        ovh.client.ENDPOINTS["sim-default"] = server.base_url
        client = ovh.Client(endpoint="sim-default", application_key="demo-ak", application_secret="demo-as", consumer_key="demo-ck")
        assert client.get("/dedicated/nasha") == ["zpool-100001", "zpool-100002"]
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/1.0")
    finally:
        server.stop()
        ovh.client.ENDPOINTS.pop("sim-default", None)


def test_concurrent_writes_get_distinct_tasks_and_respect_the_limit(sim):
    scratch = f"{BASE}/partition/scratch/customSnapshot"

    def create(number):
        try:
            return sim.client().post(scratch, name=f"c{number}")["taskId"]
        except ovh.exceptions.BadParametersError:
            return None

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(create, range(14)))
    task_ids = [r for r in results if r is not None]
    assert len(task_ids) == 10 and len(set(task_ids)) == 10
    sim.clock.advance(1)
    assert len(sim.client().get(scratch)) == 10


@pytest.mark.parametrize("seed", [
    {"services": {"zpool-1": {"ip": "not-an-ip"}}},
    {"services": {"zpool-1": {"partitions": {"p": {"protocol": "FTP", "size": 1}}}}},
    {"services": {"zpool-1": {"partitions": {"p": {"protocol": "NFS", "size": 1, "snapshot_types": ["hour-2"]}}}}},
    {"services": {"zpool-1": {"partitions": {"p": {"protocol": "NFS", "size": 1, "custom_snapshots": [{"name": "a b"}]}}}}},
    {"credentials": [{"application_key": "a", "application_secret": "s", "consumer_keys": [{"consumer_key": "c", "status": "maybe"}]}]},
])
def test_bad_seeds_are_refused(seed):
    with pytest.raises(ValueError):
        NashaState(seed)
