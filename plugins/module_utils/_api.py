# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OVHcloud API layer: connection settings, credentials, retries, error messages and task waiting.

Every request goes through python-ovh (signing, the /auth/time request, OAuth2). This file adds what
python-ovh leaves to its callers: retrying what may be retried, never sending a write twice when its
answer was lost, waiting for the asynchronous tasks that writes start, and errors a person can act on.
It knows nothing of Ansible's AnsibleModule nor of NAS-HA business rules.
"""
from __future__ import annotations

import datetime
import email.utils
import ipaddress
import re
import threading
import time
import traceback
from urllib.parse import urlsplit

from ansible.module_utils.api import generate_jittered_backoff

try:
    import ovh
    import ovh.client
    import ovh.config
    import ovh.exceptions
except ImportError as exc:  # reported by the module base with missing_required_lib
    ovh = None
    OVH_IMPORT_ERROR = exc
    OVH_IMPORT_TRACEBACK = traceback.format_exc()
    _OVH_API_ERROR = ()
else:
    OVH_IMPORT_ERROR = None
    OVH_IMPORT_TRACEBACK = None
    _OVH_API_ERROR = ovh.exceptions.APIError


PENDING_STATUSES = ("init", "todo", "doing")
FAILED_STATUSES = ("cancelled", "customerError", "ovhError")

RETRIED_STATUSES = (429, 500, 502, 503, 504)
WRITE_METHODS = ("POST", "PUT", "DELETE")
# Request retries: each pause is half fixed, half jittered, on steps doubling from 1 s up to RETRY_STEP_CAP;
# a Retry-After header can lengthen a pause, never beyond RETRY_DELAY_CAP.
RETRY_STEP_CAP = 10
RETRY_DELAY_CAP = 60
# Task polling: the first pause, its growth per round and its cap, in seconds. Slow growth keeps the lag
# between a task's end and its discovery near a third of the time waited, for 5 reads in the first 4 seconds.
TASK_POLL_FIRST = 0.5
TASK_POLL_GROWTH = 1.3
TASK_POLL_CAP = 10.0

SECRET_MASK = "********"
CREDENTIAL_NAMES = ("application_key", "application_secret", "consumer_key", "client_id", "client_secret")
SECRET_NAMES = ("application_secret", "consumer_key", "client_secret")
# Shorter values would blank out ordinary words; real keys and secrets are far longer.
_MIN_SCRUBBED_LENGTH = 4

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


class OvhApiError(Exception):
    """A failed API request or wait, explained in `message`, a complete sentence for a person.

    status is the HTTP status when there was an answer, query_id OVHcloud's X-OVH-QUERYID, error_code
    OVHcloud's error class or code (such as Client::NotFound or NOT_GRANTED_CALL), details any further facts.
    """

    def __init__(self, message, status=None, query_id=None, error_code=None, details=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.query_id = query_id
        self.error_code = error_code
        self.details = details

    def __str__(self):
        return self.message

    def to_fail_kwargs(self):
        """Keyword arguments for fail_json: msg, plus the facts that are known."""
        kwargs = dict(msg=self.message)
        for key, value in (("http_status", self.status), ("query_id", self.query_id),
                           ("error_code", self.error_code), ("details", self.details)):
            if value is not None:
                kwargs[key] = value
        return kwargs


class OvhBusyError(OvhApiError):
    """A write refused because the resource is busy (a task is pending): wait for it, then send it again."""


# ------------------------------------------------------------------ secrets

def scrub(value, secrets):
    """value with every occurrence of each secret replaced by a mask, in strings, lists and dicts."""
    secrets = [secret for secret in secrets if isinstance(secret, str) and len(secret) >= _MIN_SCRUBBED_LENGTH]
    if not secrets:
        return value
    return _scrub(value, sorted(set(secrets), key=len, reverse=True))


def _scrub(value, secrets):
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, SECRET_MASK)
        return value
    if isinstance(value, dict):
        return dict((_scrub(key, secrets), _scrub(item, secrets)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_scrub(item, secrets) for item in value]
    return value


def scrubbed_error(error, secrets):
    """A copy of an OvhApiError with no secret in its message or details."""
    return type(error)(scrub(error.message, secrets), status=error.status, query_id=error.query_id,
                       error_code=scrub(error.error_code, secrets), details=scrub(error.details, secrets))


# ------------------------------------------------------------------ connection settings

def _is_loopback(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_url_problem(url):
    """Why `url` cannot be an API endpoint, or None when it can."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return "endpoint %s is not a valid URL (%s)" % (url, exc)
    del port  # only parsed to validate it
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "endpoint %s is not an http:// or https:// URL with a host name" % url
    if parts.username is not None or parts.password is not None:
        return "endpoint %s must not hold a user name or password" % url.replace(parts.netloc, parts.hostname)
    if parts.query or parts.fragment:
        return "endpoint %s must not have a query string or a fragment" % url
    if not parts.path.rstrip("/").endswith("/1.0"):
        return "endpoint %s must end with the API version path /1.0, for example https://eu.api.ovh.com/1.0" % url
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        return ("endpoint %s uses plain http to a remote host, which would send the credentials unencrypted; "
                "use https (plain http is only allowed to localhost, 127.0.0.0/8 or ::1)" % url)
    return None


def _capitalised(text):
    return text[0].upper() + text[1:] if text else text


def _blank_to_none(value):
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


def connection_settings(params):
    """The validated connection settings from module params; raises OvhApiError before any request.

    Returns a dict: endpoint (a name python-ovh knows), the five credentials (None where not given, for
    python-ovh to look up in OVH_* variables and ovh.conf), timeout and retries.
    """
    if ovh is None:
        raise OvhApiError("The python-ovh library (ovh) is needed: %s" % OVH_IMPORT_ERROR)
    timeout = params.get("api_timeout")
    retries = params.get("api_retries")
    timeout = 30 if timeout is None else timeout
    retries = 4 if retries is None else retries
    if timeout < 1:
        raise OvhApiError("api_timeout must be 1 second or more, not %s" % timeout)
    if retries < 0:
        raise OvhApiError("api_retries must be 0 or more, not %s" % retries)

    endpoint = _blank_to_none(params.get("endpoint"))
    if endpoint is None:
        # python-ovh's own lookup: OVH_ENDPOINT, then the [default] section of ovh.conf.
        endpoint = _blank_to_none(ovh.config.ConfigurationManager().get("default", "endpoint"))
    if endpoint is None:
        raise OvhApiError("No OVHcloud API endpoint is set: set endpoint or OVH_ENDPOINT (or endpoint in the "
                          "[default] section of ovh.conf), for example ovh-eu")
    endpoint = endpoint.strip()
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", endpoint):
        problem = endpoint_url_problem(endpoint)
        if problem:
            raise OvhApiError(_capitalised(problem))
        # Registered under the URL itself, so that an ovh.conf section named by the URL holds its keys.
        ovh.client.ENDPOINTS[endpoint] = endpoint.rstrip("/")
    elif endpoint not in ovh.client.ENDPOINTS:
        known = sorted(name for name in ovh.client.ENDPOINTS if "://" not in name)
        raise OvhApiError("Unknown endpoint %s: use one of %s, or the https:// URL of an OVHcloud-compatible API "
                          "ending in /1.0" % (endpoint, ", ".join(known)))

    settings = dict(endpoint=endpoint, timeout=timeout, retries=retries)
    for name in CREDENTIAL_NAMES:
        settings[name] = _blank_to_none(params.get(name))
    return settings


def _resolved_credentials(settings):
    """The credentials python-ovh will use: given ones, else OVH_* variables, else ovh.conf's endpoint section."""
    configuration = ovh.config.ConfigurationManager()
    resolved = {}
    for name in CREDENTIAL_NAMES:
        value = settings.get(name)
        if value is None:
            value = configuration.get(settings["endpoint"], name)
        resolved[name] = _blank_to_none(value)
    return resolved


def _where_to_set(name):
    return "%s (or OVH_%s, or %s in ovh.conf)" % (name, name.upper(), name)


def credentials_problem(credentials, endpoint):
    """What is wrong with a set of resolved credentials (names only, never values), or None."""
    given = dict((name, credentials.get(name) is not None) for name in CREDENTIAL_NAMES)
    for first, second in (("application_key", "application_secret"), ("client_id", "client_secret")):
        if given[first] != given[second]:
            present, missing = (first, second) if given[first] else (second, first)
            return "%s is set but %s is missing: set %s" % (present, missing, _where_to_set(missing))
    application = given["application_key"]
    oauth2 = given["client_id"]
    if application and oauth2:
        return ("Both application_key/application_secret and client_id/client_secret are set (as options, OVH_* "
                "variables or in ovh.conf): use one kind of credentials only")
    if not application and not oauth2:
        return ("No OVHcloud credentials are set: set application_key, application_secret and consumer_key, or "
                "client_id and client_secret, as options, OVH_* environment variables or in ovh.conf")
    if application and not given["consumer_key"]:
        return "application_key and application_secret are set but consumer_key is missing: set %s" % _where_to_set("consumer_key")
    if oauth2 and endpoint not in ovh.client.OAUTH2_TOKEN_URLS:
        return ("client_id and client_secret (OAuth2) only work with the endpoints %s, not with %s; use application_key, "
                "application_secret and consumer_key there" % (", ".join(sorted(ovh.client.OAUTH2_TOKEN_URLS)), endpoint))
    return None


def build_client(params, client_factory=None):
    """An ovh.Client for the module params, with credentials checked before any request.

    client_factory defaults to ovh.Client; raises OvhApiError naming what is missing or wrong.
    """
    settings = connection_settings(params)
    secrets = [params.get(name) for name in SECRET_NAMES]
    resolved = _resolved_credentials(settings)
    secrets += [resolved[name] for name in SECRET_NAMES]
    problem = credentials_problem(resolved, settings["endpoint"])
    if problem:
        raise OvhApiError(scrub(problem, secrets))
    factory = client_factory or ovh.Client
    try:
        client = factory(
            endpoint=settings["endpoint"],
            timeout=settings["timeout"],
            **dict((name, settings[name]) for name in CREDENTIAL_NAMES)
        )
    except (ovh.exceptions.InvalidConfiguration, ovh.exceptions.InvalidRegion) as exc:
        raise OvhApiError(scrub("The OVHcloud connection settings are not valid: %s" % _exception_text(exc), secrets)) from None
    # What python-ovh actually resolved decides (its lookup could differ from the one above).
    actual = dict((name, _blank_to_none(getattr(client, "_" + name, resolved[name]))) for name in CREDENTIAL_NAMES)
    problem = credentials_problem(actual, settings["endpoint"])
    if problem:
        raise OvhApiError(scrub(problem, secrets + [actual[name] for name in SECRET_NAMES]))
    return client


# ------------------------------------------------------------------ errors

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


def _exception_text(exc):
    """The text of an exception without python-ovh's query id suffix."""
    parts = [str(arg) for arg in getattr(exc, "args", ()) if arg not in (None, "")]
    return ": ".join(parts) if parts else type(exc).__name__


class _Failure:
    """The facts of one python-ovh exception."""

    def __init__(self, exc):
        self.exc = exc
        response = getattr(exc, "response", None)
        self.status = getattr(response, "status_code", None) if response is not None else None
        self.query_id = getattr(exc, "query_id", None) or (_header(response, "X-OVH-QUERYID") if response is not None else None)
        body = _answer_body(response) if response is not None else {}
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

    @property
    def network(self):
        """No usable answer: a request that may or may not have reached OVHcloud."""
        return isinstance(self.exc, (ovh.exceptions.HTTPError, ovh.exceptions.NetworkError, ovh.exceptions.InvalidResponse))

    @property
    def retried(self):
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

    def describe(self, method, path, endpoint=None):
        """OVHcloud's message, or what went wrong, plus what to check, plus HTTP status and query id."""
        if isinstance(self.exc, ovh.exceptions.InvalidResponse):
            text = "the API answered with a body that is not JSON (%s)" % _exception_text(self.exc)
        elif self.network:
            cause = self.exc.args[1] if len(self.exc.args) > 1 else self.exc
            where = " at %s" % endpoint if endpoint else ""
            text = "the OVHcloud API could not be reached%s (%s)" % (where, _exception_text(cause))
        elif self.error_code == "NOT_GRANTED_CALL":
            text = ("the consumer key is not allowed to call %s %s (the request was %s %s); add this route to the "
                    "access rules of a new consumer key" % (method, route_template(path), method, path))
            text += _said(self.message)
        elif self.error_code in _AUTH_ERROR_ADVICE:
            text = _AUTH_ERROR_ADVICE[self.error_code] + _said(self.message)
        elif self.message and "timestamp" in self.message.lower():
            text = _AUTH_ERROR_ADVICE["QUERY_TIME_OUT"] + _said(self.message)
        else:
            text = self.message or _exception_text(self.exc)
        facts = []
        if self.status is not None:
            facts.append("HTTP %s" % self.status)
        if self.query_id:
            facts.append("OVH query id %s" % self.query_id)
        return "%s (%s)" % (text, ", ".join(facts)) if facts else text


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


def _format_seconds(seconds):
    return "%d" % seconds if float(seconds).is_integer() else "%g" % seconds


# ------------------------------------------------------------------ the API

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


def task_path(service_name, task_id=None):
    path = "/dedicated/nasha/%s/task" % service_name
    return path if task_id is None else "%s/%s" % (path, task_id)


def _task_label(task):
    return "task %s" % task.get("taskId")


class OvhApi:
    """Requests with retries and clear errors, and waiting for NAS-HA tasks, over one python-ovh client.

    clock and sleep are injectable so that waits are testable without real time passing; jitter(count)
    gives `count` jittered values for the retry pauses (ansible-core's full-jitter backoff by default).
    """

    def __init__(self, client, retries=4, clock=time.monotonic, sleep=time.sleep, jitter=None):
        self.client = client
        self.retries = retries
        self.clock = clock
        self.sleep = sleep
        self.jitter = jitter or _default_jitter
        self._secrets = [getattr(client, "_" + name, None) for name in SECRET_NAMES]
        self._time_lock = threading.Lock()
        self._server_delta = None

    # -- requests

    def get(self, path, action, **query):
        """The answer of GET path (with query parameters); action says what for, in the error message."""
        return self._request("GET", path, action, query=query)

    def write(self, method, path, action, body=None, recheck=None):
        """The answer of a POST, PUT or DELETE.

        When the answer is lost (no answer, or a 5xx), recheck() is called before the write is sent again:
        a value other than None is returned instead, as the change is there. Without recheck a lost write
        is not sent again. A write refused because its change is already made or under way (409 Conflict,
        or 404 on a DELETE) is rechecked too, and the change found there is returned. A busy resource
        raises OvhBusyError.
        """
        method = method.upper()
        if method not in WRITE_METHODS:
            raise ValueError("write() sends POST, PUT or DELETE, not %s" % method)
        return self._request(method, path, action, body=body, recheck=recheck)

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

    def _retry_delays(self):
        """Pause before each retry: half of a doubling step (capped) fixed, half jittered."""
        for index, jittered in enumerate(self.jitter(self.retries)):
            step = min(RETRY_STEP_CAP, 2 ** index)
            yield step / 2.0 + min(max(jittered, 0), step) / 2.0

    def _send(self, method, path, body, query):
        if self._time_fetch_pending():
            # python-ovh fetches the server time on first use, unguarded: one thread fetches it, the others wait.
            with self._time_lock:
                if self._time_fetch_pending():
                    getattr(self.client, "time_delta", None)  # the property fetches the time and keeps it
        if method == "GET":
            return self.client.get(path, **query)
        return self.client.call(method, path, body, True)

    def _time_fetch_pending(self):
        """Whether python-ovh still has to fetch the server time before signing (the write is not yet sent)."""
        return getattr(self.client, "_oauth2", None) is None and getattr(self.client, "_time_delta", 0) is None

    def _request(self, method, path, action, body=None, query=None, recheck=None):
        delays = self._retry_delays()
        attempts = 0
        while True:
            attempts += 1
            time_was_pending = self._time_fetch_pending()
            try:
                return self._send(method, path, body, query or {})
            except _OVH_API_ERROR as exc:
                failure = _Failure(exc)
            # A write that failed in python-ovh's /auth/time request was never sent.
            sent = not (time_was_pending and self._time_fetch_pending())
            lost = method in WRITE_METHODS and sent and failure.retried and failure.status != 429
            if not failure.retried:
                # Two runs racing on one partition: the change the other run made is this write's change.
                if recheck is not None and failure.maybe_done_elsewhere(method):
                    found = self._recheck_quietly(recheck)
                    if found is not None:
                        return found
                raise self._error(action, method, path, failure)
            if lost and recheck is None:
                raise self._error(action, method, path, failure,
                                  note="; the answer was lost, so the change may or may not have been applied, and it was not sent again")
            delay = next(delays, None)
            if delay is None:
                note = "; the change may or may not have been applied" if lost else ""
                raise self._error(action, method, path, failure, attempts=attempts, note=note)
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            self.sleep(min(delay, RETRY_DELAY_CAP))
            if lost:
                found = recheck()
                if found is not None:
                    return found

    @staticmethod
    def _recheck_quietly(recheck):
        """recheck(), or None when it fails: the write's own error then says more than the recheck's."""
        try:
            return recheck()
        except OvhApiError:
            return None

    def _error(self, action, method, path, failure, attempts=None, note=""):
        description = failure.describe(method, path, getattr(self.client, "_endpoint", None))
        if attempts is not None:
            message = "gave up after %d attempts to %s: %s%s" % (attempts, action, description, note)
        else:
            message = "Could not %s: %s%s" % (action, description, note)
        error_class = OvhBusyError if failure.busy else OvhApiError
        error = error_class(message, status=failure.status, query_id=failure.query_id,
                            error_code=failure.error_code, details=failure.details)
        return scrubbed_error(error, self._secrets)

    # -- tasks

    def deadline(self, timeout_seconds):
        return Deadline(timeout_seconds, self.clock)

    def task(self, service_name, task_id):
        return self.get(task_path(service_name, task_id), "read task %s of service %s" % (task_id, service_name))

    def pending_tasks(self, service_name, partition_name=None):
        """The tasks of a service still init, todo or doing (on one partition when given), oldest id first."""
        task_ids = []
        for status in PENDING_STATUSES:
            listed = self.get(task_path(service_name), "list the %s tasks of service %s" % (status, service_name), status=status)
            for task_id in listed or []:
                if task_id not in task_ids:
                    task_ids.append(task_id)
        tasks = []
        for task_id in sorted(task_ids):
            try:
                task = self.task(service_name, task_id)
            except OvhApiError as exc:
                if exc.status == 404:  # finished and purged between the list and the read
                    continue
                raise
            if task.get("status") not in PENDING_STATUSES:
                continue
            if partition_name is None or task.get("partitionName") == partition_name:
                tasks.append(task)
        return tasks

    def wait_tasks(self, service_name, tasks, deadline):
        """The final state of every task, in the same order; raises OvhApiError on a failed task or at the deadline."""
        return self._wait(service_name, tasks, deadline, raise_failures=True)

    def wait_until_idle(self, service_name, partition_name, deadline):
        """Wait for the tasks pending on a partition, whatever their outcome; returns them finished ([] when none)."""
        tasks = self.pending_tasks(service_name, partition_name)
        if not tasks:
            return []
        return self._wait(service_name, tasks, deadline, raise_failures=False)

    def _wait(self, service_name, tasks, deadline, raise_failures):
        """Poll the oldest pending task only; once it is over, read the next ones at once, as they are likely over too."""
        current = [dict(task) for task in tasks]
        pause = TASK_POLL_FIRST
        while True:
            if raise_failures:
                for task in current:
                    if task.get("status") in FAILED_STATUSES:
                        raise self._task_failure(service_name, task)
            pending = [index for index, task in enumerate(current)
                       if task.get("status") in PENDING_STATUSES and task.get("taskId") is not None]
            if not pending:
                return current
            if deadline.expired():
                raise self._task_timeout(deadline, [current[index] for index in pending])
            self.sleep(min(pause, deadline.remaining()))
            pause = min(TASK_POLL_CAP, pause * TASK_POLL_GROWTH)
            for index in pending:
                current[index] = self.task(service_name, current[index]["taskId"])
                if current[index].get("status") in PENDING_STATUSES or (raise_failures and current[index].get("status") in FAILED_STATUSES):
                    break

    def _task_failure(self, service_name, task):
        where = "service %s" % service_name
        if task.get("partitionName"):
            where += " partition %s" % task["partitionName"]
        message = "%s (operation %s) on %s ended with status %s: %s" % (
            _task_label(task), task.get("operation"), where, task.get("status"),
            task.get("details") or "OVHcloud gave no details")
        return scrubbed_error(OvhApiError(message, error_code=task.get("status"), details=dict(task=task)), self._secrets)

    def _task_timeout(self, deadline, pending):
        waited = " and ".join("%s (last status %s)" % (_task_label(task), task.get("status")) for task in pending)
        message = "timed out after %s s waiting for %s; the change may still be applied" % (
            _format_seconds(deadline.timeout), waited)
        return OvhApiError(message, details=dict(tasks=pending))
