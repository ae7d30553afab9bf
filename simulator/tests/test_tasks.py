"""Task life cycle, when changes become visible, and writes while a task is pending."""
from __future__ import annotations

import time

import ovh
import pytest
from conftest import BACKUPS, BASE


def _task(client, task):
    return client.get(f"{BASE}/task/{task['taskId']}")


def test_task_goes_todo_doing_done_with_dates(sim, client):
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    assert task["status"] == "todo" and task["doneDate"] is None and task["details"] is None
    assert _task(client, task)["status"] == "todo"
    sim.clock.advance(0.5)
    doing = _task(client, task)
    assert doing["status"] == "doing" and doing["doneDate"] is None
    sim.clock.advance(0.6)
    done = _task(client, task)
    assert done["status"] == "done" and done["doneDate"] is not None
    assert done["todoDate"] <= done["lastUpdate"] <= done["doneDate"]
    # Finished tasks stay readable (a long wait: let the signature window follow).
    sim.configure(timestamp_window=100000)
    sim.clock.advance(86400)
    assert _task(client, task)["status"] == "done"


def test_initial_status_init_shows_init_first_and_counts_as_pending(sim, client):
    sim.configure(initial_status="init", busy="conflict")
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    assert task["status"] == "init" and task["doneDate"] is None
    assert _task(client, task)["status"] == "init"
    assert client.get(f"{BASE}/task", status="init") == [task["taskId"]]
    assert client.get(f"{BASE}/task", status="todo") == []
    # Pending: a second write on the partition is refused as busy.
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-2")
    sim.clock.advance(0.5)
    assert _task(client, task)["status"] == "doing"
    sim.clock.advance(0.6)
    assert _task(client, task)["status"] == "done"
    # The status is fixed when the task is made.
    sim.configure(initial_status="todo")
    assert client.post(f"{BACKUPS}/snapshot", snapshotType="day-2")["status"] == "todo"


def test_initial_status_must_be_todo_or_init(sim):
    answer = sim.control("POST", "config", {"initial_status": "doing"})
    assert answer.status_code == 400 and "initial_status" in answer.text


def test_task_progresses_on_the_real_clock(sim_factory):
    sim = sim_factory(clock=time.time, task_duration=0.1)
    client = sim.client()
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-2")
    deadline = time.monotonic() + 3
    while _task(client, task)["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-2"]


def test_visibility_on_done_shows_changes_when_the_task_is_done(sim, client):
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    client.post(f"{BACKUPS}/customSnapshot", name="m1")
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1"]
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade"]
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.get(f"{BACKUPS}/snapshot/day-1")
    sim.clock.advance(1.0)
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-1"]
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade", "m1"]


def test_visibility_immediate_shows_changes_at_the_write(sim, client):
    sim.configure(visibility="immediate")
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    client.delete(f"{BACKUPS}/customSnapshot/before-upgrade")
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-1"]
    assert client.get(f"{BACKUPS}/customSnapshot") == []
    sim.clock.advance(2)
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-1"]


def test_busy_accept_lets_tasks_overlap(sim, client):
    first = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    second = client.post(f"{BACKUPS}/snapshot", snapshotType="day-7")
    third = client.delete(f"{BACKUPS}/snapshot/hour-1")
    assert len({first["taskId"], second["taskId"], third["taskId"]}) == 3
    sim.clock.advance(1)
    assert client.get(f"{BACKUPS}/snapshot") == ["day-1", "day-7"]


def test_busy_conflict_refuses_a_second_write_until_the_task_ends(sim, client):
    sim.configure(busy="conflict")
    first = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    with pytest.raises(ovh.exceptions.ResourceConflictError) as caught:
        client.post(f"{BACKUPS}/customSnapshot", name="m1")
    body = caught.value.response.json()
    assert body["class"] == "Client::Conflict::ResourceBusy"
    assert body["details"] == {"pendingTaskIds": [first["taskId"]]}
    # Another partition is not busy.
    client.post(f"{BASE}/partition/scratch/snapshot", snapshotType="day-2")
    sim.clock.advance(1)
    assert client.post(f"{BACKUPS}/customSnapshot", name="m1")["status"] == "todo"


@pytest.mark.parametrize("final_status", ["ovhError", "customerError", "cancelled"])
def test_failed_task_applies_nothing(sim, client, final_status):
    sim.add_faults({"match": {"method": "POST", "path": "/snapshot$"}, "task": {"final_status": final_status, "details": "disk on fire"}})
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    assert task["status"] == "todo"
    sim.clock.advance(1)
    failed = _task(client, task)
    assert failed["status"] == final_status and failed["details"] == "disk on fire" and failed["doneDate"]
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1"]
    # The rule was used once: the next task succeeds.
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    sim.clock.advance(1)
    assert _task(client, task)["status"] == "done"
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-1"]


def test_failed_task_rolls_back_an_immediate_change(sim, client):
    sim.configure(visibility="immediate")
    sim.add_faults({"match": {"method": "DELETE"}, "task": {"final_status": "ovhError"}},
                   {"match": {"method": "POST", "path": "customSnapshot"}, "task": {"final_status": "customerError"}})
    client.delete(f"{BACKUPS}/customSnapshot/before-upgrade")
    client.post(f"{BACKUPS}/customSnapshot", name="m1", expiration="2099-01-01T00:00:00+02:00")
    assert client.get(f"{BACKUPS}/customSnapshot") == ["m1"]
    sim.clock.advance(1)
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade"]
    ids = client.get(f"{BASE}/task", status="ovhError")
    assert len(ids) == 1
    assert client.get(f"{BASE}/task/{ids[0]}")["details"]


def test_never_finishing_task_stays_doing_and_keeps_the_partition_busy(sim, client):
    sim.configure(busy="conflict")
    sim.add_faults({"match": {"method": "POST"}, "task": {"never_finish": True}})
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    sim.clock.advance(100)
    assert _task(client, task)["status"] == "doing"
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1"]
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post(f"{BACKUPS}/customSnapshot", name="m1")


def test_zero_duration_tasks_are_done_at_the_next_read(sim, client):
    sim.configure(task_duration=0)
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    assert task["status"] == "todo"
    assert _task(client, task)["status"] == "done"
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1", "day-1"]


def test_task_duration_is_fixed_at_creation(sim, client):
    task = client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    sim.configure(task_duration=100)
    sim.clock.advance(1)
    assert _task(client, task)["status"] == "done"
