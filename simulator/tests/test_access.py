"""Which IPs may mount a partition: the access routes, their tasks and errors."""
from __future__ import annotations

import ovh
import pytest
from conftest import BACKUPS, BASE

ACCESS = f"{BACKUPS}/access"


def test_add_read_and_remove_an_access(sim, client):
    assert client.get(ACCESS) == []
    task = client.post(ACCESS, ip="203.0.113.4", type="readonly", aclDescription="restore host")
    assert task["operation"] == "clusterLeclercAclUpdate" and task["status"] == "todo"
    assert client.get(ACCESS) == []  # on_done: shown once the task is done
    sim.clock.advance(1.1)
    assert client.get(f"{BASE}/task/{task['taskId']}")["status"] == "done"
    assert client.get(ACCESS) == ["203.0.113.4/32"]
    entry = client.get(f"{ACCESS}/203.0.113.4%2F32")
    assert entry["ip"] == "203.0.113.4/32" and entry["type"] == "readonly" and entry["aclDescription"] == "restore host"
    assert isinstance(entry["accessId"], int)
    removal = client.delete(f"{ACCESS}/203.0.113.4%2F32")
    assert removal["operation"] == "clusterLeclercAclUpdate"
    sim.clock.advance(1.1)
    assert client.get(ACCESS) == []


def test_a_cidr_block_and_immediate_visibility(sim, client):
    sim.configure(visibility="immediate")
    client.post(ACCESS, ip="198.51.100.0/24", type="readwrite")
    assert client.get(ACCESS) == ["198.51.100.0/24"]
    assert client.get(f"{ACCESS}/198.51.100.0%2F24")["aclDescription"] is None


@pytest.mark.parametrize("body,error", [
    (dict(ip="not-an-ip", type="readwrite"), ovh.exceptions.BadParametersError),
    (dict(ip="198.51.100.7/24", type="readwrite"), ovh.exceptions.BadParametersError),
    (dict(ip="198.51.100.7", type="admin"), ovh.exceptions.BadParametersError),
    (dict(type="readwrite"), ovh.exceptions.BadParametersError),
])
def test_bad_bodies_are_refused(client, body, error):
    with pytest.raises(error):
        client.post(ACCESS, **body)


def test_duplicates_missing_entries_and_cifs_readonly(sim, client):
    client.post(ACCESS, ip="203.0.113.9", type="readwrite")
    with pytest.raises(ovh.exceptions.ResourceConflictError):
        client.post(ACCESS, ip="203.0.113.9/32", type="readwrite")
    with pytest.raises(ovh.exceptions.ResourceNotFoundError, match="ip = 203.0.113.10"):
        client.get(f"{ACCESS}/203.0.113.10")
    with pytest.raises(ovh.exceptions.ResourceNotFoundError):
        client.delete(f"{ACCESS}/203.0.113.10")
    with pytest.raises(ovh.exceptions.BadParametersError, match="NFS partitions only"):
        client.post(f"{BASE}/partition/scratch/access", ip="203.0.113.9", type="readonly")


def test_busy_partition_refuses_a_second_access_write(sim, client):
    sim.configure(busy="conflict")
    client.post(ACCESS, ip="203.0.113.4", type="readwrite")
    with pytest.raises(ovh.exceptions.ResourceConflictError, match="busy"):
        client.post(ACCESS, ip="203.0.113.5", type="readwrite")
