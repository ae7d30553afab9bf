# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
import json
import time

import pytest

ovh = pytest.importorskip("ovh")
from ovh import exceptions as ovh_exc  # noqa: E402  pylint: disable=wrong-import-position

import requests.exceptions  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import (  # noqa: E402  pylint: disable=wrong-import-position
    OvhApiError,
    OvhConnectionError,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import (  # noqa: E402  pylint: disable=wrong-import-position
    ACCEPTED,
    BUSY,
    CONFLICT,
    LOST,
    REFUSED,
    RETRY_DELAY_CAP,
    TRANSIENT,
    OvhApi,
    Sent,
    route_template,
)

SVC = "zpool-1"
PART = "backups"
SNAPSHOTS = "/dedicated/nasha/zpool-1/partition/backups/snapshot"
APP_SECRET = "APPSECRET-d41d8cd98f00b204"
CONSUMER_KEY = "CONSUMERKEY-9e107d9d372bb682"
CLIENT_SECRET = "CLIENTSECRET-e4d909c290d0fb1c"
ALL_SECRETS = (APP_SECRET, CONSUMER_KEY, CLIENT_SECRET)


# ------------------------------------------------------------------ fakes

class FakeResponse:
    def __init__(self, status_code, body=None, headers=None):
        self.status_code = status_code
        self._body = body
        self.headers = dict(headers or {})

    def json(self):
        if self._body is None:
            raise ValueError("no JSON body")
        return self._body


def api_error(cls, status, message, query_id="EU.ext-1.q1", headers=None, **body):
    """A python-ovh exception as its client raises it for an HTTP answer."""
    all_headers = {"X-OVH-QUERYID": query_id} if query_id else {}
    all_headers.update(headers or {})
    body = dict(body, message=message)
    return cls(message, response=FakeResponse(status, body, all_headers))


def server_error(status=503, message="Service temporarily unavailable", headers=None):
    return api_error(ovh_exc.APIError, status, message, headers=headers, **{"class": "Server::ServiceUnavailable"})


def network_error():
    return ovh_exc.HTTPError("Low HTTP request failed error", ConnectionError("Connection reset by peer"))


class FakeClient:
    """Stands for ovh.Client: answers from a script (values, or exceptions to raise) and records calls."""

    def __init__(self, script=(), tasks=None):
        self.script = list(script)
        self.tasks = tasks  # {task id: [successive task dicts]} answered to GET .../task/{id}
        self.calls = []
        self._endpoint = "https://eu.api.ovh.com/1.0"
        self._timeout = 30
        self._application_secret = APP_SECRET
        self._consumer_key = CONSUMER_KEY
        self._client_secret = None
        self._oauth2 = None
        self._time_delta = 0

    def _answer(self):
        outcome = self.script.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def get(self, path, **query):
        self.calls.append(("GET", path, query or None))
        if self.tasks is not None and "/task/" in path:
            states = self.tasks[int(path.rsplit("/", 1)[1])]
            return dict(states.pop(0) if len(states) > 1 else states[0])
        return self._answer()

    def call(self, method, path, data=None, need_auth=True):
        assert need_auth is True
        self.calls.append((method, path, data))
        return self._answer()


class FakeClock:
    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds


def no_jitter(count):
    return [0] * count


def full_jitter(count):
    return [10 ** 6] * count


def make_api(client, retries=4, jitter=no_jitter):
    clock = FakeClock()
    return OvhApi(client, retries=retries, clock=clock, sleep=clock.sleep, jitter=jitter), clock


def task(task_id, status, operation="clusterLeclercSnapshotUpdate", details=None, partition=PART):
    return {"taskId": task_id, "operation": operation, "status": status, "details": details,
            "partitionName": partition, "storageName": SVC}


def assert_no_secret(*values):
    text = json.dumps([repr(value) for value in values], default=str)
    for secret in ALL_SECRETS:
        assert secret not in text


# ------------------------------------------------------------------ retries

def test_429_honours_retry_after():
    client = FakeClient([api_error(ovh_exc.APIError, 429, "Too many requests", headers={"Retry-After": "7"}), ["hour-1"]])
    api, clock = make_api(client)
    assert api.get(SNAPSHOTS, "read the schedule") == ["hour-1"]
    assert clock.sleeps == [7]
    assert len(client.calls) == 2


def test_429_without_retry_after_uses_the_backoff():
    client = FakeClient([api_error(ovh_exc.APIError, 429, "Too many requests")] * 2 + [["hour-1"]])
    api, clock = make_api(client, jitter=full_jitter)
    assert api.get(SNAPSHOTS, "read the schedule") == ["hour-1"]
    assert clock.sleeps == [1, 2]


def test_retry_after_is_capped():
    client = FakeClient([api_error(ovh_exc.APIError, 429, "Too many requests", headers={"retry-after": "3600"}), []])
    api, clock = make_api(client)
    api.get(SNAPSHOTS, "read the schedule")
    assert clock.sleeps == [RETRY_DELAY_CAP]


@pytest.mark.parametrize("failure", [
    lambda: server_error(500, "Internal server error"),
    lambda: server_error(502, "Bad gateway"),
    lambda: server_error(503),
    lambda: server_error(504, "Gateway timeout"),
    network_error,
    ovh_exc.NetworkError,
], ids=["500", "502", "503", "504", "http-error", "network-error"])
def test_transient_failures_are_retried_with_growing_capped_backoff(failure):
    client = FakeClient([failure() for dummy in range(6)] + [["day-1"]])
    api, clock = make_api(client, retries=6, jitter=full_jitter)
    assert api.get(SNAPSHOTS, "read the schedule") == ["day-1"]
    assert len(client.calls) == 7
    assert clock.sleeps == [1, 2, 4, 8, 10, 10]


def test_backoff_pauses_stay_within_half_and_whole_step_with_real_jitter():
    client = FakeClient([server_error() for dummy in range(6)] + [[]])
    clock = FakeClock()
    api = OvhApi(client, retries=6, clock=clock, sleep=clock.sleep)
    api.get(SNAPSHOTS, "read the schedule")
    steps = [1, 2, 4, 8, 10, 10]
    assert len(clock.sleeps) == len(steps)
    assert all(step / 2.0 <= pause <= step for pause, step in zip(clock.sleeps, steps))


def test_gives_up_after_the_retries_with_a_clear_message():
    client = FakeClient([server_error() for dummy in range(3)])
    api, clock = make_api(client, retries=2)
    with pytest.raises(OvhApiError) as err:
        api.get(SNAPSHOTS, "read the schedule of partition backups on service zpool-1")
    assert str(err.value) == ("gave up after 3 attempts to read the schedule of partition backups on service zpool-1: "
                              "Service temporarily unavailable (HTTP 503, OVH query id EU.ext-1.q1)")
    assert err.value.status == 503
    assert len(client.calls) == 3
    assert len(clock.sleeps) == 2


def test_zero_retries_sends_once():
    client = FakeClient([network_error()])
    api, clock = make_api(client, retries=0)
    with pytest.raises(OvhApiError, match="^Could not read the schedule: the OVHcloud API could not be reached"):
        api.get(SNAPSHOTS, "read the schedule")
    assert clock.sleeps == []


@pytest.mark.parametrize("cls,status,message", [
    (ovh_exc.BadParametersError, 400, "Invalid body"),
    (ovh_exc.Forbidden, 403, "Forbidden"),
    (ovh_exc.ResourceNotFoundError, 404, "The requested object (partitionName = backups) does not exist"),
    (ovh_exc.ResourceConflictError, 409, "This snapshot type is already scheduled"),
    (ovh_exc.APIError, 401, "You must login first"),
])
def test_client_errors_are_not_retried(cls, status, message):
    client = FakeClient([api_error(cls, status, message, **{"class": "Client::Error"})])
    api, clock = make_api(client)
    with pytest.raises(OvhApiError) as err:
        api.get(SNAPSHOTS, "read the schedule of partition backups on service zpool-1")
    assert len(client.calls) == 1
    assert clock.sleeps == []
    assert err.value.status == status
    assert err.value.query_id == "EU.ext-1.q1"
    assert str(err.value).startswith("Could not read the schedule of partition backups on service zpool-1: ")
    assert str(err.value).endswith("(HTTP %d, OVH query id EU.ext-1.q1)" % status)


def test_not_found_message_and_fail_kwargs():
    error = api_error(ovh_exc.ResourceNotFoundError, 404, "The requested object (partitionName = nope) does not exist",
                      **{"class": "Client::NotFound"})
    api, dummy = make_api(FakeClient([error]))
    with pytest.raises(OvhApiError) as err:
        api.get("/dedicated/nasha/zpool-1/partition/nope/snapshot", "read the schedule of partition nope on service zpool-1")
    assert err.value.to_fail_kwargs() == dict(
        msg="Could not read the schedule of partition nope on service zpool-1: The requested object (partitionName = nope) "
            "does not exist (HTTP 404, OVH query id EU.ext-1.q1)",
        http_status=404, query_id="EU.ext-1.q1", error_code="Client::NotFound")


def test_query_id_from_headers_when_the_exception_has_none():
    error = api_error(ovh_exc.BadParametersError, 400, "Bad value", query_id=None)
    error.response.headers["x-ovh-queryid"] = "CA.ext-2.q9"
    api, dummy = make_api(FakeClient([error]))
    with pytest.raises(OvhApiError, match=r"\(HTTP 400, OVH query id CA.ext-2.q9\)"):
        api.get(SNAPSHOTS, "read the schedule")


# ------------------------------------------------------------------ writes: sent once, their outcome a value

def conflict(message, error_class="Client::Conflict"):
    return api_error(ovh_exc.ResourceConflictError, 409, message, **{"class": error_class})


def not_found(message="The requested object (type = day-1) does not exist"):
    return api_error(ovh_exc.ResourceNotFoundError, 404, message, **{"class": "Client::NotFound"})


# (method, what OVHcloud does with the write, the kind send() says, the start of its error message after the action)
SEND_CASES = [
    ("POST", lambda: api_error(ovh_exc.APIError, 429, "Too many requests", headers={"Retry-After": "7"}),
     TRANSIENT, "Too many requests (HTTP 429"),
    ("POST", network_error, LOST, "the OVHcloud API could not be reached at https://eu.api.ovh.com/1.0 (Connection reset"),
    ("PUT", ovh_exc.NetworkError, LOST, "the OVHcloud API could not be reached"),
    ("POST", lambda: server_error(500, "Internal server error"), LOST, "Internal server error (HTTP 500"),
    ("DELETE", lambda: server_error(502, "Bad gateway"), LOST, "Bad gateway (HTTP 502"),
    ("POST", server_error, LOST, "Service temporarily unavailable (HTTP 503"),
    ("PUT", lambda: server_error(504, "Gateway timeout"), LOST, "Gateway timeout (HTTP 504"),
    ("POST", lambda: conflict("The partition backups is busy: task 3 is still in progress, retry later",
                              "Client::Conflict::ResourceBusy"), BUSY, "The partition backups is busy"),
    ("POST", lambda: conflict("The partition is busy, retry later"), BUSY, "The partition is busy"),
    ("DELETE", lambda: conflict("A pending task prevents this change"), BUSY, "A pending task prevents this change"),
    ("POST", lambda: conflict("A custom snapshot named x already exists"), CONFLICT, "A custom snapshot named x already exists (HTTP 409"),
    ("DELETE", lambda: conflict("The snapshot type day-1 is already being removed"), CONFLICT, "The snapshot type day-1 is already"),
    ("DELETE", not_found, CONFLICT, "The requested object (type = day-1) does not exist (HTTP 404"),
    ("POST", not_found, REFUSED, "The requested object (type = day-1) does not exist (HTTP 404"),
    ("PUT", not_found, REFUSED, "The requested object"),
    ("POST", lambda: api_error(ovh_exc.BadParametersError, 400, "[name] Invalid name", **{"class": "Client::BadRequest"}),
     REFUSED, "[name] Invalid name (HTTP 400"),
    ("POST", lambda: api_error(ovh_exc.Forbidden, 403, "Forbidden"), REFUSED, "Forbidden (HTTP 403"),
    ("DELETE", lambda: api_error(ovh_exc.NotGrantedCall, 403, "This call has not been granted", errorCode="NOT_GRANTED_CALL"),
     REFUSED, "the consumer key is not allowed to call DELETE"),
]


@pytest.mark.parametrize("method,failure,kind,said", SEND_CASES, ids=[
    "429", "http-error", "network-error", "500", "502", "503", "504", "resource-busy", "busy-message", "pending-task",
    "409-post", "409-delete", "404-delete", "404-post", "404-put", "400", "403", "not-granted"])
def test_send_sends_once_and_says_what_became_of_the_write(method, failure, kind, said):
    client = FakeClient([failure(), task(9, "todo")])
    api, clock = make_api(client)
    sent = api.send(method, SNAPSHOTS + "/day-1", "change day-1", body={"snapshotType": "day-1"})
    assert sent.kind == kind
    assert sent.answer is None
    assert client.calls == [(method, SNAPSHOTS + "/day-1", {"snapshotType": "day-1"})]  # sent once, never again
    assert clock.sleeps == []  # pausing is the write path's decision
    assert isinstance(sent.error, OvhApiError) and not isinstance(sent.error, OvhConnectionError)  # the run goes on
    assert sent.error.message.startswith("Could not change day-1: " + said)
    assert_no_secret(sent.error.message)


def test_an_accepted_write_answers_its_task():
    client = FakeClient([task(7, "todo")])
    api, clock = make_api(client)
    sent = api.send("post", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"})
    assert sent == Sent(ACCEPTED, answer=task(7, "todo"))
    assert sent.retry_after is None
    assert client.calls == [("POST", SNAPSHOTS, {"snapshotType": "day-1"})] and clock.sleeps == []


def test_a_throttled_write_carries_retry_after():
    client = FakeClient([api_error(ovh_exc.APIError, 429, "Too many requests", headers={"Retry-After": "7"})])
    api, dummy = make_api(client)
    sent = api.send("POST", SNAPSHOTS, "add day-1")
    assert sent.kind == TRANSIENT and sent.retry_after == 7 and sent.error.status == 429
    assert api.retry_pause(1, sent.retry_after) == 7
    without = FakeClient([api_error(ovh_exc.APIError, 429, "Too many requests")])
    api, dummy = make_api(without)
    assert api.send("POST", SNAPSHOTS, "add day-1").retry_after is None


def test_retry_pause_and_retry_delays_are_those_of_the_reads():
    api, dummy = make_api(FakeClient(), retries=6, jitter=full_jitter)
    assert list(api.retry_delays()) == [1, 2, 4, 8, 10, 10]
    api, dummy = make_api(FakeClient(), retries=2, jitter=no_jitter)
    assert list(api.retry_delays()) == [0.5, 1]
    assert api.retry_pause(4, None) == 4
    assert api.retry_pause(4, 1) == 4
    assert api.retry_pause(4, 3600) == RETRY_DELAY_CAP


def test_a_lost_write_after_a_first_answer_includes_a_timeout():
    timeout = http_failure(requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"))
    client = FakeClient([["hour-1"], timeout])
    api, clock = make_api(client)
    assert api.get(SNAPSHOTS, "read the schedule") == ["hour-1"]
    sent = api.send("POST", SNAPSHOTS, "add day-1")
    assert sent.kind == LOST
    assert sent.error.message.startswith("Could not add day-1: the OVHcloud API could not be reached at "
                                         "https://eu.api.ovh.com/1.0: it did not answer within 30 s (api_timeout)")
    assert len(client.calls) == 2 and clock.sleeps == []


@pytest.mark.parametrize("timeout", [
    lambda: requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"),
    lambda: requests.exceptions.ConnectTimeout("Connection to eu.api.ovh.com timed out. (connect timeout=30)"),
], ids=["read", "connect"])
def test_a_write_timing_out_before_any_answer_ends_the_run_once(timeout):
    client = FakeClient([http_failure(timeout()), task(7, "todo")])
    api, clock = make_api(client)
    with pytest.raises(OvhConnectionError, match="^Could not add day-1: .*did not answer within 30 s .api_timeout.; "
                                                 "it has not answered any request of this run") as err:
        api.send("POST", SNAPSHOTS, "add day-1")
    with pytest.raises(OvhConnectionError) as again:
        api.send("POST", SNAPSHOTS, "add day-1")
    assert again.value is err.value
    assert len(client.calls) == 1 and clock.sleeps == []


class TimeFetchingClient(FakeClient):
    """python-ovh before its first signed request: reading time_delta fetches /auth/time (scripted in `times`)."""

    def __init__(self, script=(), times=()):
        super().__init__(script)
        self._time_delta = None
        self.times = list(times)
        self.time_fetches = 0

    @property
    def time_delta(self):
        if self._time_delta is None:
            self.time_fetches += 1
            outcome = self.times.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            self._time_delta = outcome
        return self._time_delta


@pytest.mark.parametrize("failure", [network_error, lambda: server_error(503)], ids=["network", "503"])
def test_a_write_failing_in_the_time_request_was_not_sent_and_is_transient(failure):
    client = TimeFetchingClient([task(9, "todo")], times=[failure(), 0])
    api, clock = make_api(client)
    sent = api.send("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"})
    assert sent.kind == TRANSIENT
    assert client.calls == [] and client.time_fetches == 1 and clock.sleeps == []
    assert api.send("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"}).kind == ACCEPTED
    assert client.calls == [("POST", SNAPSHOTS, {"snapshotType": "day-1"})] and client.time_fetches == 2


def test_a_refused_time_request_ends_the_run():
    refusal = api_error(ovh_exc.BadParametersError, 400, "Bad request", **{"class": "Client::BadRequest"})
    client = TimeFetchingClient([task(9, "todo")], times=[refusal])
    api, dummy = make_api(client)
    with pytest.raises(OvhConnectionError, match="^Could not add day-1: Bad request"):
        api.send("POST", SNAPSHOTS, "add day-1")
    with pytest.raises(OvhConnectionError):
        api.get(SNAPSHOTS, "read the schedule")
    assert client.calls == [] and client.time_fetches == 1


@pytest.mark.parametrize("attempts,note,start", [
    (3, "", "gave up after 3 attempts to add day-1: "),
    (None, "", "Could not add day-1: "),
    (1, "; the change may or may not have been applied", "Could not add day-1: "),
])
def test_give_up_words_the_last_failure(attempts, note, start):
    client = FakeClient([server_error()])
    api, dummy = make_api(client)
    sent = api.send("POST", SNAPSHOTS, "add day-1")
    error = api.give_up("add day-1", "POST", SNAPSHOTS, sent, attempts=attempts, note=note)
    assert isinstance(error, OvhApiError) and not isinstance(error, OvhConnectionError)
    assert error.message == start + "Service temporarily unavailable (HTTP 503, OVH query id EU.ext-1.q1)" + note
    assert error.status == 503 and error.query_id == "EU.ext-1.q1"
    client.script.append(["day-1"])  # the run goes on: the next request is sent
    assert api.get(SNAPSHOTS, "read the schedule") == ["day-1"]


def test_threads_share_one_server_time_request():
    import threading

    class TimedClient(FakeClient):
        """Fetches the server time on first use, slowly, like python-ovh's unguarded time_delta property."""

        def __init__(self):
            super().__init__()
            self._time_delta = None
            self.time_fetches = 0

        @property
        def time_delta(self):
            if self._time_delta is None:
                self.time_fetches += 1
                time.sleep(0.05)
                self._time_delta = 0
            return self._time_delta

        def get(self, path, **query):
            self.calls.append(("GET", path, query or None))
            assert self.time_delta == 0
            return []

    client = TimedClient()
    api, dummy = make_api(client)
    threads = [threading.Thread(target=api.get, args=(SNAPSHOTS, "read")) for dummy in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert client.time_fetches == 1
    assert len(client.calls) == 6


# ------------------------------------------------------------------ failures about the connection, not the request

def http_failure(cause):
    """python-ovh's HTTPError for a requests exception, as its client raises it."""
    return ovh_exc.HTTPError("Low HTTP request failed error", cause)


def credential_refusal():
    return api_error(ovh_exc.InvalidCredential, 403, "This credential is not valid", errorCode="INVALID_CREDENTIAL")


@pytest.mark.parametrize("failure,words", [
    (credential_refusal, "the consumer key is not valid or has expired"),
    (lambda: api_error(ovh_exc.APIError, 400, "Invalid signature", errorCode="INVALID_SIGNATURE"), "signature was refused"),
    (lambda: api_error(ovh_exc.InvalidKey, 403, "Invalid application key", errorCode="INVALID_KEY"), "application key is unknown"),
    (lambda: http_failure(requests.exceptions.SSLError("certificate verify failed: self-signed certificate")),
     "the TLS connection to the OVHcloud API at https://eu.api.ovh.com/1.0 failed (certificate verify failed"),
    (lambda: http_failure(requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number")),
     "which is not retried"),
], ids=["expired-consumer-key", "bad-secret", "unknown-key", "certificate", "https-to-http"])
def test_failures_about_the_connection_are_not_retried_and_end_the_run(failure, words):
    client = FakeClient([failure(), ["day-1"]])
    api, clock = make_api(client, retries=4)
    with pytest.raises(OvhConnectionError) as err:
        api.get(SNAPSHOTS, "read the schedule")
    assert words in err.value.message and clock.sleeps == []
    # Said once: every later request raises the same error without being sent.
    with pytest.raises(OvhConnectionError) as again:
        api.send("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"})
    assert again.value is err.value
    assert len(client.calls) == 1


def test_other_refusals_are_about_their_request_only():
    client = FakeClient([api_error(ovh_exc.ResourceNotFoundError, 404, "The requested object (backups) does not exist"),
                         ["day-1"]])
    api, dummy = make_api(client)
    with pytest.raises(OvhApiError) as err:
        api.get(SNAPSHOTS, "read the schedule")
    assert not isinstance(err.value, OvhConnectionError)
    assert api.get(SNAPSHOTS, "read the schedule") == ["day-1"]


@pytest.mark.parametrize("timeout", [
    lambda: requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"),
    lambda: requests.exceptions.ConnectTimeout("Connection to eu.api.ovh.com timed out. (connect timeout=30)"),
], ids=["read", "connect"])
def test_a_timeout_before_any_answer_is_not_retried(timeout):
    client = FakeClient([http_failure(timeout()), ["day-1"]])
    api, clock = make_api(client, retries=4)
    with pytest.raises(OvhConnectionError, match="did not answer within 30 s .api_timeout.; it has not answered any request"):
        api.get(SNAPSHOTS, "read the schedule")
    assert clock.sleeps == [] and len(client.calls) == 1


def test_a_timeout_after_a_first_answer_is_retried():
    timeout = http_failure(requests.exceptions.ReadTimeout("Read timed out. (read timeout=30)"))
    client = FakeClient([["hour-1"], timeout, timeout, ["day-1"]])
    api, clock = make_api(client, retries=4)
    assert api.get(SNAPSHOTS, "read the schedule") == ["hour-1"]
    assert api.get(SNAPSHOTS, "read the schedule") == ["day-1"]
    assert len(clock.sleeps) == 2


def test_a_refused_connection_is_retried_from_the_first_request_then_ends_the_run():
    refused = http_failure(requests.exceptions.ConnectionError("[Errno 111] Connection refused"))
    client = FakeClient([refused] * 3)
    api, clock = make_api(client, retries=2)
    with pytest.raises(OvhConnectionError, match="gave up after 3 attempts to read the schedule: the OVHcloud API could "
                                                 "not be reached at https://eu.api.ovh.com/1.0 .*Connection refused"):
        api.get(SNAPSHOTS, "read the schedule")
    assert len(clock.sleeps) == 2
    with pytest.raises(OvhConnectionError):
        api.get(SNAPSHOTS, "read the schedule")
    assert len(client.calls) == 3


def test_the_first_request_goes_alone_so_refused_credentials_stop_every_thread():
    import threading

    class SlowClient(FakeClient):
        def get(self, path, **query):
            threading.Event().wait(0.05)  # the other threads are started while this request is under way
            return super().get(path, **query)

    client = SlowClient([credential_refusal()] + [["day-1"]] * 5)
    api, dummy = make_api(client)
    errors = []

    def read():
        try:
            api.get(SNAPSHOTS, "read the schedule")
        except OvhApiError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=read) for dummy in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(client.calls) == 1
    assert len(errors) == 6 and all(error is errors[0] for error in errors)


@pytest.mark.parametrize("path,answer", [
    ("/dedicated/nasha/zpool-1/partition", None),
    ("/dedicated/nasha/zpool-1/partition", ["backups", None]),
    ("/dedicated/nasha/zpool-1/partition", [{"name": "backups"}]),
    ("/dedicated/nasha/zpool-1/task/7", None),
    ("/dedicated/nasha/zpool-1/task/7", [7]),
])
def test_a_get_answer_of_the_wrong_shape_fails_clearly(path, answer):
    client = FakeClient([answer])
    api, dummy = make_api(client)
    with pytest.raises(OvhApiError, match="^Could not read it: the OVHcloud API answered GET %s with .* where (a list|an object)" % path):
        api.get(path, "read it")


def test_expanded_lists_may_hold_objects_but_never_null():
    objects = [{"serviceName": "zpool-1"}, "zpool-2"]
    api, dummy = make_api(FakeClient([objects, ["zpool-1", None]]))
    api.expanded_lists = True
    assert api.get("/dedicated/nasha", "list the services") == objects
    with pytest.raises(OvhApiError, match="where a list of names or ids was expected"):
        api.get("/dedicated/nasha", "list the services")


@pytest.mark.parametrize("path,answer", [
    ("/dedicated/nasha", ["zpool-1"]),
    ("/dedicated/nasha/zpool-1/task", [7, 8]),
    ("/dedicated/nasha/zpool-1/partition/backups/customSnapshot/snap-x", {"name": "snap-x"}),
    ("/me", None),
])
def test_get_answers_of_the_right_shape_pass(path, answer):
    api, dummy = make_api(FakeClient([answer]))
    assert api.get(path, "read it") == answer


def test_write_rejects_a_read_method():
    api, dummy = make_api(FakeClient())
    with pytest.raises(ValueError):
        api.send("GET", SNAPSHOTS, "read")


# ------------------------------------------------------------------ authentication errors

def test_not_granted_call_names_the_route():
    path = "/dedicated/nasha/zpool-1/partition/backups/customSnapshot/snap-a"
    error = api_error(ovh_exc.NotGrantedCall, 403, "This call has not been granted", errorCode="NOT_GRANTED_CALL")
    api, dummy = make_api(FakeClient([error]))
    sent = api.send("DELETE", path, "delete custom snapshot snap-a")
    assert sent.kind == REFUSED
    text = str(sent.error)
    assert ("the consumer key is not allowed to call DELETE "
            "/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot/{name}") in text
    assert "DELETE %s" % path in text
    assert sent.error.error_code == "NOT_GRANTED_CALL"
    assert text.endswith("(HTTP 403, OVH query id EU.ext-1.q1)")


@pytest.mark.parametrize("path,template", [
    ("/dedicated/nasha", "/dedicated/nasha"),
    ("/dedicated/nasha/zpool-1/partition", "/dedicated/nasha/{serviceName}/partition"),
    ("/dedicated/nasha/zpool-1/partition/task/snapshot/day-1",
     "/dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot/{snapshotType}"),
    ("/dedicated/nasha/zpool-1/task/42?status=todo", "/dedicated/nasha/{serviceName}/task/{taskId}"),
])
def test_route_template(path, template):
    assert route_template(path) == template


@pytest.mark.parametrize("cls,status,code,message,advice", [
    (ovh_exc.InvalidCredential, 403, "INVALID_CREDENTIAL", "This credential is not valid", "consumer key is not valid or has expired"),
    (ovh_exc.NotCredential, 403, "NOT_CREDENTIAL", "This credential is not validated", "has not been validated"),
    (ovh_exc.InvalidKey, 403, "INVALID_KEY", "This application key is invalid", "application key is unknown"),
    (ovh_exc.BadParametersError, 400, "INVALID_SIGNATURE", "Invalid signature", "application_secret is the secret"),
    (ovh_exc.BadParametersError, 400, "QUERY_TIME_OUT", "Query out of time", "clock"),
    (ovh_exc.BadParametersError, 400, "SOMETHING", "Invalid timestamp", "clock"),
])
def test_authentication_errors_say_what_to_check(cls, status, code, message, advice):
    api, dummy = make_api(FakeClient([api_error(cls, status, message, errorCode=code)]))
    with pytest.raises(OvhApiError) as err:
        api.get(SNAPSHOTS, "read the schedule")
    assert advice in str(err.value)
    assert message in str(err.value)
    assert err.value.status == status


def test_no_secret_in_any_failure_output():
    leaky = [
        ovh_exc.InvalidKey("Invalid ApplicationSecret '%s'" % APP_SECRET),
        api_error(ovh_exc.BadParametersError, 400, "Invalid signature for consumer %s" % CONSUMER_KEY, errorCode="INVALID_SIGNATURE",
                  details={"consumerKey": CONSUMER_KEY}),
        ovh_exc.HTTPError("Low HTTP request failed error", ConnectionError("proxy said %s" % CLIENT_SECRET)),
    ]
    for error in leaky:
        client = FakeClient([error])
        client._client_secret = CLIENT_SECRET
        api, dummy = make_api(client, retries=0)
        try:
            error = api.send("POST", SNAPSHOTS, "add day-1").error
        except OvhConnectionError as exc:  # refused credentials end the run
            error = exc
        assert "********" in str(error)
        assert_no_secret(str(error), error.to_fail_kwargs())


# ------------------------------------------------------------------ OVHcloud's clock


def test_server_now_adds_the_offset_python_ovh_read_for_signing_without_a_request():
    client = FakeClient()
    client._time_delta = 86400 * 3  # OVHcloud's clock three days ahead of the controller's
    api = OvhApi(client)
    before = time.time()
    now = api.server_now()
    assert now.tzinfo is datetime.timezone.utc
    assert before + 86400 * 3 - 1 <= now.timestamp() <= time.time() + 86400 * 3 + 1
    assert client.calls == []


def test_server_now_reads_the_time_once_when_python_ovh_has_not_oauth2():
    client = FakeClient(script=[int(time.time()) - 600])
    client._time_delta = None  # OAuth2 signs nothing, so python-ovh never reads /auth/time
    client._oauth2 = OAuth2WithSession()
    api = OvhApi(client)
    first = api.server_now()
    second = api.server_now()
    assert client.calls == [("GET", "/auth/time", None)]
    assert abs(first.timestamp() - (time.time() - 600)) < 5 and second >= first


def test_server_now_ends_the_run_when_the_endpoint_does_not_answer():
    client = FakeClient(script=[network_error()] * 5)
    client._time_delta = None
    client._oauth2 = OAuth2WithSession()
    api, dummy = make_api(client)
    with pytest.raises(OvhConnectionError):
        api.server_now()
    with pytest.raises(OvhConnectionError):  # said once: no later request is sent
        api.get("/dedicated/nasha", "list the services")
    assert [call[1] for call in client.calls] == ["/auth/time"] * len(client.calls)


class OAuth2WithSession:
    """python-ovh's OAuth2 helper once its session is made (the token fetched)."""

    _session = object()
