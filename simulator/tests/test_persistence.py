"""State saved atomically after every change, restarts that lose nothing, and the command line."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import ovh
import pytest
import requests
from conftest import BACKUPS, BASE, REPOSITORY, TEST_SEED, FakeClock

from simulator.nasha_sim.state import write_json_atomically


def test_restart_keeps_services_tasks_and_task_ids(sim_factory, tmp_path):
    clock = FakeClock()
    state_path = tmp_path / "sim.state.json"
    first = sim_factory(clock=clock, state_path=state_path)
    client = first.client()
    done = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    clock.advance(1)
    client.get(f"{BASE}/task")  # settles the first task
    pending = client.post(f"{BACKUPS}/customSnapshot", name="m1", expiration="2099-01-01")
    first.close()

    # The seed given at restart is ignored: the state file wins.
    second = sim_factory(clock=clock, state_path=state_path, seed={"credentials": json.loads(TEST_SEED.read_text())["credentials"]})
    client = second.client()
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-1"]
    assert client.get(f"{BASE}/task") == [done["taskId"], pending["taskId"]]
    assert client.get(f"{BASE}/task/{pending['taskId']}")["status"] == "todo"
    clock.advance(1)  # the task keeps running across the restart
    assert client.get(f"{BASE}/task/{pending['taskId']}")["status"] == "done"
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade", "m1"]
    assert client.get(f"{BACKUPS}/customSnapshot/m1")["expiration"] == "2099-01-01T00:00:00Z"
    new = client.post(f"{BACKUPS}/snapshot", snapshotType="day-2")
    assert new["taskId"] == pending["taskId"] + 1


def test_state_file_is_written_after_every_write(sim, client):
    before = json.loads(sim.state_path.read_text())
    assert before["tasks"] == [] and before["format"] == 1
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    after = json.loads(sim.state_path.read_text())
    assert len(after["tasks"]) == 1 and after["next_task_id"] == before["next_task_id"] + 1
    assert [p.name for p in sim.state_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_atomic_write_keeps_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    write_json_atomically(path, {"version": 1})

    def failing_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError):
        write_json_atomically(path, {"version": 2})
    assert json.loads(path.read_text()) == {"version": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_atomic_write_fsyncs_the_data_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (calls.append("replace"), real_replace(a, b))[1])
    write_json_atomically(tmp_path / "s.json", {"a": 1})
    assert calls[:2] == ["fsync", "replace"]


def _start_cli(tmp_path, *options):
    port_file = tmp_path / "port"
    if port_file.exists():
        port_file.unlink()
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator.nasha_sim", "--seed", str(TEST_SEED), "--state", str(tmp_path / "cli.state.json"),
         "--port", "0", "--port-file", str(port_file), *options],
        cwd=REPOSITORY, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not (port_file.exists() and port_file.read_text().strip()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the simulator did not write its port file"
        time.sleep(0.02)
    return process, int(port_file.read_text())


def _stop_cli(process, sig=signal.SIGTERM):
    process.send_signal(sig)
    try:
        return process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_command_line_serves_persists_and_stops_cleanly(tmp_path, sig):
    process, port = _start_cli(tmp_path, "--task-duration", "0.05", "--busy", "conflict", "--name-prefix", "snap-")
    try:
        ovh.client.ENDPOINTS["sim-cli"] = f"http://127.0.0.1:{port}/1.0"
        client = ovh.Client(endpoint="sim-cli", application_key="demo-ak", application_secret="demo-as", consumer_key="demo-ck")
        task = client.post(f"{BACKUPS}/customSnapshot", name="cli")
        config = requests.get(f"http://127.0.0.1:{port}/_sim/config", timeout=5).json()
        assert config["busy"] == "conflict" and config["task_duration"] == 0.05 and config["name_prefix"] == "snap-"
        time.sleep(0.1)
        assert client.get(f"{BASE}/task/{task['taskId']}")["status"] == "done"
    finally:
        assert _stop_cli(process, sig) == 0
    process, port = _start_cli(tmp_path)
    try:
        ovh.client.ENDPOINTS["sim-cli"] = f"http://127.0.0.1:{port}/1.0"
        client = ovh.Client(endpoint="sim-cli", application_key="demo-ak", application_secret="demo-as", consumer_key="demo-ck")
        assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade", "snap-cli"]
    finally:
        assert _stop_cli(process) == 0
        ovh.client.ENDPOINTS.pop("sim-cli", None)


def test_command_line_rejects_a_bad_seed(tmp_path):
    bad_seed = tmp_path / "bad.json"
    bad_seed.write_text(json.dumps({"services": {"zpool-1": {"diskType": "tape"}}}))
    result = subprocess.run([sys.executable, "-m", "simulator.nasha_sim", "--seed", str(bad_seed), "--state",
                             str(tmp_path / "s.json"), "--port", "0"], cwd=REPOSITORY, capture_output=True, text=True, timeout=20, check=False)
    assert result.returncode == 2
    assert "diskType" in result.stderr
