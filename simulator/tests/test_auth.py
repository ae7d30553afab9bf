"""Signatures, keys, access rules, clock offset and rate limit, through the real python-ovh client."""
from __future__ import annotations

import hashlib

import ovh
import pytest
from conftest import BASE, BACKUPS


def test_correctly_signed_calls_succeed(client):
    assert client.get("/dedicated/nasha") == ["zpool-100001", "zpool-100002"]


def test_wrong_secret_is_an_invalid_signature(sim):
    client = sim.client(application_secret="not-the-secret")
    with pytest.raises(ovh.exceptions.BadParametersError, match="Invalid signature") as caught:
        client.get("/dedicated/nasha")
    assert caught.value.query_id.startswith("EU.ext-1.")
    body = caught.value.response.json()
    assert body == {"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request", "message": "Invalid signature"}


def test_tampered_body_is_an_invalid_signature(sim):
    answer = sim.signed("POST", f"{BACKUPS}/snapshot", body='{"snapshotType":"day-1"}',
                        signature="$1$" + "0" * 40)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "INVALID_SIGNATURE"


def test_signature_covers_the_query_string(sim):
    good = sim.signed("GET", f"{BASE}/task?status=done")
    assert good.status_code == 200
    # Signed for one URL, sent to another.

    ts = str(int(sim.clock()))
    text = "+".join(["demo-as", "demo-ck", "GET", sim.base_url + f"{BASE}/task", "", ts])
    forged = sim.signed("GET", f"{BASE}/task?status=done", timestamp=ts,
                        signature="$1$" + hashlib.sha1(text.encode()).hexdigest())
    assert forged.status_code == 400


def test_unknown_application_key(sim):
    with pytest.raises(ovh.exceptions.InvalidKey):
        sim.client(application_key="nobody").get("/dedicated/nasha")


def test_unknown_consumer_key(sim):
    with pytest.raises(ovh.exceptions.InvalidCredential, match="This credential is not valid"):
        sim.client(consumer_key="no-such-ck").get("/dedicated/nasha")


def test_consumer_key_of_another_application_is_unknown(sim):
    with pytest.raises(ovh.exceptions.InvalidCredential):
        sim.client(consumer_key="other-ck").get("/dedicated/nasha")


def test_consumer_key_pending_validation(sim):
    with pytest.raises(ovh.exceptions.NotCredential):
        sim.client(consumer_key="test-ck-pending").get("/dedicated/nasha")


def test_read_only_key_may_read_but_not_write(sim):
    client = sim.client(consumer_key="demo-ck-readonly")
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1"]
    with pytest.raises(ovh.exceptions.NotGrantedCall, match="This call has not been granted"):
        client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        client.delete(f"{BACKUPS}/snapshot/hour-1")


def test_access_rule_wildcards_limit_the_paths(sim):
    client = sim.client(consumer_key="test-ck-one-service")
    assert client.get("/dedicated/nasha") == ["zpool-100001", "zpool-100002"]
    assert client.get(f"{BASE}/partition")
    with pytest.raises(ovh.exceptions.NotGrantedCall):
        client.get("/dedicated/nasha/zpool-100002/partition")


@pytest.mark.parametrize("header", ["X-Ovh-Application", "X-Ovh-Consumer", "X-Ovh-Timestamp", "X-Ovh-Signature"])
def test_missing_header_asks_to_log_in(sim, header):
    answer = sim.signed("GET", "/dedicated/nasha", drop=(header,))
    assert answer.status_code == 401
    assert answer.json() == {"errorCode": "NOT_AUTHENTICATED", "httpCode": "401 Unauthorized", "message": "You must login first"}


def test_timestamp_outside_the_window(sim):
    stale = str(int(sim.clock()) - 301)
    answer = sim.signed("GET", "/dedicated/nasha", timestamp=stale)
    assert answer.status_code == 400
    assert answer.json()["errorCode"] == "QUERY_TIME_OUT"
    inside = str(int(sim.clock()) - 299)
    assert sim.signed("GET", "/dedicated/nasha", timestamp=inside).status_code == 200


def test_auth_time_needs_no_signature_and_follows_the_clock_offset(sim):
    assert sim.http.get(sim.base_url + "/auth/time").json() == int(sim.clock())
    sim.configure(clock_offset=3600)
    answer = sim.http.get(sim.base_url + "/auth/time")
    assert answer.json() == int(sim.clock()) + 3600
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.headers["X-OVH-QUERYID"]


def test_python_ovh_corrects_a_clock_offset_through_auth_time(sim):
    sim.configure(clock_offset=7200)
    # A raw call stamped with the local time is refused ...
    local = str(int(sim.clock()))
    assert sim.signed("GET", "/dedicated/nasha", timestamp=local).status_code == 400
    # ... python-ovh asks /auth/time first and signs with the server's time.
    assert sim.client().get("/dedicated/nasha") == ["zpool-100001", "zpool-100002"]
    paths = [e["path"] for e in sim.log()["entries"]]
    assert "/auth/time" in paths


def test_rate_limit_answers_429_with_retry_after(sim):
    sim.configure(rate_limit=3)
    client = sim.client()
    for dummy in range(4):  # a burst of one second's worth, plus one
        client.get("/dedicated/nasha")
    with pytest.raises(ovh.exceptions.APIError) as caught:
        client.get("/dedicated/nasha")
    response = caught.value.response
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert response.json() == {"class": "Client::TooManyRequests", "message": "Too many requests, retry later"}
    assert response.headers["X-OVH-QUERYID"]
    # The limit is per consumer key.
    assert sim.client(consumer_key="demo-ck-readonly").get("/dedicated/nasha")
    # A third of a second later one request is allowed again, and only one.
    sim.clock.advance(1 / 3 + 0.001)
    assert client.get("/dedicated/nasha")
    with pytest.raises(ovh.exceptions.APIError):
        client.get("/dedicated/nasha")
    # Four thirds of a second later the whole burst is back, and no more.
    sim.clock.advance(4 / 3 + 0.001)
    for dummy in range(4):
        client.get("/dedicated/nasha")
    with pytest.raises(ovh.exceptions.APIError):
        client.get("/dedicated/nasha")


def test_rate_limit_below_one_request_a_second(sim):
    sim.configure(rate_limit=0.25)  # 15 requests a minute: one every 4 s, a burst of 1.25
    client = sim.client()
    client.get("/dedicated/nasha")
    with pytest.raises(ovh.exceptions.APIError) as caught:
        client.get("/dedicated/nasha")
    assert caught.value.response.headers["Retry-After"] == "3"  # 0.25 left, 0.75 to come at 0.25 a second
    sim.clock.advance(2)
    with pytest.raises(ovh.exceptions.APIError) as caught:
        client.get("/dedicated/nasha")
    assert caught.value.response.headers["Retry-After"] == "1"
    sim.clock.advance(1)
    assert client.get("/dedicated/nasha")


def test_rate_limit_counts_accepted_requests_only_and_logs_refusals(sim):
    sim.configure(rate_limit=2)
    client = sim.client()
    since = sim.log()["next"]
    answers = []
    for dummy in range(5):
        try:
            client.get("/dedicated/nasha")
            answers.append(200)
        except ovh.exceptions.APIError as error:
            answers.append(error.response.status_code)
    assert answers == [200, 200, 200, 429, 429]
    entries = [entry for entry in sim.log(since=since)["entries"] if entry["path"] == "/dedicated/nasha"]
    assert [entry["status"] for entry in entries] == [200, 200, 200, 429, 429]
    # Refused requests took nothing from the bucket: half a second later one goes through.
    sim.clock.advance(0.5)
    assert client.get("/dedicated/nasha")
    # /auth/time is not signed, so it is not counted against any consumer key.
    for dummy in range(5):
        assert sim.http.get(sim.base_url + "/auth/time", timeout=5).status_code == 200
    # Off again: no limit.
    sim.configure(rate_limit=None)
    for dummy in range(5):
        client.get("/dedicated/nasha")


def test_rate_limit_from_the_command_line():
    from simulator.nasha_sim.__main__ import config_from_arguments, parse_arguments
    assert config_from_arguments(parse_arguments(["--state", "s.json"])).rate_limit is None
    assert config_from_arguments(parse_arguments(["--state", "s.json", "--rate-limit", "2.5"])).rate_limit == 2.5
    assert config_from_arguments(parse_arguments(["--state", "s.json", "--rate-limit", "off"])).rate_limit is None
    with pytest.raises(ValueError):
        config_from_arguments(parse_arguments(["--state", "s.json", "--rate-limit", "0"]))


def test_secrets_never_reach_the_log_or_the_state_dump(sim, client):
    client.get("/dedicated/nasha")
    client.post(f"{BACKUPS}/snapshot", snapshotType="day-1")
    text = sim.control("GET", "log").text + sim.control("GET", "state").text
    for secret in ("demo-as", "demo-ck", "$1$"):
        assert secret not in text
