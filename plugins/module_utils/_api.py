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

import contextlib
import datetime
import email.utils
import hashlib
import ipaddress
import re
import json
import socket
import ssl
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


class OvhConnectionError(OvhApiError):
    """A failure that is not about the service or partition asked for, so every other request would fail the same way.

    The endpoint cannot be reached or did not answer in time, its TLS connection failed, it redirected, or it
    refused the credentials. Once one is raised, the OvhApi raises it again for every later request without
    sending it: loops over partitions let it end the whole run with this one message.
    """


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


def without_userinfo(url):
    """url without the user name and password it may hold (user:password@host), for messages."""
    if not isinstance(url, str):
        return url
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)?([^/?#]*)(.*)$", url, re.S)
    scheme, authority, rest = match.groups()
    if "@" not in authority:
        return url
    return "%s%s%s" % (scheme or "", authority.rpartition("@")[2], rest)


def userinfo_values(url):
    """The user:password part of a URL and its password, to hide wherever the URL could be shown ([] when none)."""
    shown = without_userinfo(url)
    if shown == url:
        return []
    authority = re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?([^/?#]*)", url).group(1)
    userinfo = authority.rpartition("@")[0]
    return [value for value in (userinfo, userinfo.partition(":")[2]) if value]


def endpoint_url_problem(url):
    """Why `url` cannot be an API endpoint, or None when it can; no message repeats a user name or password."""
    shown = without_userinfo(url)
    if shown != url:
        return "endpoint %s must not hold a user name or password" % shown
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return "endpoint %s is not a valid URL (%s)" % (url, exc)
    del port  # only parsed to validate it
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "endpoint %s is not an http:// or https:// URL with a host name" % url
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
                          "ending in /1.0" % (without_userinfo(endpoint), ", ".join(known)))

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


def account_fingerprint(params):
    """What tells the account of connection params apart, without a secret in clear: the endpoint, the application
    key or OAuth2 client id (not secrets), and a SHA-256 of the consumer key; values not given are looked up where
    python-ovh looks (OVH_* variables, ovh.conf). Checks nothing and sends no request."""
    endpoint = _blank_to_none(params.get("endpoint"))
    configuration = ovh.config.ConfigurationManager() if ovh is not None else None
    if endpoint is None and configuration is not None:
        endpoint = _blank_to_none(configuration.get("default", "endpoint"))
    values = {}
    for name in ("application_key", "client_id", "consumer_key"):
        value = _blank_to_none(params.get(name))
        if value is None and configuration is not None and endpoint is not None:
            value = _blank_to_none(configuration.get(endpoint.strip(), name))
        values[name] = value
    consumer_key = values.pop("consumer_key")
    return dict(endpoint=endpoint, consumer_key_sha256=hashlib.sha256(consumer_key.encode("utf-8")).hexdigest() if consumer_key else None,
                **values)


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


# ------------------------------------------------------------------ transport

class TransportError(_RequestException):
    """A request the transport ended itself; python-ovh passes it on inside its HTTPError, as any requests error."""

    def __init__(self, message, response=None, status=None):
        super().__init__(message, response=response)
        self.status = status


class TotalTimeout(TransportError):
    """No complete answer within the request's time bound."""

    def __init__(self, seconds):
        super().__init__("no complete answer within %s s" % _format_seconds(seconds))
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
    max_in_flight: at most that many requests under way at once through this transport (None: no bound); a request
    waiting for its turn has not started, so its time bound starts once it goes.
    """

    def __init__(self, pool_maxsize=10, headers=None, max_in_flight=None):
        super().__init__(pool_maxsize=max(pool_maxsize, max_in_flight or 0))
        self.pool_maxsize = pool_maxsize
        self.headers = dict(headers or {})
        self.max_in_flight = max_in_flight
        self._turns = threading.BoundedSemaphore(max_in_flight) if max_in_flight else contextlib.nullcontext()

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        request.headers.update(getattr(_REQUEST_CONTEXT, "headers", None) or {})
        with self._turns:
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


# What OVHcloud's control panel asks a list route for its objects with, in one page as large as it asks for.
EXPANDED_LIST_HEADERS = {"X-Pagination-Mode": "CachedObjectList-Pages", "X-Pagination-Size": "50000"}
# Headers of the requests one thread sends inside expanded_list_request() (see there).
_REQUEST_CONTEXT = threading.local()


@contextlib.contextmanager
def expanded_list_request(headers):
    """Inside the block, this thread's requests carry `headers` (those asking a list for its objects, see
    _fleet.EXPANDED_HEADERS) and OvhApi accepts objects in a list answer. python-ovh signs no header, so
    adding one at the transport changes no signature; the other threads' requests are left as they are."""
    previous = getattr(_REQUEST_CONTEXT, "headers", None)
    _REQUEST_CONTEXT.headers = dict(previous or {}, **headers)
    try:
        yield
    finally:
        _REQUEST_CONTEXT.headers = previous


def install_transport(client, pool_maxsize=None, headers=None, max_in_flight=None):
    """Mount a BoundedTransport on the requests sessions of a python-ovh client that has them.

    With pool_maxsize or headers, the transports already mounted are replaced by ones with these settings. Without,
    a session that has none yet (python-ovh makes its OAuth2 session on first use) gets the settings of the
    transport on the client's main session, so that every session of a client behaves alike.
    """
    if ovh is None:
        return
    main = getattr(client, "_session", None)
    oauth2 = getattr(client, "_oauth2", None)
    sessions = [main, getattr(oauth2, "_session", None) if oauth2 is not None else None]
    sessions = [session for session in sessions if isinstance(session, requests.Session)]
    replace = pool_maxsize is not None or headers is not None or max_in_flight is not None
    if not replace and isinstance(main, requests.Session) and isinstance(main.get_adapter("https://"), BoundedTransport):
        model = main.get_adapter("https://")
        pool_maxsize, headers, max_in_flight = model.pool_maxsize, model.headers, model.max_in_flight
    for session in sessions:
        if replace or not isinstance(session.get_adapter("https://"), BoundedTransport):
            transport = BoundedTransport(pool_maxsize=pool_maxsize or 10, headers=headers, max_in_flight=max_in_flight)
            session.headers.update(transport.headers)
            session.mount("https://", transport)
            session.mount("http://", transport)
            session.max_redirects = 0


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
    install_transport(client)
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
                "a body that is not JSON (%s)" % _exception_text(self.exc))
        elif self.kind == "tls":
            text = ("the TLS connection to the OVHcloud API%s failed (%s), which is not retried: check that the endpoint "
                    "speaks https (an https:// URL to a plain http server fails so) and that its certificate is valid and "
                    "trusted" % (where, _exception_text(self.cause)))
        elif self.kind == "timeout":
            within = "within %s s (api_timeout)" % _format_seconds(timeout) if timeout else "in time"
            text = "the OVHcloud API could not be reached%s: it did not answer %s" % (where, within)
        elif self.network:
            text = "the OVHcloud API could not be reached%s (%s)" % (where, _exception_text(self.cause or self.exc))
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


def _format_seconds(seconds):
    return "%d" % seconds if float(seconds).is_integer() else "%g" % seconds


# ------------------------------------------------------------------ the API

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


def task_path(service_name, task_id=None):
    path = "/dedicated/nasha/%s/task" % service_name
    return path if task_id is None else "%s/%s" % (path, task_id)


def _task_label(task):
    return "task %s" % task.get("taskId")


class OvhApi:
    """Requests with retries and clear errors, and waiting for NAS-HA tasks, over one python-ovh client.

    clock and sleep are injectable so that waits are testable without real time passing; jitter(count)
    gives `count` jittered values for the retry pauses (ansible-core's full-jitter backoff by default).
    expanded_lists: the client asks lists for their objects (see _fleet.request_expanded_lists), so a list answer
    may hold objects beside names; their content is for the caller to check.
    """

    def __init__(self, client, retries=4, clock=time.monotonic, sleep=time.sleep, jitter=None, expanded_lists=False):
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
        self._first_lock = threading.RLock()  # re-entrant: a lost write's recheck reads within its request
        self._first_done = False

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

    def _request(self, method, path, action, body=None, query=None, recheck=None):
        self._raise_fatal()
        if not self._first_done:
            with self._first_lock:
                self._raise_fatal()
                if not self._first_done:
                    try:
                        return self._attempts(method, path, action, body, query, recheck)
                    finally:
                        self._first_done = True
        return self._attempts(method, path, action, body, query, recheck)

    def _attempts(self, method, path, action, body, query, recheck):
        """One request, sent again as long as its failure may be retried."""
        delays = self._retry_delays()
        attempts = 0
        while True:
            attempts += 1
            time_was_pending = self._time_fetch_pending()
            try:
                answer = self._send(method, path, body, query or {})
            except _OVH_API_ERROR as exc:
                failure = _Failure(exc)
            else:
                self._answered = True
                return self._checked_answer(method, path, action, answer)
            # A write that failed in python-ovh's /auth/time request was never sent.
            sent = not (time_was_pending and self._time_fetch_pending())
            if failure.status is not None or (time_was_pending and not self._time_fetch_pending()):
                self._answered = True
            if failure.kind == "timeout" and not self._answered:
                # An endpoint that has not answered once is unlikely to answer the next time: fail now, once.
                raise self._error(action, method, path, failure, run_level=True,
                                  note="; it has not answered any request of this run, so none is sent again")
            lost = method in WRITE_METHODS and sent and failure.retried and failure.status != 429
            if not failure.retried:
                # Two runs racing on one partition: the change the other run made is this write's change.
                if recheck is not None and failure.maybe_done_elsewhere(method):
                    found = self._recheck_quietly(recheck)
                    if found is not None:
                        return found
                # An unreadable answer to a write that OVHcloud accepted: the change may be made.
                note = ("; the change may or may not have been applied" if sent and method in WRITE_METHODS
                        and failure.kind == "malformed" and 200 <= (failure.status or 0) < 300 else "")
                # A failure of the /auth/time request is about the endpoint, whatever the request was for.
                raise self._error(action, method, path, failure, note=note, run_level=not sent)
            if lost and recheck is None:
                raise self._error(action, method, path, failure,
                                  note="; the answer was lost, so the change may or may not have been applied, and it was not sent again")
            delay = next(delays, None)
            if delay is None:
                note = "; the change may or may not have been applied" if lost else ""
                raise self._error(action, method, path, failure, attempts=attempts, note=note,
                                  run_level=failure.network or not sent)
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
            error_class = OvhBusyError if failure.busy else OvhApiError
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

    # -- tasks

    def deadline(self, timeout_seconds):
        return Deadline(timeout_seconds, self.clock)

    def task(self, service_name, task_id):
        return self.get(task_path(service_name, task_id), "read task %s of service %s" % (task_id, service_name))

    def pending_tasks(self, service_name, partition_name=None):
        """The tasks of a service still init, todo or doing (on one partition when given), oldest id first."""
        task_ids = []
        listed_tasks = {}
        for status in PENDING_STATUSES:
            # Expanded where the API honours it: the tasks themselves in one answer, none read on its own.
            with expanded_list_request(EXPANDED_LIST_HEADERS):
                listed = self.get(task_path(service_name), "list the %s tasks of service %s" % (status, service_name), status=status)
            for item in listed or []:
                if isinstance(item, dict):
                    if item.get("taskId") is None:
                        raise OvhApiError("The API listed a task of service %s without its taskId: %r" % (service_name, item))
                    listed_tasks[item["taskId"]] = item
                    item = item["taskId"]
                if item not in task_ids:
                    task_ids.append(item)
        tasks = []
        for task_id in sorted(task_ids):
            task = listed_tasks.get(task_id)
            try:
                task = task if task is not None else self.task(service_name, task_id)
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
