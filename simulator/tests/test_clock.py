"""POST /_sim/clock: simulated time passes, expirations fall due, signatures follow the new time."""
from __future__ import annotations

import datetime as dt

import ovh
from conftest import BACKUPS


def ovh_time(epoch):
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def fresh_client(sim):
    """A new python-ovh client: it reads the server time again (one module run = one client)."""
    return sim.client()


def _advance(sim, seconds):
    answer = sim.control("POST", "clock", {"advance": seconds})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_advancing_the_clock_moves_the_server_time(sim):
    before = sim.http.get(sim.base_url + "/auth/time").json()
    view = _advance(sim, 3 * 86400)
    assert view["advanced"] == 3 * 86400
    assert sim.http.get(sim.base_url + "/auth/time").json() - before == 3 * 86400
    assert sim.control("GET", "clock").json()["now"] == view["now"]


def test_an_expiration_passed_by_advancing_deletes_the_snapshot(sim, client):
    now = sim.http.get(sim.base_url + "/auth/time").json()
    expiration = ovh_time(now + 2 * 86400)
    client.post(f"{BACKUPS}/customSnapshot", name="short", expiration=expiration)
    client.post(f"{BACKUPS}/customSnapshot", name="long", expiration=ovh_time(now + 5 * 86400))
    sim.clock.advance(1)  # the creation tasks end
    assert {"short", "long"} <= set(client.get(f"{BACKUPS}/customSnapshot"))
    _advance(sim, 2 * 86400 - 10)
    assert "short" in fresh_client(sim).get(f"{BACKUPS}/customSnapshot")
    _advance(sim, 20)
    names = set(fresh_client(sim).get(f"{BACKUPS}/customSnapshot"))
    assert "short" not in names and "long" in names


def test_a_client_created_after_advancing_signs_with_the_new_time(sim):
    _advance(sim, 86400)
    assert isinstance(fresh_client(sim).get(f"{BACKUPS}/customSnapshot"), list)


def test_a_client_from_before_the_advance_is_refused_as_python_ovh_keeps_its_offset(sim, client):
    client.get(f"{BACKUPS}/customSnapshot")
    _advance(sim, 86400)
    try:
        client.get(f"{BACKUPS}/customSnapshot")
    except ovh.exceptions.APIError as error:
        assert "timestamp" in str(error).lower() or "time" in str(error).lower()
    else:
        raise AssertionError("a timestamp a day old was accepted")


def test_reset_puts_the_clock_back(sim):
    _advance(sim, 600)
    assert sim.control("POST", "reset").status_code == 200
    assert sim.control("GET", "clock").json()["advanced"] == 0


def test_advance_refuses_what_is_not_seconds_forward(sim):
    for body in ({"advance": -1}, {"advance": "1d"}, {"advance": True}, {}, {"advance": 1, "to": 2}, []):
        answer = sim.control("POST", "clock", body)
        assert answer.status_code == 400, body
    assert sim.control("GET", "clock").json()["advanced"] == 0
