# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection settings and credentials: the endpoint checked, the credentials resolved as python-ovh resolves
them (options, OVH_* variables, ovh.conf) and checked before any request, and the python-ovh client built."""
from __future__ import annotations

import hashlib
import ipaddress
import re
from urllib.parse import urlsplit

try:
    import ovh
    import ovh.client
    import ovh.config
    import ovh.exceptions
except ImportError:  # reported by the module base with missing_required_lib
    ovh = None

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import (
    CREDENTIAL_NAMES,
    SECRET_NAMES,
    OvhApiError,
    exception_text,
    scrub,
    without_userinfo,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._option_limits import API_RETRIES_DEFAULT, API_TIMEOUT_DEFAULT, limits_problem
from ansible_collections.snapkeep.nasha.plugins.module_utils._request_rate import RequestRate
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import OVH_IMPORT_ERROR, install_transport


def _is_loopback(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    timeout = API_TIMEOUT_DEFAULT if timeout is None else timeout
    retries = API_RETRIES_DEFAULT if retries is None else retries
    rate = params.get("max_requests_per_second")
    problem = limits_problem(dict(api_timeout=timeout, api_retries=retries, max_requests_per_second=rate))
    if problem:
        raise OvhApiError(problem)

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

    settings = dict(endpoint=endpoint, timeout=timeout, retries=retries, max_requests_per_second=rate)
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
        raise OvhApiError(scrub("The OVHcloud connection settings are not valid: %s" % exception_text(exc), secrets)) from None
    # What python-ovh actually resolved decides (its lookup could differ from the one above).
    actual = dict((name, _blank_to_none(getattr(client, "_" + name, resolved[name]))) for name in CREDENTIAL_NAMES)
    problem = credentials_problem(actual, settings["endpoint"])
    if problem:
        raise OvhApiError(scrub(problem, secrets + [actual[name] for name in SECRET_NAMES]))
    rate = settings["max_requests_per_second"]
    install_transport(client, rate=RequestRate(rate) if rate else None)
    return client
