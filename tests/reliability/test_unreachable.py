# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An API that cannot be used: the run ends fast, with one message, and nothing is sent elsewhere.

Endpoints that accept connections and never answer, answer one byte at a time, redirect, refuse connections,
or refuse the credentials. The time of the module's task is asserted against bounds derived from api_timeout
and api_retries, with a fixed allowance for starting the module on a loaded machine, far below the time the
same runs took when every partition and attempt waited out its own timeout.
"""
from __future__ import annotations

import json
import secrets
import socket
import threading
import time

import pytest

from harness import CREDENTIALS, play, task

SERVICE = "zpool-100001"
API_TIMEOUT = 2
# The module's start-up (measured from the task before it to the task after it), on a machine shared with other work.
OVERHEAD = 10
PARTITIONS = [dict(name="part-%d" % index) for index in range(1, 9)]
STUB_LIFETIME = 300  # seconds: a stub endpoint stops on its own after this, whatever happens


class StubEndpoint:
    """An HTTP endpoint on 127.0.0.1 that misbehaves one way, for one test.

    hang: reads each request and never answers. drip: answers /auth/time, then sends the headers of every other
    answer and one byte of its body every 0.8 s. redirect: answers 307 to `target` + the request's path.
    """

    def __init__(self, mode, target=None):
        self.mode = mode
        self.target = target
        self.requests = []
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.2)
        self.base_url = "http://127.0.0.1:%d/1.0" % self._listener.getsockname()[1]
        self._started = time.monotonic()
        self._threads = [threading.Thread(target=self._accept, daemon=True)]
        self._threads[0].start()

    def _running(self):
        return not self._stop.is_set() and time.monotonic() - self._started < STUB_LIFETIME

    def _accept(self):
        while self._running():
            try:
                connection, dummy = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            worker = threading.Thread(target=self._serve, args=(connection,), daemon=True)
            self._threads.append(worker)
            worker.start()
        self._listener.close()

    def _read_request(self, connection):
        data = b""
        while b"\r\n\r\n" not in data and self._running():
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                return None
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        self.requests.append(line)
        return line

    def _serve(self, connection):
        connection.settimeout(0.2)
        try:
            while self._running():
                line = self._read_request(connection)
                if line is None:
                    return
                path = line.split(" ")[1] if " " in line else "/"
                if self.mode == "hang":
                    while self._running():
                        self._stop.wait(0.2)
                    return
                if self.mode == "redirect":
                    location = self.target + path[len("/1.0"):]
                    connection.sendall(("HTTP/1.1 307 Temporary Redirect\r\nLocation: %s\r\nContent-Length: 0\r\n\r\n"
                                        % location).encode("latin-1"))
                    continue
                if path.endswith("/auth/time"):
                    body = str(int(time.time())).encode("ascii")
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                                       % (len(body), body))
                    continue
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                for dummy in range(1000):
                    if not self._running():
                        return
                    connection.sendall(b" ")
                    self._stop.wait(0.8)
                return
        except OSError:
            return
        finally:
            connection.close()

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)


@pytest.fixture
def stub():
    """StubEndpoint(mode, target), stopped at the end of the test."""
    started = []

    def start(mode, target=None):
        endpoint = StubEndpoint(mode, target)
        started.append(endpoint)
        return endpoint

    yield start
    for endpoint in started:
        endpoint.stop()


def _closed_port():
    """A port on 127.0.0.1 where nothing listens (bound then released)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _stamp(name):
    return {"name": "stamp %s" % name, "ansible.builtin.set_fact": {"stamp_" + name: "{{ now().timestamp() }}"}}


def _timed(playbooks, tasks, **keywords):
    """The run of `tasks` and the seconds they took, from a time stamp before them to one after them."""
    run = playbooks.run(play([_stamp("before")] + tasks + [_stamp("after")]), **keywords)
    stamps = [float(run.result("stamp %s" % name)["result"]["ansible_facts"]["stamp_" + name]) for name in ("before", "after")]
    print("%s: %.1f s" % (tasks[0]["name"], stamps[1] - stamps[0]))  # shown with pytest -s, for the record
    return run, stamps[1] - stamps[0]


def _info(endpoint, **options):
    return task("info", "nasha_snapshot_info", service_name=SERVICE, partition_name="backups", custom_snapshots=True,
                endpoint=endpoint, api_timeout=API_TIMEOUT, **options)


def _plan(endpoint, **options):
    args = dict(CREDENTIALS.module_args(), endpoint=endpoint, api_timeout=API_TIMEOUT)
    args.update(options)
    return task("plan", "nasha_snapshot_plan", service_name=SERVICE, defaults=dict(snapshot_types=["day-1"]),
                partitions=PARTITIONS, **args)


def _assert_said_once(run, task_name, words, endpoint=None):
    """The task failed with one message holding `words`, and no per-partition copy of it."""
    if endpoint is not None:
        print("requests received by the endpoint: %d" % len(endpoint.requests))  # for the record, with pytest -s
    assert run.failed(task_name), run.describe()
    result = run.result(task_name)["result"]
    message = str(result.get("msg", ""))
    for word in words:
        assert word in message, message
    assert "partitions" not in result, result


# ---------------------------------------------------------------- an endpoint that never answers

def test_a_module_fails_within_twice_api_timeout_on_an_endpoint_that_never_answers(playbooks, stub):
    endpoint = stub("hang")
    run, seconds = _timed(playbooks, [_info(endpoint.base_url)], with_credentials=False,
                          env=dict(OVH_APPLICATION_KEY=CREDENTIALS.application_key,
                                   OVH_APPLICATION_SECRET=CREDENTIALS.application_secret,
                                   OVH_CONSUMER_KEY=CREDENTIALS.consumer_key))
    _assert_said_once(run, "info", [endpoint.base_url, "did not answer within %d s" % API_TIMEOUT], endpoint)
    assert seconds <= 2 * API_TIMEOUT + OVERHEAD, "%.1f s" % seconds
    # The first request gets no second try: an endpoint that has never answered is not retried.
    assert len(endpoint.requests) == 1, endpoint.requests


def test_the_plan_of_eight_partitions_fails_once_within_twice_api_timeout(playbooks, stub):
    endpoint = stub("hang")
    run, seconds = _timed(playbooks, [_plan(endpoint.base_url)], with_credentials=False)
    _assert_said_once(run, "plan", [endpoint.base_url, "did not answer within %d s" % API_TIMEOUT], endpoint)
    assert seconds <= 2 * API_TIMEOUT + OVERHEAD, "%.1f s" % seconds
    assert len(endpoint.requests) == 1, endpoint.requests


def test_an_answer_dripping_one_byte_at_a_time_is_cut_at_api_timeout(playbooks, stub):
    endpoint = stub("drip")
    run, seconds = _timed(playbooks, [_info(endpoint.base_url, api_retries=0, **CREDENTIALS.module_args())],
                          with_credentials=False)
    _assert_said_once(run, "info", ["did not answer within %d s" % API_TIMEOUT], endpoint)
    assert seconds <= 2 * API_TIMEOUT + OVERHEAD, "%.1f s" % seconds
    assert [line.split(" ")[1] for line in endpoint.requests] == [
        "/1.0/auth/time", "/1.0/dedicated/nasha/%s/partition/backups/snapshot" % SERVICE]


# ---------------------------------------------------------------- refused connections, redirects, credentials

def test_refused_connections_are_retried_once_for_the_whole_plan(playbooks):
    endpoint = "http://127.0.0.1:%d/1.0" % _closed_port()
    retries = 2
    run, seconds = _timed(playbooks, [_plan(endpoint, api_retries=retries)], with_credentials=False)
    _assert_said_once(run, "plan", ["gave up after %d attempts" % (retries + 1), "could not be reached", endpoint])
    # The pauses of one request's retries (at most 1 + 2 s), not one budget per partition.
    assert seconds <= 1 + 2 + OVERHEAD, "%.1f s" % seconds


def test_a_redirect_is_not_followed(playbooks, sim, stub):
    endpoint = stub("redirect", target=sim.base_url)
    since = sim.log_next()
    run = playbooks.run(play([_info(endpoint.base_url, **CREDENTIALS.module_args())]), with_credentials=False)
    _assert_said_once(run, "info", [endpoint.base_url, "redirect", "HTTP 307", sim.base_url + "/auth/time",
                                    "not followed"])
    # Nothing reached the host the redirect named, and the endpoint was asked once.
    assert sim.log(since=since)["entries"] == []
    assert len(endpoint.requests) == 1, endpoint.requests


def test_refused_credentials_end_the_plan_at_the_first_refusal(playbooks, sim):
    run = playbooks.run(play([_plan(sim.base_url, consumer_key=CREDENTIALS.unknown_consumer_key)]), with_credentials=False)
    print("requests in the simulator's log: %d" % len(run.log))  # for the record, with pytest -s
    _assert_said_once(run, "plan", ["the consumer key is not valid", "HTTP 403"])
    # The first request goes alone: once it is refused, no other is sent.
    signed = [entry for entry in run.log if not entry["path"].endswith("/auth/time")]
    assert len(signed) == 1, signed


@pytest.mark.parametrize("port", ["99x", "99999", "443"])
def test_an_endpoint_password_shows_nowhere(playbooks, port):
    password = "pa55-%s" % secrets.token_hex(8)
    endpoint = "https://someone:%s@api.example.test:%s/1.0" % (password, port)
    run = playbooks.run(play([_info(endpoint, **CREDENTIALS.module_args())]), with_credentials=False)
    _assert_said_once(run, "info", ["Endpoint https://api.example.test:%s/1.0 must not hold a user name or password" % port])
    assert password not in run.output and password not in json.dumps(run.results)
    assert run.log == []
