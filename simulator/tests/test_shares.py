"""The partitions' shares on disk (--data-dir): custom and automatic snapshots copied under .zfs/snapshot."""
from __future__ import annotations

import datetime
import os

from conftest import BACKUPS, SVC


def live_tree(root):
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "a b é.txt").write_text("one")
    os.chmod(root / "docs" / "a b é.txt", 0o640)
    os.utime(root / "docs" / "a b é.txt", (1_600_000_000, 1_600_000_000))
    os.link(root / "docs" / "a b é.txt", root / "docs" / "hard")
    os.symlink("a b é.txt", root / "docs" / "link")


def test_custom_snapshot_copied_when_done_and_removed_when_deleted(sim_factory, tmp_path):
    data = tmp_path / "data"
    sim = sim_factory(data_dir=data)
    client = sim.client()
    client.get(BACKUPS)
    live = data / SVC / "backups"
    assert (live / ".zfs" / "snapshot").is_dir()
    live_tree(live)
    client.post(f"{BACKUPS}/customSnapshot", name="restore-1")
    snapshot = live / ".zfs" / "snapshot" / "restore-1"
    assert not snapshot.exists()  # the task is not done yet
    sim.clock.advance(1.1)
    client.get(f"{BACKUPS}/customSnapshot")
    copied = snapshot / "docs" / "a b é.txt"
    assert copied.read_text() == "one"
    assert oct(copied.stat().st_mode & 0o777) == "0o640" and copied.stat().st_mtime == 1_600_000_000
    assert os.path.samefile(copied, snapshot / "docs" / "hard")
    assert os.readlink(snapshot / "docs" / "link") == "a b é.txt"
    assert not (snapshot / ".zfs").exists()
    assert int(snapshot.stat().st_mtime) == int(sim.clock())
    (live / "docs" / "a b é.txt").write_text("changed")
    assert copied.read_text() == "one"
    client.delete(f"{BACKUPS}/customSnapshot/restore-1")
    sim.clock.advance(1.1)
    client.get(f"{BACKUPS}/customSnapshot")
    assert not snapshot.exists()


def test_expired_snapshot_is_removed(sim_factory, tmp_path):
    data = tmp_path / "data"
    sim = sim_factory(data_dir=data, visibility="immediate")
    client = sim.client()
    expiration = sim.clock() + 3600
    text = datetime.datetime.fromtimestamp(expiration, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    client.post(f"{BACKUPS}/customSnapshot", name="short", expiration=text)
    snapshot = data / SVC / "backups" / ".zfs" / "snapshot" / "short"
    assert snapshot.is_dir()
    sim.clock.advance(3601)
    sim.client().get(f"{BACKUPS}/customSnapshot")  # a new client: python-ovh keeps the server time it read first
    assert not snapshot.exists()


def test_automatic_snapshot_replaces_the_previous_one_of_its_type(sim_factory, tmp_path):
    data = tmp_path / "data"
    sim = sim_factory(data_dir=data)
    sim.client().get(BACKUPS)
    live = data / SVC / "backups"
    (live / "f").write_text("1")
    answer = sim.control("POST", "auto_snapshot", {"service": SVC, "partition": "backups", "type": "hour-1"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "auto_hour-1"
    (live / "f").write_text("2")
    sim.control("POST", "auto_snapshot", {"service": SVC, "partition": "backups", "type": "hour-1"})
    assert (live / ".zfs" / "snapshot" / "auto_hour-1" / "f").read_text() == "2"
    # a custom snapshot's sync leaves automatic ones alone
    sim.client().get(f"{BACKUPS}/customSnapshot")
    assert (live / ".zfs" / "snapshot" / "auto_hour-1").is_dir()
    refused = sim.control("POST", "auto_snapshot", {"service": SVC, "partition": "backups", "type": "day-7"})
    assert refused.status_code == 400 and "not scheduled" in refused.text
    missing = sim.control("POST", "auto_snapshot", {"service": SVC, "partition": "nope", "type": "hour-1"})
    assert missing.status_code == 404


def test_auto_snapshot_needs_a_data_dir(sim):
    answer = sim.control("POST", "auto_snapshot", {"service": SVC, "partition": "backups", "type": "hour-1"})
    assert answer.status_code == 400 and "--data-dir" in answer.text
