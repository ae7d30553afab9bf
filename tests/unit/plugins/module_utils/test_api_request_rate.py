# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""max_requests_per_second: every request a client sends, /auth/time and retries included, waits for its slot."""
from __future__ import annotations

import http.server
import json
import threading
import time

import ovh
import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import (
    BoundedTransport,
    OvhApi,
    install_transport,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._connection import build_client, connection_settings
from ansible_collections.snapkeep.nasha.plugins.module_utils._base import limits_problem
from ansible_collections.snapkeep.nasha.plugins.module_utils._fleet import request_expanded_lists
from ansible_collections.snapkeep.nasha.plugins.module_utils._request_rate import RequestRate

APP_SECRET = "APPSECRET-rate-0cc175b9c0f1b6a8"
CONSUMER_KEY = "CONSUMERKEY-rate-92eb5ffee6ae2fec"


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


class CountingRate(RequestRate):
    """A RequestRate that records each wait and sleeps on a fake clock."""

    def __init__(self, per_second):
        self.now = 0.0
        self.slept = []
        super().__init__(per_second, clock=lambda: self.now, sleep=self.slept.append)
        self.waits = 0

    def wait(self):
        self.waits += 1
        return super().wait()


@pytest.fixture
def server():
    """A local API answering /auth/time, 429 (Retry-After: 1) to the first request of a task list, [] to the rest."""
    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802  pylint: disable=invalid-name
            seen.append(self.path)
            if self.path.endswith("/auth/time"):
                status, body, headers = 200, int(time.time()), {}
            elif self.path.endswith("/task") and seen.count(self.path) == 1:
                status, body, headers = 429, {"class": "Client::TooManyRequests", "message": "Too many requests"}, {"Retry-After": "1"}
            else:
                status, body, headers = 200, [], {}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # pylint: disable=arguments-differ
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d/1.0" % httpd.server_address[1], seen
    httpd.shutdown()
    httpd.server_close()


def params(endpoint, **extra):
    return dict(endpoint=endpoint, application_key="ak-rate", application_secret=APP_SECRET, consumer_key=CONSUMER_KEY,
                api_timeout=5, api_retries=2, **extra)


def test_without_the_option_requests_are_not_paced(server):
    endpoint, dummy = server
    client = build_client(params(endpoint))
    assert client._session.get_adapter(endpoint).rate is None


def test_every_request_waits_for_its_slot_auth_time_and_retries_included(server):
    endpoint, seen = server
    client = build_client(params(endpoint, max_requests_per_second=4))
    transport = client._session.get_adapter(endpoint)
    assert isinstance(transport, BoundedTransport) and transport.rate.per_second == 4
    rate = CountingRate(4)
    install_transport(client, rate=rate)
    pauses = []
    api = OvhApi(client, retries=2, sleep=pauses.append)
    assert api.get("/dedicated/nasha/zpool-1/task", "read") == []
    assert api.get("/dedicated/nasha", "read") == []
    assert seen == ["/1.0/auth/time", "/1.0/dedicated/nasha/zpool-1/task", "/1.0/dedicated/nasha/zpool-1/task", "/1.0/dedicated/nasha"]
    assert rate.waits == 4  # /auth/time, the 429, its retry, the last read
    assert rate.slept == [pytest.approx(0.25 * n) for n in (1, 2, 3)]  # the fake clock never moved
    assert pauses == [pytest.approx(1, abs=0.5)] and pauses[0] >= 1  # the retry honoured Retry-After


def test_the_cap_stays_when_the_transport_is_replaced_for_expanded_lists():
    client = ovh.Client(endpoint="ovh-eu", application_key="ak-rate", application_secret=APP_SECRET, consumer_key=CONSUMER_KEY)
    rate = RequestRate(2)
    install_transport(client, rate=rate)
    request_expanded_lists(client, 16)
    transport = client._session.get_adapter("https://eu.api.ovh.com/1.0")
    assert transport.pool_maxsize == 16 and transport.rate is rate


@pytest.mark.parametrize("value", [0, -1, 0.0])
def test_a_cap_that_is_not_above_zero_is_refused_before_any_request(value):
    assert limits_problem(dict(max_requests_per_second=value)) == "max_requests_per_second must be above 0, not %s" % value
    with pytest.raises(OvhApiError, match="max_requests_per_second must be above 0"):
        connection_settings(params("ovh-eu", max_requests_per_second=value))
    assert limits_problem(dict(max_requests_per_second=0.5)) is None
