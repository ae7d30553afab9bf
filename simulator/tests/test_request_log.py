"""The request log under concurrent clients: a request is in the log as soon as its client has the answer.

Integration targets, the reliability suite and the benchmark count the writes of a run by reading the log right
after their last answer; an entry written after the answer left would be missed now and then.
"""
from __future__ import annotations

import threading

import pytest
import requests

CLIENTS = 8
ROUNDS = 60  # per client: 480 rounds in all
DROP_EVERY = 7  # every 7th round of a client has its connection dropped instead of an answer
METHODS = ("GET", "POST", "DELETE")
TIMEOUT = 5  # seconds per request; the whole test is bounded by CLIENTS * ROUNDS requests of that length at most


def _one_client(sim, number, failures):
    http = requests.Session()
    try:
        for round_number in range(ROUNDS):
            method = METHODS[round_number % len(METHODS)]
            dropped = round_number % DROP_EVERY == DROP_EVERY - 1
            name = f"{'drop' if dropped else 'stress'}-{number}-{round_number}"
            path = f"/dedicated/nasha/{name}"
            since = sim.log(since=2 ** 62)["next"]  # just the next sequence number
            try:
                answer = http.request(method, sim.base_url + path, timeout=TIMEOUT)
            except requests.ConnectionError:
                answer = None
                http.close()  # the connection was cut: start a new one
                http = requests.Session()
            if dropped != (answer is None):
                failures.append(f"{method} {path}: {'answered' if answer is not None else 'dropped'} unexpectedly")
                continue
            # read the log once, right after the answer: no wait, no retry
            mine = [entry for entry in sim.log(since=since)["entries"] if entry["path"] == path]
            expected_status = None if dropped else answer.status_code
            if [(entry["method"], entry["status"], entry["write"]) for entry in mine] != [
                    (method, expected_status, method != "GET")]:
                failures.append(f"{method} {path}: answered {expected_status}, log holds {mine}")
    except Exception as error:  # pylint: disable=broad-except  # reported by the test, not lost in a thread
        failures.append(f"client {number}: {error!r}")
    finally:
        http.close()


@pytest.mark.parametrize("drop", ["before", "after"])
def test_every_answered_request_is_already_logged(sim, drop):
    sim.add_faults({"match": {"path": "/drop-"}, "count": None, "drop": drop})
    failures = []
    threads = [threading.Thread(target=_one_client, args=(sim, number, failures), daemon=True)
               for number in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a client did not finish within 120 s"
    assert failures == [], "%d of %d rounds:\n%s" % (len(failures), CLIENTS * ROUNDS, "\n".join(failures[:20]))
    entries = sim.log()["entries"]
    assert len([e for e in entries if "/stress-" in e["path"] or "/drop-" in e["path"]]) == CLIENTS * ROUNDS
    assert all(e["status"] is None and e["fault"] == {"drop": drop} for e in entries if "/drop-" in e["path"])
