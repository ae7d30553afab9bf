# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sending requests through python-ovh: the requests adapter that bounds each request, what a failed request
was (classified once, in _Failure), reads retried while their failure may pass, and writes sent once with
their outcome returned as a value for the write path to act on (see _write_path)."""
from __future__ import annotations

import contextlib
import datetime
import email.utils
import json
import socket
import ssl
import threading
import time
import traceback
import typing

from ansible.module_utils.api import generate_jittered_backoff

try:
    import ovh
    import ovh.client
    import ovh.config
    import ovh.exceptions
    # python-ovh's own transport; imported to bound and check its requests, never to send any.
    import requests
    import requests.adapters
    import requests.exceptions
    import urllib3
except ImportError as exc:  # reported by the module base with missing_required_lib
    ovh = None
    OVH_IMPORT_ERROR = exc
    OVH_IMPORT_TRACEBACK = traceback.format_exc()
    _OVH_API_ERROR = ()
    _HTTPAdapter = object
    _RequestException = Exception
else:
    OVH_IMPORT_ERROR = None
    OVH_IMPORT_TRACEBACK = None
    _OVH_API_ERROR = ovh.exceptions.APIError
    _HTTPAdapter = requests.adapters.HTTPAdapter
    _RequestException = requests.exceptions.RequestException

from ansible_collections.snapkeep.nasha.plugins.module_utils._option_limits import API_RETRIES_DEFAULT
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import (
    SECRET_NAMES,
    OvhApiError,
    OvhConnectionError,
    exception_text,
    format_seconds,
    scrubbed_error,
    without_userinfo,
)

RETRIED_STATUSES = (429, 500, 502, 503, 504)

WRITE_METHODS = ("POST", "PUT", "DELETE")


# Request retries: each pause is half fixed, half jittered, on steps doubling from 1 s up to RETRY_STEP_CAP;
# a Retry-After header can lengthen a pause, never beyond RETRY_DELAY_CAP.
RETRY_STEP_CAP = 10

RETRY_DELAY_CAP = 60


# The name of the parameter that follows each fixed segment of a NAS-HA path.
_PATH_PARAMETERS = {
    "nasha": "serviceName",
    "partition": "partitionName",
    "snapshot": "snapshotType",
    "customSnapshot": "name",
    "task": "taskId",
}


# What to check for each authentication error OVHcloud reports.
_AUTH_ERROR_ADVICE = {
    "INVALID_CREDENTIAL": "the consumer key is not valid or has expired; create a new consumer key and validate it",
    "NOT_CREDENTIAL": "the consumer key is not valid: it does not exist, has not been validated yet or was revoked; "
                      "validate it or create a new one",
    "INVALID_KEY": "the application key is unknown to this endpoint; check application_key and endpoint",
    "INVALID_SIGNATURE": "the request signature was refused; check that application_secret is the secret of "
                         "application_key and that consumer_key was created for this application",
    "QUERY_TIME_OUT": "the request timestamp was refused; check the clock of the machine running the module",
    "NOT_AUTHENTICATED": "the request was not authenticated; check the credentials",
}

_EXCEPTION_ERROR_CODES = (
    ("NotGrantedCall", "NOT_GRANTED_CALL"),
    ("InvalidCredential", "INVALID_CREDENTIAL"),
    ("NotCredential", "NOT_CREDENTIAL"),
    ("InvalidKey", "INVALID_KEY"),
    ("Forbidden", "FORBIDDEN"),
)


class TransportError(_RequestException):
    """A request the transport ended itself; python-ovh passes it on inside its HTTPError, as any requests error."""

    def __init__(self, message, response=None, status=None):
        super().__init__(message, response=response)
        self.status = status


class TotalTimeout(TransportError):
    """No complete answer within the request's time bound."""

    def __init__(self, seconds):
        super().__init__("no complete answer within %s s" % format_seconds(seconds))
        self.seconds = seconds


class RedirectRefused(TransportError):
    """A 3xx answer: the signed request (consumer key included) is not sent to another address."""

    def __init__(self, response):
        self.location = without_userinfo(_header(response, "Location") or "")
        request = getattr(response, "request", None)
        self.method = getattr(request, "method", None)
        self.url = without_userinfo(getattr(response, "url", None) or "")
        super().__init__("redirect (HTTP %s) to %s" % (response.status_code, self.location or "no location"),
                         response=response, status=response.status_code)


class MalformedAnswer(TransportError):
    """An answer python-ovh cannot decode or read: not JSON, or an error whose body is not a JSON object."""


def _total_seconds(timeout):
    """The time bound python-ovh gives requests (a number), or None for any other form."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        return None
    return float(timeout)


def _body_excerpt(response):
    text = response.content[:200].decode("utf-8", "replace")
    return " ".join(text.split())[:120]


def _cut_connection(response):
    """Shut the socket of a response down, so that a read blocked on it returns at once."""
    connection = getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if sock is None:  # other urllib3 releases: through the http.client response
        fp = getattr(getattr(response.raw, "_fp", None), "fp", None)
        sock = getattr(getattr(fp, "raw", None), "_sock", None)
    if sock is not None:
        try:
            # socket.socket's own shutdown, also for a TLS socket: the reading thread owns the TLS state.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass


class BoundedTransport(_HTTPAdapter):
    """The requests adapter mounted on python-ovh's session: the time bound covers a whole request, and no redirect.

    python-ovh hands requests a timeout that bounds each socket operation, so an endpoint sending one byte now and
    then could hold a request for ever. Here it bounds the connection and the answer headers together, and a
    watchdog cuts the connection when the body is not complete by then. A 3xx answer raises RedirectRefused before
    requests could follow it; an answer python-ovh would fail to read raises MalformedAnswer.

    pool_maxsize: connections kept open (as many as requests sent at once); headers: default headers of the session;
    rate: a RequestRate every request waits for before it is sent (the time bound starts after), or None.
    max_in_flight: at most that many requests under way at once through this transport (None: no bound); a request
    waiting for its turn has not started, so its time bound starts once it goes.
    """

    def __init__(self, pool_maxsize=10, headers=None, rate=None, max_in_flight=None):
        super().__init__(pool_maxsize=max(pool_maxsize, max_in_flight or 0))
        self.pool_maxsize = pool_maxsize
        self.headers = dict(headers or {})
        self.rate = rate
        self.max_in_flight = max_in_flight
        self._turns = threading.BoundedSemaphore(max_in_flight) if max_in_flight else contextlib.nullcontext()

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        request.headers.update(getattr(_REQUEST_CONTEXT, "headers", None) or {})
        with self._turns:
            if self.rate is not None:
                self.rate.wait()
            return self._send_bounded(request, stream, timeout, verify, cert, proxies)

    def _send_bounded(self, request, stream, timeout, verify, cert, proxies):
        total = _total_seconds(timeout)
        if total is None:
            return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        started = time.monotonic()
        bound = urllib3.Timeout(total=total, connect=total, read=total)
        response = super().send(request, stream=True, timeout=bound, verify=verify, cert=cert, proxies=proxies)
        if 300 <= response.status_code < 400:
            response.close()
            raise RedirectRefused(response)
        cut = threading.Event()

        def watchdog_fired():
            cut.set()
            _cut_connection(response)

        watchdog = threading.Timer(max(0.0, total - (time.monotonic() - started)), watchdog_fired)
        watchdog.daemon = True
        watchdog.start()
        try:
            response.content  # pylint: disable=pointless-statement  # reads the whole body, under the watchdog
        except Exception:  # pylint: disable=broad-except  # a cut connection fails in many ways; the cut is the cause
            if not cut.is_set():
                raise
        finally:
            watchdog.cancel()
        if cut.is_set():
            response.close()
            raise TotalTimeout(total)
        self._check_body(response)
        return response

    @staticmethod
    def _check_body(response):
        if response.status_code == 204:
            return
        try:
            body = response.json()
        except ValueError:
            raise MalformedAnswer("an answer that is not JSON (%s: %s)" % (
                _header(response, "Content-Type") or "no content type", _body_excerpt(response) or "empty"),
                response=response, status=response.status_code) from None
        if response.status_code >= 400 and not isinstance(body, dict):
            raise MalformedAnswer("an error answer whose body is not a JSON object (%s)" % _body_excerpt(response),
                                  response=response, status=response.status_code)


# What OVHcloud's control panel asks a list route for its objects with, in one page as large as it asks for: the
# answer gives no way (through python-ovh) to see more pages.
EXPANDED_LIST_HEADERS = {"X-Pagination-Mode": "CachedObjectList-Pages", "X-Pagination-Size": "50000"}
# Headers of the requests one thread sends inside expanded_list_request() (see there).
_REQUEST_CONTEXT = threading.local()


@contextlib.contextmanager
def expanded_list_request(headers):
    """Inside the block, this thread's requests carry `headers` (those asking a list for its objects, see
    EXPANDED_LIST_HEADERS) and OvhApi accepts objects in a list answer. python-ovh signs no header, so
    adding one at the transport changes no signature; the other threads' requests are left as they are."""
    previous = getattr(_REQUEST_CONTEXT, "headers", None)
    _REQUEST_CONTEXT.headers = dict(previous or {}, **headers)
    try:
        yield
    finally:
        _REQUEST_CONTEXT.headers = previous


def install_transport(client, pool_maxsize=None, headers=None, rate=None, max_in_flight=None):
    """Mount a BoundedTransport on the requests sessions of a python-ovh client that has them.

    With pool_maxsize or headers, the transports already mounted are replaced by ones with these settings. Without,
    a session that has none yet (python-ovh makes its OAuth2 session on first use) gets the settings of the
    transport on the client's main session, so that every session of a client behaves alike. A rate (RequestRate)
    mounted once stays on every transport that replaces it.
    """
    if ovh is None:
        return
    main = getattr(client, "_session", None)
    oauth2 = getattr(client, "_oauth2", None)
    sessions = [main, getattr(oauth2, "_session", None) if oauth2 is not None else None]
    sessions = [session for session in sessions if isinstance(session, requests.Session)]
    replace = pool_maxsize is not None or headers is not None or rate is not None or max_in_flight is not None
    if isinstance(main, requests.Session) and isinstance(main.get_adapter("https://"), BoundedTransport):
        model = main.get_adapter("https://")
        if not replace:
            pool_maxsize, headers, max_in_flight = model.pool_maxsize, model.headers, model.max_in_flight
        rate = model.rate if rate is None else rate
    for session in sessions:
        if replace or not isinstance(session.get_adapter("https://"), BoundedTransport):
            transport = BoundedTransport(pool_maxsize=pool_maxsize or 10, headers=headers, rate=rate,
                                         max_in_flight=max_in_flight)
            session.headers.update(transport.headers)
            session.mount("https://", transport)
            session.mount("http://", transport)
            session.max_redirects = 0


def route_template(path):
    """The route of a concrete NAS-HA path: /dedicated/nasha/zpool-1/task/7 -> /dedicated/nasha/{serviceName}/task/{taskId}."""
    segments = path.split("?", 1)[0].strip("/").split("/")
    template = []
    index = 0
    while index < len(segments):
        segment = segments[index]
        template.append(segment)
        if segment in _PATH_PARAMETERS and index + 1 < len(segments):
            template.append("{%s}" % _PATH_PARAMETERS[segment])
            index += 2
        else:
            index += 1
    return "/" + "/".join(template)


def _header(response, name):
    headers = getattr(response, "headers", None) or {}
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        for key, item in headers.items():
            if key.lower() == lowered:
                return item
    return value


def _answer_body(response):
    try:
        body = response.json()
    except Exception:  # pylint: disable=broad-except  # any undecodable body is simply not used
        return {}
    return body if isinstance(body, dict) else {}


def _is_timeout(cause):
    if isinstance(cause, (TotalTimeout, requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, socket.timeout)):
        return True
    # requests reports a read timeout met while reading a body as a ConnectionError holding urllib3's error.
    return isinstance(cause, requests.exceptions.ConnectionError) and any(
        isinstance(arg, urllib3.exceptions.TimeoutError) for arg in getattr(cause, "args", ()))


def _is_tls_failure(cause):
    return isinstance(cause, (requests.exceptions.SSLError, ssl.SSLError))


class _Failure:
    """The facts of one python-ovh exception, and what kind of failure it is.

    kind: "redirect", "tls", "timeout" or "network" (no usable answer), "malformed" (an answer that cannot be
    read), "credentials" (the API refused the credentials) or "answer" (any other error answer).
    """

    def __init__(self, exc):
        self.exc = exc
        self.cause = exc.args[1] if isinstance(exc, ovh.exceptions.HTTPError) and len(exc.args) > 1 else None
        response = getattr(exc, "response", None)
        if response is None and isinstance(self.cause, TransportError):
            response = self.cause.response
        self.status = getattr(response, "status_code", None) if response is not None else None
        self.query_id = getattr(exc, "query_id", None) or (_header(response, "X-OVH-QUERYID") if response is not None else None)
        body = _answer_body(response) if response is not None and not isinstance(self.cause, MalformedAnswer) else {}
        self.error_code = body.get("errorCode") or body.get("class")
        if not self.error_code:
            for class_name, code in _EXCEPTION_ERROR_CODES:
                if type(exc).__name__ == class_name:
                    self.error_code = code
        self.details = body.get("details")
        message = body.get("message")
        if not message:
            message = exc.args[0] if exc.args and exc.args[0] else None
        self.message = str(message) if message else None
        self.retry_after = _retry_after_seconds(_header(response, "Retry-After")) if response is not None else None
        self.kind = self._kind()

    def _kind(self):
        cause = self.cause
        if isinstance(cause, RedirectRefused):
            return "redirect"
        if isinstance(cause, MalformedAnswer) or isinstance(self.exc, ovh.exceptions.InvalidResponse):
            return "malformed"
        if _is_tls_failure(cause):
            return "tls"
        if _is_timeout(cause):
            return "timeout"
        if isinstance(self.exc, (ovh.exceptions.HTTPError, ovh.exceptions.NetworkError)):
            return "network"
        if (self.error_code in _AUTH_ERROR_ADVICE or (self.message and "timestamp" in self.message.lower())
                or type(self.exc).__name__ == "OAuth2FailureError"):
            return "credentials"
        return "answer"

    @property
    def network(self):
        """No usable answer: a request that may or may not have reached OVHcloud."""
        return self.kind in ("network", "timeout")

    @property
    def about_connection(self):
        """Not about the request's own route: every other request of the run would fail the same way."""
        return self.kind in ("redirect", "tls", "credentials")

    @property
    def retried(self):
        if self.kind in ("redirect", "tls", "credentials"):
            return False
        return self.network or self.status in RETRIED_STATUSES

    @property
    def busy(self):
        if self.status != 409:
            return False
        text = (self.message or "").lower()
        return "ResourceBusy" in (self.error_code or "") or "busy" in text or "pending task" in text

    def maybe_done_elsewhere(self, method):
        """A write refused as made or under way already (409 not busy, or 404 on a DELETE): another run may have done it."""
        return method in WRITE_METHODS and ((self.status == 409 and not self.busy) or (self.status == 404 and method == "DELETE"))

    def describe(self, method, path, endpoint=None, timeout=None):
        """OVHcloud's message, or what went wrong, plus what to check, plus HTTP status and query id."""
        where = " at %s" % without_userinfo(endpoint) if endpoint else ""
        if self.kind == "redirect":
            # The request redirected may be python-ovh's own (/auth/time) rather than the one asked for.
            redirected = "%s %s" % (self.cause.method or method, _path_under(self.cause.url, endpoint) or path)
            text = ("the OVHcloud API%s answered %s with a %s, not followed: the OVHcloud API does not redirect, and "
                    "following would send the signed request, consumer key included, to another address; check endpoint"
                    % (where, redirected, self.cause.args[0]))
        elif self.kind == "malformed":
            text = "the OVHcloud API%s answered %s %s with %s" % (
                where, method, path, self.cause.args[0] if self.cause is not None else
                "a body that is not JSON (%s)" % exception_text(self.exc))
        elif self.kind == "tls":
            text = ("the TLS connection to the OVHcloud API%s failed (%s), which is not retried: check that the endpoint "
                    "speaks https (an https:// URL to a plain http server fails so) and that its certificate is valid and "
                    "trusted" % (where, exception_text(self.cause)))
        elif self.kind == "timeout":
            within = "within %s s (api_timeout)" % format_seconds(timeout) if timeout else "in time"
            text = "the OVHcloud API could not be reached%s: it did not answer %s" % (where, within)
        elif self.network:
            text = "the OVHcloud API could not be reached%s (%s)" % (where, exception_text(self.cause or self.exc))
        elif self.error_code == "NOT_GRANTED_CALL":
            text = ("the consumer key is not allowed to call %s %s (the request was %s %s); add this route to the "
                    "access rules of a new consumer key" % (method, route_template(path), method, path))
            text += _said(self.message)
        elif self.error_code in _AUTH_ERROR_ADVICE:
            text = _AUTH_ERROR_ADVICE[self.error_code] + _said(self.message)
        elif self.message and "timestamp" in self.message.lower():
            text = _AUTH_ERROR_ADVICE["QUERY_TIME_OUT"] + _said(self.message)
        else:
            text = self.message or exception_text(self.exc)
        facts = []
        if self.status is not None:
            facts.append("HTTP %s" % self.status)
        if self.query_id:
            facts.append("OVH query id %s" % self.query_id)
        return "%s (%s)" % (text, ", ".join(facts)) if facts else text


def _path_under(url, endpoint):
    """The path of url below the endpoint URL, without query string, or None when url is not below it."""
    base = ovh.client.ENDPOINTS.get(endpoint, endpoint) if endpoint else None
    if not url or not base or not url.startswith(base.rstrip("/") + "/"):
        return None
    return url[len(base.rstrip("/")):].split("?", 1)[0]


def _said(message):
    return "; OVHcloud said: %s" % message if message else ""


def _retry_after_seconds(value):
    """Seconds asked by a Retry-After header (a number or an HTTP date), or None."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    return max(0.0, moment.timestamp() - time.time())


def _default_jitter(count):
    return generate_jittered_backoff(retries=count, delay_base=1, delay_threshold=RETRY_STEP_CAP)


def _expected_answer(path):
    """What a NAS-HA GET answers: "list" on a collection route, "object" on an item route, None for others."""
    template = route_template(path)
    if not template.startswith("/dedicated/nasha"):
        return None
    last = template.rstrip("/").rsplit("/", 1)[-1]
    if last.startswith("{"):
        return "object"
    return "list" if last in _PATH_PARAMETERS else None


class Deadline:
    """A point in time, timeout_seconds after its creation on `clock`."""

    def __init__(self, timeout_seconds, clock):
        self.timeout = timeout_seconds
        self._clock = clock
        self.end = clock() + timeout_seconds

    def remaining(self):
        return max(0.0, self.end - self._clock())

    def expired(self):
        return self.remaining() <= 0


# What became of one write (Sent.kind): the transport's classification, which the write path acts on.
ACCEPTED = "accepted"    # answered with its task
TRANSIENT = "transient"  # not applied (throttled, or never sent): send it again after a pause
LOST = "lost"            # no usable answer: it may or may not be applied, so read back before sending again
BUSY = "busy"            # refused while a task is pending on the partition: wait, then send again
CONFLICT = "conflict"    # refused as made or under way already (409, or 404 on a DELETE): read back
REFUSED = "refused"      # refused for good (bad request, not found, not granted...)
SEND_OUTCOMES = (ACCEPTED, TRANSIENT, LOST, BUSY, CONFLICT, REFUSED)


class Sent(typing.NamedTuple):
    """One write sent once: its kind (above), OVHcloud's answer when accepted, else the failure and its error."""

    kind: str
    answer: typing.Any = None
    failure: typing.Any = None
    error: typing.Optional[OvhApiError] = None

    @property
    def retry_after(self):
        return self.failure.retry_after if self.failure is not None else None


class OvhApi:
    """The requests of one module run over one python-ovh client: reads retried, writes sent once (see send), clear errors.

    clock and sleep are injectable so that waits are testable without real time passing; jitter(count)
    gives `count` jittered values for the retry pauses (ansible-core's full-jitter backoff by default).
    expanded_lists: the client asks lists for their objects (see _fleet.request_expanded_lists), so a list answer
    may hold objects beside names; their content is for the caller to check.
    """

    def __init__(self, client, retries=API_RETRIES_DEFAULT, clock=time.monotonic, sleep=time.sleep, jitter=None, expanded_lists=False):
        self.client = client
        self.expanded_lists = expanded_lists
        self.retries = retries
        self.clock = clock
        self.sleep = sleep
        self.jitter = jitter or _default_jitter
        self._secrets = [getattr(client, "_" + name, None) for name in SECRET_NAMES]
        self._time_lock = threading.Lock()
        self._server_delta = None
        # Whether the endpoint has answered once in this run: until then a timeout is not retried.
        self._answered = False
        # The OvhConnectionError that ended the run, raised again for every later request without sending it.
        self._fatal = None
        # The run's first request goes alone: when the endpoint or the credentials fail, no other is sent.
        self._first_lock = threading.Lock()
        self._first_done = False

    # -- requests

    def get(self, path, action, **query):
        """The answer of GET path (with query parameters); action says what for, in the error message."""
        return self._request("GET", path, action, query=query)

    def send(self, method, path, action, body=None):
        """Send one write, once; what became of it is returned as a Sent, never raised.

        Only an OvhConnectionError is raised (unreachable endpoint, refused credentials...): it ends the run.
        Whether to wait, read back or send again is the write path's decision (see _write_path).
        """
        method = method.upper()
        if method not in WRITE_METHODS:
            raise ValueError("send() sends POST, PUT or DELETE, not %s" % method)
        return self._guarded(lambda: self._send_once(method, path, action, body))

    def give_up(self, action, method, path, sent, attempts=None, note=""):
        """The OvhApiError that ends a write after `sent` (its last Sent) and `attempts` tries."""
        return self._error(action, method, path, sent.failure, attempts=attempts, note=note)

    def server_now(self):
        """Now on OVHcloud's clock (aware UTC): the controller's clock plus the offset GET /auth/time gives.

        python-ovh reads that offset once per client to sign requests, so after a signed request this costs
        nothing; with OAuth2, which signs nothing, it is read here once.
        """
        delta = getattr(self.client, "_time_delta", None)
        if delta is None:
            if self._server_delta is None:
                server_time = self.get("/auth/time", "read the OVHcloud clock")
                self._server_delta = int(server_time) - int(time.time())
            delta = self._server_delta
        return datetime.datetime.fromtimestamp(time.time() + delta, datetime.timezone.utc)

    @staticmethod
    def retry_pause(delay, retry_after):
        """The pause before a retry: its delay, lengthened to what a Retry-After header asks, within RETRY_DELAY_CAP."""
        if retry_after is not None:
            delay = max(delay, retry_after)
        return min(delay, RETRY_DELAY_CAP)

    def deadline(self, timeout_seconds):
        return Deadline(timeout_seconds, self.clock)

    def retry_delays(self):
        """Pause before each retry: half of a doubling step (capped) fixed, half jittered."""
        for index, jittered in enumerate(self.jitter(self.retries)):
            step = min(RETRY_STEP_CAP, 2 ** index)
            yield step / 2.0 + min(max(jittered, 0), step) / 2.0

    def _send(self, method, path, body, query):
        if self._time_fetch_pending():
            # python-ovh fetches the server time on first use, unguarded: one thread fetches it, the others wait.
            with self._time_lock:
                self._raise_fatal()
                if self._time_fetch_pending():
                    getattr(self.client, "time_delta", None)  # the property fetches the time and keeps it
        oauth2 = getattr(self.client, "_oauth2", None)
        if oauth2 is not None and getattr(oauth2, "_session", None) is None:
            # python-ovh makes an OAuth2 session (fetching its token) on first use: made here, so that the
            # transport is mounted on it before the first API request.
            try:
                getattr(oauth2, "session")
            except _RequestException as exc:
                raise ovh.exceptions.HTTPError("Low HTTP request failed error", exc) from None
            install_transport(self.client)
        if method == "GET":
            return self.client.get(path, **query)
        return self.client.call(method, path, body, True)

    def _time_fetch_pending(self):
        """Whether python-ovh still has to fetch the server time before signing (the write is not yet sent)."""
        return getattr(self.client, "_oauth2", None) is None and getattr(self.client, "_time_delta", 0) is None

    def _raise_fatal(self):
        if self._fatal is not None:
            raise self._fatal

    def _guarded(self, call):
        """call(), once the run's first request is over: when the endpoint or the credentials fail, no other is sent."""
        self._raise_fatal()
        if not self._first_done:
            with self._first_lock:
                self._raise_fatal()
                if not self._first_done:
                    try:
                        return call()
                    finally:
                        self._first_done = True
        return call()

    def _request(self, method, path, action, query=None):
        return self._guarded(lambda: self._attempts(method, path, action, query))

    def _try(self, method, path, action, body, query):
        """(answer, None) or (None, _Failure) of one request, and whether it reached OVHcloud."""
        time_was_pending = self._time_fetch_pending()
        try:
            answer = self._send(method, path, body, query or {})
        except _OVH_API_ERROR as exc:
            failure = _Failure(exc)
        else:
            self._answered = True
            return answer, None, True
        # A request that failed in python-ovh's /auth/time request was never sent.
        sent = not (time_was_pending and self._time_fetch_pending())
        if failure.status is not None or (time_was_pending and not self._time_fetch_pending()):
            self._answered = True
        if failure.kind == "timeout" and not self._answered:
            # An endpoint that has not answered once is unlikely to answer the next time: fail now, once.
            raise self._error(action, method, path, failure, run_level=True,
                              note="; it has not answered any request of this run, so none is sent again")
        return None, failure, sent

    def _attempts(self, method, path, action, query):
        """One read, sent again as long as its failure may be retried."""
        delays = self.retry_delays()
        attempts = 0
        while True:
            attempts += 1
            answer, failure, sent = self._try(method, path, action, None, query)
            if failure is None:
                return self._checked_answer(method, path, action, answer)
            if not failure.retried:
                # A failure of the /auth/time request is about the endpoint, whatever the request was for.
                raise self._error(action, method, path, failure, run_level=not sent)
            delay = next(delays, None)
            if delay is None:
                raise self._error(action, method, path, failure, attempts=attempts, run_level=failure.network or not sent)
            self.sleep(self.retry_pause(delay, failure.retry_after))

    def _send_once(self, method, path, action, body):
        answer, failure, sent = self._try(method, path, action, body, None)
        if failure is None:
            return Sent(ACCEPTED, answer=answer)
        if failure.about_connection or (not sent and not failure.retried):
            raise self._error(action, method, path, failure, run_level=True)
        if not sent or failure.status == 429:
            kind = TRANSIENT  # never applied: the request did not reach OVHcloud, or was throttled
        elif failure.retried or (failure.kind == "malformed" and 200 <= (failure.status or 0) < 300):
            kind = LOST  # OVHcloud may have applied it: its answer was lost or unreadable
        elif failure.busy:
            kind = BUSY
        elif failure.maybe_done_elsewhere(method):
            kind = CONFLICT
        else:
            kind = REFUSED
        return Sent(kind, failure=failure, error=self._error(action, method, path, failure))

    def _error(self, action, method, path, failure, attempts=None, note="", run_level=False):
        """The error of a failed request; one about the connection (see OvhConnectionError) ends the run."""
        description = failure.describe(method, path, getattr(self.client, "_endpoint", None),
                                       _total_seconds(getattr(self.client, "_timeout", None)))
        if attempts is not None and attempts > 1:
            message = "gave up after %d attempts to %s: %s%s" % (attempts, action, description, note)
        else:
            message = "Could not %s: %s%s" % (action, description, note)
        if run_level or failure.about_connection:
            error_class = OvhConnectionError
        else:
            error_class = OvhApiError
        error = scrubbed_error(error_class(message, status=failure.status, query_id=failure.query_id,
                                           error_code=failure.error_code, details=failure.details), self._secrets)
        if error_class is OvhConnectionError:
            self._fatal = error
        return error

    def _checked_answer(self, method, path, action, answer):
        """A GET answer of the shape its route promises (a list of ids or names, or an object), else a clear error."""
        expected = _expected_answer(path) if method == "GET" else None
        if expected is None:
            return answer
        if expected == "list":
            fits = isinstance(answer, list) and all(
                (isinstance(item, (str, int)) and not isinstance(item, bool)) or (self._objects_listed() and isinstance(item, dict))
                for item in answer)
            wanted = "a list of names or ids"
        else:
            fits = isinstance(answer, dict)
            wanted = "an object"
        if fits:
            return answer
        shown = json.dumps(answer)
        message = "Could not %s: the OVHcloud API answered %s %s with %s where %s was expected" % (
            action, method, path, shown if len(shown) <= 120 else shown[:117] + "...", wanted)
        raise scrubbed_error(OvhApiError(message, details=dict(answer=answer)), self._secrets)

    def _objects_listed(self):
        """Whether a list answer may hold objects: the client asks every list for them, or this request does."""
        return self.expanded_lists or bool(getattr(_REQUEST_CONTEXT, "headers", None))
