"""Fixtures: in-process simulators on ephemeral ports, python-ovh clients, a fake clock."""
from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

import pytest
import requests

REPOSITORY = Path(__file__).resolve().parents[2]
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

import ovh  # noqa: E402

from simulator.nasha_sim import SimConfig, make_server  # noqa: E402

TEST_SEED = REPOSITORY / "simulator" / "seeds" / "test.json"
# OVHcloud's description as kept in the API notes beside a checkout of this repository, where there are such notes
SHARED_SPEC_PATH = REPOSITORY.parent / "shared" / "ovh-api" / "dedicated-nasha.openapi.json"
# Without them there is nothing to compare the repository's copy with: the comparison is not collected (rather
# than skipped), and the header of the run says so.
collect_ignore = [] if SHARED_SPEC_PATH.is_file() else ["test_contract_copy.py"]


def pytest_terminal_summary(terminalreporter):
    if SHARED_SPEC_PATH.is_file():
        terminalreporter.write_line(f"contract copy: compared with {SHARED_SPEC_PATH}")
    else:
        terminalreporter.write_line(
            f"contract copy: not compared, {SHARED_SPEC_PATH} is absent (test_contract_copy.py not collected); "
            "the contract tests use simulator/contract/dedicated-nasha.openapi.json")


SVC = "zpool-100001"
BASE = f"/dedicated/nasha/{SVC}"
BACKUPS = f"{BASE}/partition/backups"


class FakeClock:
    """Wall-clock time that only moves when told to."""

    def __init__(self, start=None):
        self.now = time.time() if start is None else start

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


class Sim:
    """A running simulator with handy clients."""

    def __init__(self, server, clock, state_path):
        self.server = server
        self.clock = clock
        self.state_path = state_path
        self.base_url = server.base_url
        self.root_url = server.root_url
        self.http = requests.Session()
        self._endpoint = f"sim-{server.port}"
        ovh.client.ENDPOINTS[self._endpoint] = self.base_url

    @property
    def simulator(self):
        return self.server.simulator

    def client(self, application_key="demo-ak", application_secret="demo-as", consumer_key="demo-ck", timeout=5):
        return ovh.Client(endpoint=self._endpoint, application_key=application_key,
                          application_secret=application_secret, consumer_key=consumer_key, timeout=timeout)

    def control(self, method, name, body=None, **params):
        answer = self.http.request(method, f"{self.root_url}/_sim/{name}", json=body, params=params, timeout=5)
        return answer

    def configure(self, **changes):
        answer = self.control("POST", "config", changes)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def add_faults(self, *rules):
        answer = self.control("POST", "faults", list(rules))
        assert answer.status_code == 200, answer.text
        return answer.json()

    def log(self, since=0):
        return self.control("GET", "log", since=since).json()

    def signed(self, method, path, body="", application_key="demo-ak", application_secret="demo-as",
               consumer_key="demo-ck", timestamp=None, drop=(), signature=None):
        """A raw signed request with full control over each header."""
        url = self.base_url + path
        timestamp = str(int(self.clock() + self.simulator.config.clock_offset)) if timestamp is None else timestamp
        text = "+".join([application_secret, consumer_key, method, url, body, timestamp])
        headers = {
            "X-Ovh-Application": application_key,
            "X-Ovh-Consumer": consumer_key,
            "X-Ovh-Timestamp": timestamp,
            "X-Ovh-Signature": signature or "$1$" + hashlib.sha1(text.encode()).hexdigest(),
        }
        if body:
            headers["Content-Type"] = "application/json"
        for name in drop:
            headers.pop(name)
        return self.http.request(method, url, data=body.encode() if body else None, headers=headers, timeout=5)

    def close(self):
        self.http.close()
        ovh.client.ENDPOINTS.pop(self._endpoint, None)
        self.server.stop()


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def sim_factory(tmp_path):
    started = []

    def start(clock=None, state_path=None, seed=TEST_SEED, data_dir=None, **config):
        clock = clock if clock is not None else FakeClock()
        state_path = state_path or tmp_path / f"state-{len(started)}.json"
        server = make_server(SimConfig(**config), seed=seed, state_path=state_path, clock=clock, data_dir=data_dir)
        server.start_background()
        sim = Sim(server, clock, state_path)
        started.append(sim)
        return sim

    yield start
    for sim in started:
        sim.close()


@pytest.fixture
def sim(sim_factory):
    """A simulator on the test seed with a fake clock and 1-second tasks."""
    return sim_factory()


@pytest.fixture
def client(sim):
    return sim.client()
