"""Business rules: duplicate types, the last schedule, the custom snapshot limit, names and expirations."""
from __future__ import annotations

import datetime as dt
import json

import ovh
import pytest
from conftest import BACKUPS, BASE


def test_adding_a_scheduled_type_conflicts(client):
    with pytest.raises(ovh.exceptions.ResourceConflictError, match="hour-1"):
        client.post(f"{BACKUPS}/snapshot", snapshotType="hour-1")


def test_adding_a_type_pending_to_be_added_conflicts(client):
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    with pytest.raises(ovh.exceptions.ResourceConflictError) as caught:
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    assert caught.value.response.json()["class"] == "Client::Conflict"


def test_removing_an_unscheduled_type_is_not_found(client):
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match=r"\(type = day-3\)"):
        client.delete(f"{BACKUPS}/snapshot/day-3")


def test_removing_a_type_twice_conflicts_while_pending(sim, client):
    projects = f"{BASE}/partition/projects"
    client.delete(f"{projects}/snapshot/day-7")
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.delete(f"{projects}/snapshot/day-7")
    sim.clock.advance(1)
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.delete(f"{projects}/snapshot/day-7")


def test_last_schedule_refused_by_default(sim, client):
    with pytest.raises(ovh.exceptions.BadParametersError, match="last snapshot type") as caught:
        client.delete(f"{BACKUPS}/snapshot/hour-1")
    assert caught.value.response.json()["class"] == "Client::BadRequest"
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1"]


def test_last_schedule_replace_sent_together_is_accepted(sim, client):
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    client.delete(f"{BACKUPS}/snapshot/hour-1")
    sim.clock.advance(1)
    assert client.get(f"{BACKUPS}/snapshot") == ["day-1"]


def test_last_schedule_counts_pending_removals(sim, client):
    projects = f"{BASE}/partition/projects"
    client.delete(f"{projects}/snapshot/hour-6")
    client.delete(f"{projects}/snapshot/day-1")
    with pytest.raises(ovh.exceptions.BadParametersError):
        client.delete(f"{projects}/snapshot/day-7")


def test_last_schedule_allow(sim, client):
    sim.configure(last_schedule="allow")
    client.delete(f"{BACKUPS}/snapshot/hour-1")
    sim.clock.advance(1)
    assert client.get(f"{BACKUPS}/snapshot") == []


def test_at_most_ten_custom_snapshots_counting_pending_creates(sim, client):
    for number in range(9):  # the partition already holds one
        client.post(f"{BACKUPS}/customSnapshot", name=f"m{number}")
    with pytest.raises(ovh.exceptions.BadParametersError, match="maximum of 10") as caught:
        client.post(f"{BACKUPS}/customSnapshot", name="eleventh")
    assert caught.value.response.json()["class"] == "Client::BadRequest"
    sim.clock.advance(1)
    assert len(client.get(f"{BACKUPS}/customSnapshot")) == 10
    # A pending delete does not free a slot; a finished one does.
    client.delete(f"{BACKUPS}/customSnapshot/m0")
    with pytest.raises(ovh.exceptions.BadParametersError):
        client.post(f"{BACKUPS}/customSnapshot", name="eleventh")
    sim.clock.advance(1)
    client.post(f"{BACKUPS}/customSnapshot", name="eleventh")


def test_duplicate_custom_names_conflict(client):
    with pytest.raises(ovh.exceptions.ResourceConflictError, match="before-upgrade"):
        client.post(f"{BACKUPS}/customSnapshot", name="before-upgrade")
    client.post(f"{BACKUPS}/customSnapshot", name="m1")
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post(f"{BACKUPS}/customSnapshot", name="m1")


def test_deleting_a_custom_snapshot_twice_conflicts_while_pending(client):
    client.delete(f"{BACKUPS}/customSnapshot/before-upgrade")
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.delete(f"{BACKUPS}/customSnapshot/before-upgrade")


def test_name_prefix_is_stored_and_listed(sim, client):
    sim.configure(name_prefix="snap-")
    client.post(f"{BACKUPS}/customSnapshot", name="weekly")
    sim.clock.advance(1)
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade", "snap-weekly"]
    assert client.get(f"{BACKUPS}/customSnapshot/snap-weekly")["name"] == "snap-weekly"
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.get(f"{BACKUPS}/customSnapshot/weekly")
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post(f"{BACKUPS}/customSnapshot", name="weekly")
    client.delete(f"{BACKUPS}/customSnapshot/snap-weekly")


@pytest.mark.parametrize("sent,utc", [
    ("2099-12-31", "2099-12-31T00:00:00Z"),
    ("2099-12-31T10:30:00", "2099-12-31T10:30:00Z"),
    ("2099-12-31T10:30:00Z", "2099-12-31T10:30:00Z"),
    ("2099-12-31T10:30:00+02:00", "2099-12-31T08:30:00Z"),
    ("2099-12-31T10:30:00.250-05:00", "2099-12-31T15:30:00Z"),
])
def test_expiration_formats(sim, client, sent, utc):
    client.post(f"{BACKUPS}/customSnapshot", name="exp", expiration=sent)
    sim.clock.advance(1)
    assert client.get(f"{BACKUPS}/customSnapshot/exp") == {"name": "exp", "expiration": utc}
    sim.configure(expiration_format="echo")
    assert client.get(f"{BACKUPS}/customSnapshot/exp") == {"name": "exp", "expiration": sent}


def test_past_expiration_is_refused(sim, client):
    past = (dt.datetime.fromtimestamp(sim.clock(), dt.timezone.utc) - dt.timedelta(seconds=5)).isoformat()
    with pytest.raises(ovh.exceptions.BadParametersError, match="past"):
        client.post(f"{BACKUPS}/customSnapshot", name="late", expiration=past)


def test_expired_custom_snapshot_disappears(sim, client):
    soon = (dt.datetime.fromtimestamp(sim.clock(), dt.timezone.utc) + dt.timedelta(seconds=30)).isoformat()
    client.post(f"{BACKUPS}/customSnapshot", name="short", expiration=soon)
    sim.clock.advance(1)
    assert "short" in client.get(f"{BACKUPS}/customSnapshot")
    sim.clock.advance(30)
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade"]
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.get(f"{BACKUPS}/customSnapshot/short")
    saved = json.loads(sim.state_path.read_text())
    assert [s["name"] for s in saved["services"]["zpool-100001"]["partitions"]["backups"]["custom_snapshots"]] == ["before-upgrade"]


@pytest.mark.parametrize("name", ["evil\n", "a b", "", "x/y"])
def test_a_name_outside_the_pattern_is_refused_whole(client, name):
    with pytest.raises(ovh.exceptions.BadParametersError):
        client.post(f"{BACKUPS}/customSnapshot", name=name)
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade"]
