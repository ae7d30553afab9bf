# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import datetime
import hashlib
import json
import time

import pytest

ovh = pytest.importorskip("ovh")
import ovh.client  # noqa: E402  pylint: disable=wrong-import-position
import ovh.config  # noqa: E402  pylint: disable=wrong-import-position
from ovh import exceptions as ovh_exc  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.snapkeep.nasha.plugins.module_utils import _api  # noqa: E402  pylint: disable=wrong-import-position
import requests.exceptions  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import (
    OvhApiError,
    OvhBusyError,
    OvhConnectionError,
    without_userinfo,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._connection import (
    build_client,
    connection_settings,
    endpoint_url_problem,
    userinfo_values,
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
    assert clock.sleeps == [_api.RETRY_DELAY_CAP]


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
    assert not isinstance(err.value, OvhBusyError)
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


# ------------------------------------------------------------------ writes

def test_lost_write_found_applied_is_not_written_twice():
    client = FakeClient([network_error()])
    api, clock = make_api(client)
    applied = {"taskId": None, "status": "done"}
    rechecks = []

    def recheck():
        rechecks.append(client.calls[:])
        return applied

    assert api.write("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"}, recheck=recheck) is applied
    assert [call[0] for call in client.calls] == ["POST"]
    assert len(rechecks) == 1
    assert len(clock.sleeps) == 1


def test_lost_write_not_applied_is_sent_again():
    client = FakeClient([server_error(500, "Internal server error"), task(7, "todo")])
    api, dummy = make_api(client)
    rechecks = []
    answer = api.write("DELETE", SNAPSHOTS + "/day-1", "remove day-1", recheck=lambda: rechecks.append(1))
    assert answer == task(7, "todo")
    assert [call[0] for call in client.calls] == ["DELETE", "DELETE"]
    assert rechecks == [1]


def test_lost_write_without_recheck_is_not_retried():
    client = FakeClient([network_error(), task(7, "todo")])
    api, clock = make_api(client)
    with pytest.raises(OvhApiError) as err:
        api.write("POST", SNAPSHOTS, "add snapshot type day-1", body={"snapshotType": "day-1"})
    assert len(client.calls) == 1
    assert clock.sleeps == []
    assert "may or may not have been applied" in str(err.value)
    assert str(err.value).startswith("Could not add snapshot type day-1: the OVHcloud API could not be reached at https://eu.api.ovh.com/1.0")


def test_throttled_write_is_retried_without_recheck():
    client = FakeClient([api_error(ovh_exc.APIError, 429, "Too many requests", headers={"Retry-After": "2"}), task(8, "todo")])
    api, clock = make_api(client)
    recheck_calls = []
    assert api.write("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"},
                     recheck=lambda: recheck_calls.append(1))["taskId"] == 8
    assert recheck_calls == []
    assert clock.sleeps == [2]
    assert client.calls[0] == ("POST", SNAPSHOTS, {"snapshotType": "day-1"})


@pytest.mark.parametrize("method,error", [
    ("POST", api_error(ovh_exc.ResourceConflictError, 409, "A custom snapshot named x already exists", **{"class": "Client::Conflict"})),
    ("DELETE", api_error(ovh_exc.ResourceConflictError, 409, "The snapshot type day-1 is already being removed",
                         **{"class": "Client::Conflict"})),
    ("DELETE", api_error(ovh_exc.ResourceNotFoundError, 404, "The requested object (type = day-1) does not exist",
                         **{"class": "Client::NotFound"})),
])
def test_write_refused_as_already_done_is_found_done_by_another_run(method, error):
    client = FakeClient([error])
    api, clock = make_api(client)
    applied = {"taskId": None, "status": "done"}
    rechecks = []
    assert api.write(method, SNAPSHOTS + "/day-1", "change day-1", recheck=lambda: rechecks.append(1) or applied) is applied
    assert len(client.calls) == 1 and rechecks == [1] and clock.sleeps == []


def test_write_refused_as_already_done_but_not_found_keeps_its_error():
    client = FakeClient([api_error(ovh_exc.ResourceConflictError, 409, "A custom snapshot named x already exists",
                                   **{"class": "Client::Conflict"})])
    api, dummy = make_api(client)
    with pytest.raises(OvhApiError) as err:
        api.write("POST", SNAPSHOTS, "create x", recheck=lambda: None)
    assert not isinstance(err.value, OvhBusyError)
    assert err.value.status == 409
    assert str(err.value).startswith("Could not create x: A custom snapshot named x already exists (HTTP 409")


def test_write_refused_whose_recheck_fails_keeps_the_write_error():
    client = FakeClient([api_error(ovh_exc.ResourceNotFoundError, 404, "The requested object (partitionName = gone) does not exist",
                                   **{"class": "Client::NotFound"})])
    api, dummy = make_api(client)

    def recheck():
        raise OvhApiError("Could not list the custom snapshots of partition gone", status=404)

    with pytest.raises(OvhApiError, match=r"^Could not delete x: The requested object \(partitionName = gone\) does not exist"):
        api.write("DELETE", SNAPSHOTS + "/x", "delete x", recheck=recheck)


@pytest.mark.parametrize("method,error", [
    ("POST", api_error(ovh_exc.ResourceNotFoundError, 404, "The requested object (partitionName = gone) does not exist",
                       **{"class": "Client::NotFound"})),
    ("POST", api_error(ovh_exc.ResourceConflictError, 409, "The partition backups is busy",
                       **{"class": "Client::Conflict::ResourceBusy"})),
    ("POST", api_error(ovh_exc.BadParametersError, 400, "[name] Invalid name", **{"class": "Client::BadRequest"})),
])
def test_other_refused_writes_are_not_rechecked(method, error):
    client = FakeClient([error])
    api, dummy = make_api(client)
    rechecks = []
    with pytest.raises(OvhApiError):
        api.write(method, SNAPSHOTS, "change", recheck=lambda: rechecks.append(1) or {"status": "done"})
    assert rechecks == [] and len(client.calls) == 1


def test_write_failing_in_the_time_request_was_not_sent_and_is_retried():
    client = FakeClient([network_error(), task(9, "todo")])
    client._time_delta = None  # python-ovh has not fetched /auth/time yet, and the failure leaves it unfetched
    api, dummy = make_api(client)
    assert api.write("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"})["taskId"] == 9
    assert len(client.calls) == 2


def test_threads_share_one_server_time_request():
    import threading
    import time

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


@pytest.mark.parametrize("error_class,message", [
    ("Client::Conflict::ResourceBusy", "The partition backups is busy: task 3 is still in progress, retry later"),
    ("Client::Conflict", "The partition is busy, retry later"),
    ("Client::Conflict", "A pending task prevents this change"),
])
def test_busy_conflict_raises_the_busy_error(error_class, message):
    client = FakeClient([api_error(ovh_exc.ResourceConflictError, 409, message, **{"class": error_class})])
    api, clock = make_api(client)
    with pytest.raises(OvhBusyError) as err:
        api.write("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"})
    assert err.value.status == 409
    assert message in str(err.value)
    assert len(client.calls) == 1 and clock.sleeps == []


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
        api.write("POST", SNAPSHOTS, "add day-1", body={"snapshotType": "day-1"})
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
        api.write("GET", SNAPSHOTS, "read")


# ------------------------------------------------------------------ authentication errors

def test_not_granted_call_names_the_route():
    path = "/dedicated/nasha/zpool-1/partition/backups/customSnapshot/snap-a"
    error = api_error(ovh_exc.NotGrantedCall, 403, "This call has not been granted", errorCode="NOT_GRANTED_CALL")
    api, dummy = make_api(FakeClient([error]))
    with pytest.raises(OvhApiError) as err:
        api.write("DELETE", path, "delete custom snapshot snap-a")
    text = str(err.value)
    assert ("the consumer key is not allowed to call DELETE "
            "/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot/{name}") in text
    assert "DELETE %s" % path in text
    assert err.value.error_code == "NOT_GRANTED_CALL"
    assert text.endswith("(HTTP 403, OVH query id EU.ext-1.q1)")


@pytest.mark.parametrize("path,template", [
    ("/dedicated/nasha", "/dedicated/nasha"),
    ("/dedicated/nasha/zpool-1/partition", "/dedicated/nasha/{serviceName}/partition"),
    ("/dedicated/nasha/zpool-1/partition/task/snapshot/day-1",
     "/dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot/{snapshotType}"),
    ("/dedicated/nasha/zpool-1/task/42?status=todo", "/dedicated/nasha/{serviceName}/task/{taskId}"),
])
def test_route_template(path, template):
    assert _api.route_template(path) == template


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
        with pytest.raises(OvhApiError) as err:
            api.write("POST", SNAPSHOTS, "add day-1")
        assert "********" in str(err.value)
        assert_no_secret(str(err.value), err.value.to_fail_kwargs())


# ------------------------------------------------------------------ tasks

def test_wait_tasks_polls_the_oldest_pending_task_then_the_next_at_once_with_growing_pauses():
    client = FakeClient(tasks={
        11: [task(11, "todo"), task(11, "doing"), task(11, "done")],
        12: [task(12, "doing"), task(12, "done")],
    })
    api, clock = make_api(client)
    done = api.wait_tasks(SVC, [task(11, "todo"), task(13, "done"), task(12, "init")], api.deadline(600))
    assert [(item["taskId"], item["status"]) for item in done] == [(11, "done"), (13, "done"), (12, "done")]
    polled = [call[1].rsplit("/", 1)[1] for call in client.calls]
    # rounds 1 and 2: 11 only; round 3: 11 is done, so 12 at once, still doing; round 4: 12; 13 is never read
    assert polled == ["11", "11", "11", "12", "12"]
    assert clock.sleeps == pytest.approx([0.5, 0.65, 0.845, 1.0985])


def test_wait_tasks_reads_at_most_five_times_a_task_of_three_seconds():
    client = FakeClient()
    api, clock = make_api(client)
    started = clock.now

    def status_by_then(path):
        return task(int(path.rsplit("/", 1)[1]), "done" if clock.now - started >= 3 else "doing")

    client.get = lambda path, **query: client.calls.append(("GET", path)) or status_by_then(path)
    done = api.wait_tasks(SVC, [task(41, "todo")], api.deadline(600))
    assert done[0]["status"] == "done"
    assert len(client.calls) <= 5
    assert clock.now - started <= 4.5


def test_wait_tasks_stops_reading_at_a_failed_task():
    client = FakeClient(tasks={
        11: [task(11, "ovhError", details="disk failure")],
        12: [task(12, "done")],
    })
    api, dummy = make_api(client)
    with pytest.raises(OvhApiError) as err:
        api.wait_tasks(SVC, [task(11, "todo"), task(12, "todo")], api.deadline(600))
    assert "task 11" in str(err.value)
    assert [call[1].rsplit("/", 1)[1] for call in client.calls] == ["11"]


def test_wait_tasks_pauses_are_capped():
    client = FakeClient(tasks={5: [task(5, "doing")] * 12 + [task(5, "done")]})
    api, clock = make_api(client)
    api.wait_tasks(SVC, [task(5, "todo")], api.deadline(600))
    assert max(clock.sleeps) == _api.TASK_POLL_CAP
    assert clock.sleeps == sorted(clock.sleeps)


def test_wait_tasks_for_finished_tasks_makes_no_request():
    client = FakeClient()
    api, clock = make_api(client)
    assert api.wait_tasks(SVC, [task(1, "done")], api.deadline(10)) == [task(1, "done")]
    assert client.calls == [] and clock.sleeps == []


@pytest.mark.parametrize("status", ["cancelled", "customerError", "ovhError"])
def test_wait_tasks_failed_task(status):
    failed = task(21, status, operation="clusterLeclercCustomSnapCreate", details="quota exceeded")
    client = FakeClient(tasks={21: [task(21, "doing"), failed]})
    api, dummy = make_api(client)
    with pytest.raises(OvhApiError) as err:
        api.wait_tasks(SVC, [task(21, "todo", operation="clusterLeclercCustomSnapCreate")], api.deadline(600))
    assert str(err.value) == ("task 21 (operation clusterLeclercCustomSnapCreate) on service zpool-1 partition backups "
                              "ended with status %s: quota exceeded" % status)
    assert err.value.error_code == status


def test_wait_tasks_times_out_with_the_last_status():
    client = FakeClient(tasks={31: [task(31, "doing")]})
    api, clock = make_api(client)
    started = clock.now
    deadline = api.deadline(3)
    with pytest.raises(OvhApiError) as err:
        api.wait_tasks(SVC, [task(31, "todo")], deadline)
    assert str(err.value) == "timed out after 3 s waiting for task 31 (last status doing); the change may still be applied"
    assert clock.now - started == pytest.approx(3)
    assert sum(clock.sleeps) == pytest.approx(3)


def test_pending_tasks_lists_each_pending_status_and_filters_on_the_partition():
    client = FakeClient([[4], [6, 4], [5]], tasks={
        4: [task(4, "doing")],
        5: [task(5, "todo", partition="media")],
        6: [task(6, "done")],  # finished between the list and the read
    })
    api, dummy = make_api(client)
    assert api.pending_tasks(SVC, PART) == [task(4, "doing")]
    listed = [call for call in client.calls if call[1] == "/dedicated/nasha/zpool-1/task"]
    assert [call[2] for call in listed] == [{"status": "init"}, {"status": "todo"}, {"status": "doing"}]
    assert [call[1] for call in client.calls[3:]] == ["/dedicated/nasha/zpool-1/task/%d" % n for n in (4, 5, 6)]


def test_wait_until_idle():
    client = FakeClient([[], [], []])
    api, clock = make_api(client)
    assert api.wait_until_idle(SVC, PART, api.deadline(60)) == []
    assert clock.sleeps == []

    client = FakeClient([[], [8], []], tasks={8: [task(8, "todo"), task(8, "todo"), task(8, "cancelled")]})
    api, clock = make_api(client)
    # Another task's failure is not this caller's: it only waits for the partition to be idle.
    assert [t["status"] for t in api.wait_until_idle(SVC, PART, api.deadline(60))] == ["cancelled"]
    assert clock.sleeps == pytest.approx([0.5, 0.65])


# ------------------------------------------------------------------ connection settings and credentials

@pytest.fixture
def clean_config(monkeypatch, tmp_path):
    """No OVH_* variable, no ovh.conf, and a private copy of python-ovh's endpoint table."""
    for name in ("ENDPOINT", "APPLICATION_KEY", "APPLICATION_SECRET", "CONSUMER_KEY", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv("OVH_" + name, raising=False)
    monkeypatch.setattr(ovh.config, "CONFIG_PATH", [])
    monkeypatch.setattr(ovh.client, "ENDPOINTS", dict(ovh.client.ENDPOINTS))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def params(**values):
    base = dict(endpoint=None, application_key=None, application_secret=None, consumer_key=None,
                client_id=None, client_secret=None, api_timeout=30, api_retries=4)
    base.update(values)
    return base


@pytest.mark.parametrize("url", [
    "https://eu.api.ovh.com/1.0",
    "https://api.example.test:8443/prefix/1.0",
    "http://127.0.0.1:8080/1.0",
    "http://127.3.2.1/1.0",
    "http://[::1]:9000/1.0",
    "http://localhost:9000/1.0",
])
def test_endpoint_urls_accepted_and_registered(clean_config, url):
    settings = connection_settings(params(endpoint=url))
    assert settings["endpoint"] == url
    assert ovh.client.ENDPOINTS[url] == url


@pytest.mark.parametrize("url,reason", [
    ("http://api.example.test/1.0", "plain http to a remote host"),
    ("http://10.0.0.5:8080/1.0", "plain http to a remote host"),
    ("https://api.example.test/api", "must end with the API version path /1.0"),
    ("https://api.example.test", "must end with the API version path /1.0"),
    ("ftp://api.example.test/1.0", "not an http:// or https:// URL"),
    ("https://user:pw@api.example.test/1.0", "must not hold a user name or password"),
    ("https://api.example.test:99999/1.0", "not a valid URL"),
])
def test_endpoint_urls_refused(clean_config, url, reason):
    with pytest.raises(OvhApiError, match=reason) as err:
        connection_settings(params(endpoint=url))
    assert "pw" not in str(err.value)
    assert url not in ovh.client.ENDPOINTS


@pytest.mark.parametrize("url", [
    "https://someone:pa55-word@api.example.test:99x/1.0",
    "https://someone:pa55-word@api.example.test:99999/1.0",
    "https://someone:pa55-word@api.example.test/1.0",
    "https://someone:pa55@word@[::1:99/1.0",
    "http://pa55-word@127.0.0.1:1x/1.0",
])
def test_an_endpoint_with_a_password_is_refused_without_repeating_it(clean_config, url):
    with pytest.raises(OvhApiError, match="must not hold a user name or password") as err:
        connection_settings(params(endpoint=url))
    assert "pa55" not in str(err.value) and "someone" not in str(err.value)


def test_userinfo_is_left_out_of_every_message_naming_an_endpoint(clean_config):
    assert without_userinfo("https://u:pw@host:1/1.0?q=a@b") == "https://host:1/1.0?q=a@b"
    assert without_userinfo("u:pw@host/1.0") == "host/1.0"
    assert without_userinfo("https://host/1.0/a@b") == "https://host/1.0/a@b"
    assert userinfo_values("https://user:s3cret@host/1.0") == ["user:s3cret", "s3cret"]
    assert userinfo_values("https://host/1.0") == []
    assert "s3cret" not in endpoint_url_problem("https://user:s3cret@host:bad/1.0")
    with pytest.raises(OvhApiError) as err:
        connection_settings(params(endpoint="user:s3cret@eu.api.ovh.com:99999/1.0"))
    assert "s3cret" not in str(err.value) and "Unknown endpoint eu.api.ovh.com:99999/1.0" in str(err.value)


def test_unknown_endpoint_name_refused(clean_config):
    with pytest.raises(OvhApiError, match="Unknown endpoint ovh-mars: use one of .*ovh-eu"):
        connection_settings(params(endpoint="ovh-mars"))


def test_missing_endpoint_says_how_to_set_it(clean_config):
    with pytest.raises(OvhApiError, match="set endpoint or OVH_ENDPOINT"):
        connection_settings(params())


def test_endpoint_from_environment(clean_config, monkeypatch):
    monkeypatch.setenv("OVH_ENDPOINT", "ovh-ca")
    assert connection_settings(params())["endpoint"] == "ovh-ca"


@pytest.mark.parametrize("values,message", [
    (dict(api_timeout=0), "api_timeout must be 1 second or more"),
    (dict(api_retries=-1), "api_retries must be 0 or more"),
])
def test_limits(clean_config, values, message):
    with pytest.raises(OvhApiError, match=message):
        connection_settings(params(endpoint="ovh-eu", **values))


class RecordingFactory:
    def __init__(self):
        self.kwargs = None

    def __call__(self, **kwargs):
        self.kwargs = kwargs
        client = FakeClient()
        for name in _api.CREDENTIAL_NAMES:
            setattr(client, "_" + name, kwargs.get(name))
        return client


@pytest.mark.parametrize("given,missing", [
    (dict(application_key="ak-1234"), "application_secret is missing"),
    (dict(application_secret=APP_SECRET, consumer_key=CONSUMER_KEY), "application_key is missing"),
    (dict(client_id="cid-1234"), "client_secret is missing"),
    (dict(client_secret=CLIENT_SECRET), "client_id is missing"),
    (dict(application_key="ak-1234", application_secret=APP_SECRET), "consumer_key is missing"),
    (dict(application_key="ak-1234", application_secret=APP_SECRET, consumer_key=CONSUMER_KEY,
          client_id="cid-1234", client_secret=CLIENT_SECRET), "use one kind of credentials only"),
    ({}, "No OVHcloud credentials are set"),
])
def test_incomplete_credentials_are_named_never_shown(clean_config, given, missing):
    factory = RecordingFactory()
    with pytest.raises(OvhApiError, match=missing) as err:
        build_client(params(endpoint="ovh-eu", **given), client_factory=factory)
    assert factory.kwargs is None  # refused before the client exists
    assert_no_secret(str(err.value), err.value.to_fail_kwargs())


def test_credentials_completed_from_environment(clean_config, monkeypatch):
    monkeypatch.setenv("OVH_APPLICATION_SECRET", APP_SECRET)
    monkeypatch.setenv("OVH_CONSUMER_KEY", CONSUMER_KEY)
    client = build_client(params(endpoint="ovh-eu", application_key="ak-1234", api_timeout=12))
    assert client._timeout == 12
    assert client._application_key == "ak-1234"
    assert client._application_secret == APP_SECRET


def test_url_endpoint_with_ovh_conf_section_named_by_the_url(clean_config, monkeypatch):
    url = "http://127.0.0.1:8765/1.0"
    conf = clean_config / "ovh.conf"
    conf.write_text("[default]\nendpoint=%s\n[%s]\napplication_key=ak-1234\napplication_secret=%s\nconsumer_key=%s\n"
                    % (url, url, APP_SECRET, CONSUMER_KEY))
    monkeypatch.setattr(ovh.config, "CONFIG_PATH", [str(conf)])
    client = build_client(params(api_timeout=7))  # the real ovh.Client; it sends nothing when created
    assert client._endpoint == url
    assert client._application_key == "ak-1234"
    assert client._consumer_key == CONSUMER_KEY
    assert client._timeout == 7


def test_oauth2_refused_on_a_url_endpoint(clean_config):
    with pytest.raises(OvhApiError, match="only work with the endpoints"):
        build_client(params(endpoint="https://api.example.test/1.0", client_id="cid-1234", client_secret=CLIENT_SECRET),
                     client_factory=RecordingFactory())


def test_python_ovh_configuration_errors_become_clear_errors(clean_config):
    def factory(**kwargs):
        raise ovh_exc.InvalidConfiguration("Invalid config, secret %s" % kwargs["application_secret"])

    with pytest.raises(OvhApiError, match="The OVHcloud connection settings are not valid: Invalid config") as err:
        build_client(params(endpoint="ovh-eu", application_key="ak-1234", application_secret=APP_SECRET,
                            consumer_key=CONSUMER_KEY), client_factory=factory)
    assert_no_secret(str(err.value))


def test_credentials_resolved_by_the_client_are_checked(clean_config):
    def factory(**kwargs):
        client = RecordingFactory()(**kwargs)
        client._consumer_key = None  # as if python-ovh's own lookup had found none
        return client

    with pytest.raises(OvhApiError, match="consumer_key is missing"):
        build_client(params(endpoint="ovh-eu", application_key="ak-1234", application_secret=APP_SECRET,
                            consumer_key=CONSUMER_KEY), client_factory=factory)


def test_to_fail_kwargs_only_has_known_facts():
    assert OvhApiError("Something failed").to_fail_kwargs() == dict(msg="Something failed")
    error = OvhApiError("Busy", status=409, query_id="q", error_code="Client::Conflict", details={"a": 1})
    assert error.to_fail_kwargs() == dict(msg="Busy", http_status=409, query_id="q", error_code="Client::Conflict",
                                          details={"a": 1})


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


def test_the_account_fingerprint_names_the_keys_and_hashes_the_consumer_key(clean_config, monkeypatch):
    monkeypatch.setenv("OVH_CONSUMER_KEY", "ck-from-the-environment-1234")
    first = _api.account_fingerprint(dict(endpoint="ovh-eu", application_key="ak-1", application_secret=APP_SECRET))
    assert first["application_key"] == "ak-1" and first["client_id"] is None and first["endpoint"] == "ovh-eu"
    assert first["consumer_key_sha256"] == hashlib.sha256(b"ck-from-the-environment-1234").hexdigest()
    assert "ck-from-the-environment-1234" not in json.dumps(first) and APP_SECRET not in json.dumps(first)
    other = _api.account_fingerprint(dict(endpoint="ovh-eu", application_key="ak-1", consumer_key=CONSUMER_KEY))
    assert other != first


def test_pending_tasks_take_the_tasks_of_an_expanded_list_without_reading_each():
    client = FakeClient([[task(4, "doing")], [4, task(7, "todo", partition="media")], []], tasks={4: [task(4, "doing")]})
    api, dummy = make_api(client)
    assert api.pending_tasks(SVC, PART) == [task(4, "doing")]
    assert [call[1] for call in client.calls] == ["/dedicated/nasha/zpool-1/task"] * 3  # no task read on its own
