# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API layer over a real python-ovh client and a local HTTP server on 127.0.0.1 that misbehaves.

Each server answers from a script of its own; every loop in it is bounded and stops with the test. Time bounds
are derived from api_timeout with a margin of seconds, far below what the misbehaviour would cost unbounded.
"""
from __future__ import annotations

import json
import socket
import socketserver
import threading
import time

import ovh
import pytest
import requests

from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import (
    LOST,
    BoundedTransport,
    OvhApi,
    install_transport,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError, OvhConnectionError
from ansible_collections.snapkeep.nasha.plugins.module_utils._connection import build_client
from ansible_collections.snapkeep.nasha.plugins.module_utils._fleet import request_expanded_lists

SNAPSHOTS = "/dedicated/nasha/zpool-1/partition/backups/snapshot"
APP_SECRET = "APPSECRET-transport-5f4dcc3b5aa7"
CONSUMER_KEY = "CONSUMERKEY-transport-e99a18c428cb"
OAUTH2_TEST_SECRET = "client-secret-transport"
# Seconds allowed beyond a bound for thread scheduling on a loaded machine; unbounded, these cases take 120 s and more.
MARGIN = 10
DRIP_BYTES = 300  # a drip answer lasts at most 240 s, whatever happens


def _answer(status, body, content_type="application/json", headers=()):
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    head = "HTTP/1.1 %s X\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (status, content_type, len(data))
    head += "".join("%s: %s\r\n" % header for header in headers)
    return head.encode("latin-1") + b"\r\n" + data


def time_then(behave):
    """A behaviour that answers /auth/time with the time, and every other request with behave(path, count)."""
    def behaviour(path, count):
        if path.endswith("/auth/time"):
            return _answer(200, int(time.time()))
        return behave(path, count)
    return behaviour


class LocalServer:
    """A threaded HTTP/1.1 server on 127.0.0.1.

    behave(path, count), count being how many requests came so far, this one included, gives the bytes to send,
    or "hang" (never answer) or "drip" (headers, then one body byte every 0.8 s).
    """

    def __init__(self, behave):
        self.paths = []
        self.connections = 0
        self.stopping = threading.Event()
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def _read_head(self):
                data = b""
                while b"\r\n\r\n" not in data and not owner.stopping.is_set():
                    try:
                        chunk = self.request.recv(65536)
                    except socket.timeout:
                        continue
                    if not chunk:
                        return None
                    data += chunk
                    if data.startswith(b"\x16"):
                        # A TLS handshake, as a plain http server meets it: it answers in plain http at once.
                        self.request.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        return None
                return None if owner.stopping.is_set() else data

            def handle(self):
                owner.connections += 1
                self.request.settimeout(0.2)
                try:
                    while not owner.stopping.is_set():
                        data = self._read_head()
                        if data is None:
                            return
                        line = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                        owner.paths.append(line[1] if len(line) > 1 else "/")
                        action = behave(owner.paths[-1], len(owner.paths))
                        if action == "hang":
                            owner.stopping.wait(60)
                            return
                        if action == "drip":
                            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
                            for dummy in range(DRIP_BYTES):
                                if owner.stopping.wait(0.8):
                                    return
                                self.request.sendall(b" ")
                            return
                        self.request.sendall(action)
                except OSError:
                    return

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/1.0" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs=dict(poll_interval=0.1), daemon=True)
        self.thread.start()

    @property
    def api_paths(self):
        return [path for path in self.paths if not path.endswith("/auth/time")]

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    started = []

    def start(behave):
        started.append(LocalServer(behave))
        return started[-1]

    yield start
    for each in started:
        each.stop()


@pytest.fixture(autouse=True)
def clean_config(monkeypatch, tmp_path):
    """No OVH_* variable nor ovh.conf of the machine running the tests."""
    for name in ("OVH_ENDPOINT", "OVH_APPLICATION_KEY", "OVH_APPLICATION_SECRET", "OVH_CONSUMER_KEY",
                 "OVH_CLIENT_ID", "OVH_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(ovh.config, "CONFIG_PATH", [])
    monkeypatch.setattr(ovh.config, "config", ovh.config.ConfigurationManager())


def make_api(endpoint, api_timeout=1, retries=4):
    """An OvhApi over a real python-ovh client; pauses between retries are recorded, not slept."""
    client = build_client(dict(endpoint=endpoint, application_key="ak-transport", application_secret=APP_SECRET,
                               consumer_key=CONSUMER_KEY, api_timeout=api_timeout, api_retries=retries))
    pauses = []
    return OvhApi(client, retries=retries, sleep=pauses.append), pauses


def read_schedule(api, error_class=OvhApiError):
    """The error of reading the schedule, and the seconds it took."""
    started = time.monotonic()
    with pytest.raises(error_class) as caught:
        api.get(SNAPSHOTS, "read the schedule")
    return caught.value, time.monotonic() - started


API_SNAPSHOTS = "/1.0" + SNAPSHOTS


# ------------------------------------------------------------------ time bounds

def test_an_answer_dripping_a_byte_at_a_time_is_cut_at_api_timeout(server):
    dripping = server(time_then(lambda path, count: "drip"))
    api, dummy = make_api(dripping.url, api_timeout=2, retries=0)
    error, seconds = read_schedule(api, OvhConnectionError)
    assert seconds < 2 + MARGIN, seconds
    assert "did not answer within 2 s (api_timeout)" in error.message
    assert dripping.api_paths == [API_SNAPSHOTS]


def test_a_dripping_answer_is_cut_at_api_timeout_with_the_expanded_lists_of_the_inventory_too(server):
    dripping = server(time_then(lambda path, count: "drip"))
    api, dummy = make_api(dripping.url, api_timeout=2, retries=0)
    request_expanded_lists(api.client, 32)
    error, seconds = read_schedule(api, OvhConnectionError)
    assert seconds < 2 + MARGIN, seconds
    assert "did not answer within 2 s (api_timeout)" in error.message


def test_an_endpoint_that_never_answered_gets_one_request_and_the_error_is_kept(server):
    silent = server(lambda path, count: "hang")
    api, pauses = make_api(silent.url, api_timeout=1, retries=4)
    error, seconds = read_schedule(api, OvhConnectionError)
    assert seconds < 1 + MARGIN, seconds
    assert silent.paths == ["/1.0/auth/time"] and pauses == []
    assert error.message == ("Could not read the schedule: the OVHcloud API could not be reached at %s: it did not answer "
                             "within 1 s (api_timeout); it has not answered any request of this run, so none is sent again"
                             % silent.url)
    # Every later request of the run fails at once with the same message, without being sent.
    again, seconds = read_schedule(api, OvhConnectionError)
    assert again is error and seconds < 1
    assert silent.paths == ["/1.0/auth/time"]


def test_timeouts_after_a_first_answer_are_retried_within_api_retries(server):
    slow = server(time_then(lambda path, count: "hang"))
    api, pauses = make_api(slow.url, api_timeout=1, retries=2)
    error, seconds = read_schedule(api, OvhConnectionError)
    assert seconds < 3 * 1 + MARGIN, seconds
    assert error.message.startswith("gave up after 3 attempts to read the schedule: the OVHcloud API could not be reached")
    assert slow.api_paths == [API_SNAPSHOTS] * 3 and len(pauses) == 2


def test_a_slow_answer_within_api_timeout_is_read(server):
    def slow_but_in_time(path, count):
        time.sleep(0.3)
        return _answer(200, ["hour-1"])

    api, dummy = make_api(server(time_then(slow_but_in_time)).url, api_timeout=1, retries=0)
    assert api.get(SNAPSHOTS, "read the schedule") == ["hour-1"]


# ------------------------------------------------------------------ connections refused, TLS, redirects

def _closed_port():
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def test_a_refused_connection_is_retried_within_api_retries_then_ends_the_run():
    endpoint = "http://127.0.0.1:%d/1.0" % _closed_port()
    api, pauses = make_api(endpoint, retries=3)
    error, dummy = read_schedule(api, OvhConnectionError)
    assert len(pauses) == 3
    assert error.message.startswith("gave up after 4 attempts to read the schedule: the OVHcloud API could not be reached at %s"
                                    % endpoint)
    again, dummy = read_schedule(api, OvhConnectionError)
    assert again is error and len(pauses) == 3


def test_https_to_a_plain_http_server_is_a_tls_failure_not_retried(server):
    plain = server(time_then(lambda path, count: _answer(200, [])))
    endpoint = plain.url.replace("http://", "https://")
    api, pauses = make_api(endpoint, retries=4)
    error, dummy = read_schedule(api, OvhConnectionError)
    assert pauses == [] and plain.connections == 1
    assert "the TLS connection to the OVHcloud API at %s failed" % endpoint in error.message
    assert "which is not retried" in error.message


def test_a_redirect_is_not_followed(server):
    elsewhere = server(time_then(lambda path, count: _answer(200, ["day-1"])))
    target = elsewhere.url.replace("http://", "http://someone:hidden-word@")
    redirecting = server(lambda path, count: _answer(307, b"", headers=[("Location", target + path[len("/1.0"):])]))
    api, pauses = make_api(redirecting.url, retries=4)
    error, dummy = read_schedule(api, OvhConnectionError)
    assert elsewhere.paths == [] and redirecting.paths == ["/1.0/auth/time"] and pauses == []
    assert ("Could not read the schedule: the OVHcloud API at %s answered GET /auth/time with a redirect (HTTP 307) "
            "to %s/auth/time, not followed" % (redirecting.url, elsewhere.url)) in error.message
    assert "hidden-word" not in error.message and CONSUMER_KEY not in error.message


def test_a_redirect_after_the_first_answer_is_not_followed_either(server):
    elsewhere = server(time_then(lambda path, count: _answer(200, ["day-1"])))
    redirecting = server(time_then(lambda path, count: _answer(301, b"", headers=[("Location", elsewhere.url + "/x")])))
    api, dummy = make_api(redirecting.url, retries=4)
    error, dummy = read_schedule(api, OvhConnectionError)
    assert elsewhere.paths == [] and redirecting.api_paths == [API_SNAPSHOTS]
    assert "answered GET %s with a redirect (HTTP 301) to %s/x" % (SNAPSHOTS, elsewhere.url) in error.message


# ------------------------------------------------------------------ answers that cannot be used

@pytest.mark.parametrize("answer,words", [
    (_answer(414, b"<html><title>414 Request-URI Too Large</title></html>", "text/html"),
     ["an answer that is not JSON (text/html: <html><title>414 Request-URI Too Large</title></html>) (HTTP 414)"]),
    (_answer(400, [1, 2]), ["an error answer whose body is not a JSON object ([1, 2]) (HTTP 400)"]),
    (_answer(200, None), ["with null where a list of names or ids was expected"]),
    (_answer(200, ["day-1", None]), ['with ["day-1", null] where a list of names or ids was expected']),
    (_answer(200, {"type": "day-1"}), ['with {"type": "day-1"} where a list of names or ids was expected']),
    (_answer(200, ["day-1", {"snapshotType": "day-2"}]),
     ['with ["day-1", {"snapshotType": "day-2"}] where a list of names or ids was expected']),
    (_answer(200, b"", "text/plain"), ["an answer that is not JSON (text/plain: empty) (HTTP 200)"]),
], ids=["html-414", "error-with-a-list-body", "null-for-a-list", "list-holding-null", "object-for-a-list",
        "names-and-objects", "empty-200"])
def test_answers_that_cannot_be_used_fail_clearly_without_retry(server, answer, words):
    odd = server(time_then(lambda path, count: answer))
    api, pauses = make_api(odd.url, retries=4)
    error, dummy = read_schedule(api)
    assert not isinstance(error, OvhConnectionError)
    assert error.message.startswith("Could not read the schedule: the OVHcloud API")
    for word in words:
        assert word in error.message, error.message
    assert odd.api_paths == [API_SNAPSHOTS] and pauses == []
    # Not about the connection: the next request is sent.
    read_schedule(api)
    assert len(odd.api_paths) == 2


def test_a_list_of_objects_is_the_expanded_form_of_a_list_when_asked_for(server):
    expanded = [{"snapshotType": "day-1"}, {"snapshotType": "day-2"}]
    listing = server(time_then(lambda path, count: _answer(200, expanded)))
    api, dummy = make_api(listing.url, retries=0)
    api.expanded_lists = True  # as the inventory plugin's client, which asks for them
    assert api.get(SNAPSHOTS, "read the schedule") == expanded
    api.expanded_lists = False  # a client that did not ask: objects where names were expected are refused
    with pytest.raises(OvhApiError, match="where a list of names or ids was expected"):
        api.get(SNAPSHOTS, "read the schedule")


def test_an_unreadable_answer_to_a_write_is_lost(server):
    odd = server(time_then(lambda path, count: _answer(200, b"<html>OK</html>", "text/html")))
    api, pauses = make_api(odd.url, retries=4)
    sent = api.send("POST", SNAPSHOTS, "add snapshot type day-1", body={"snapshotType": "day-1"})
    # A 2xx answer means OVHcloud may have made the change: the write path reads back before sending it again.
    assert sent.kind == LOST and sent.answer is None
    assert sent.error.message == (
        "Could not add snapshot type day-1: the OVHcloud API at %s answered POST %s with an answer that is not JSON "
        "(text/html: <html>OK</html>) (HTTP 200)" % (odd.url, SNAPSHOTS))
    assert odd.api_paths == [API_SNAPSHOTS] and pauses == []


def test_null_for_an_object_fails_clearly(server):
    odd = server(time_then(lambda path, count: _answer(200, None)))
    api, dummy = make_api(odd.url, retries=0)
    with pytest.raises(OvhApiError, match="with null where an object was expected"):
        api.get(SNAPSHOTS + "/day-1", "read snapshot type day-1")


def test_an_html_502_from_a_proxy_is_retried(server):
    def proxy_then_api(path, count):
        if count <= 3:  # /auth/time, then two 502 pages
            return _answer(200, int(time.time())) if count == 1 else _answer(502, b"<html>Bad Gateway</html>", "text/html")
        return _answer(200, ["day-1"])

    flaky = server(proxy_then_api)
    api, pauses = make_api(flaky.url, retries=4)
    assert api.get(SNAPSHOTS, "read the schedule") == ["day-1"]
    assert len(flaky.api_paths) == 3 and len(pauses) == 2


def test_refused_credentials_end_the_run_with_one_message(server):
    refusing = server(time_then(lambda path, count: _answer(
        403, {"errorCode": "INVALID_CREDENTIAL", "httpCode": "403 Forbidden", "message": "This credential is not valid"})))
    api, pauses = make_api(refusing.url, retries=4)
    error, dummy = read_schedule(api, OvhConnectionError)
    assert "the consumer key is not valid or has expired" in error.message and pauses == []
    again, dummy = read_schedule(api, OvhConnectionError)
    assert again is error and refusing.api_paths == [API_SNAPSHOTS]


# ------------------------------------------------------------------ where the transport is mounted

def test_the_transport_is_mounted_on_python_ovh_session(server):
    api, dummy = make_api(server(time_then(lambda path, count: _answer(200, []))).url)
    session = api.client._session
    assert isinstance(session.get_adapter("https://eu.api.ovh.com/1.0"), BoundedTransport)
    assert isinstance(session.get_adapter("http://127.0.0.1/1.0"), BoundedTransport)
    assert session.max_redirects == 0


def test_an_oauth2_session_gets_the_transport_before_the_first_api_request(monkeypatch):
    client = ovh.Client(endpoint="ovh-eu", client_id="client-id-transport", client_secret=OAUTH2_TEST_SECRET)
    install_transport(client)  # no session yet: python-ovh makes it on first use, with the token
    assert client._oauth2._session is None
    # Stands for python-ovh's session property, which fetches the token from OVHcloud.
    monkeypatch.setattr(type(client._oauth2), "session", property(lambda oauth2: oauth2.__dict__.setdefault("_session", requests.Session())))
    sessions = []
    monkeypatch.setattr(client, "get", lambda path, **query: sessions.append(client._oauth2._session) or ["day-1"])
    api = OvhApi(client, retries=0)
    assert api.get(SNAPSHOTS, "read the schedule") == ["day-1"]
    assert isinstance(sessions[0].get_adapter("https://eu.api.ovh.com/1.0"), BoundedTransport)


def test_a_network_failure_while_making_the_oauth2_session_is_a_clear_error(monkeypatch):
    client = ovh.Client(endpoint="ovh-eu", client_id="client-id-transport", client_secret=OAUTH2_TEST_SECRET)

    def refused(oauth2):
        raise requests.exceptions.ConnectionError("[Errno 111] Connection refused")

    monkeypatch.setattr(type(client._oauth2), "session", property(refused))
    api = OvhApi(client, retries=0)
    with pytest.raises(OvhConnectionError, match="Could not read the schedule: the OVHcloud API could not be reached .*Connection refused"):
        api.get(SNAPSHOTS, "read the schedule")
