# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors of API requests and waits, and the secrets kept out of every message.

An OvhApiError's message is a complete sentence for a person; scrub() masks credentials wherever a message
could repeat them."""
from __future__ import annotations

import re

SECRET_MASK = "********"

CREDENTIAL_NAMES = ("application_key", "application_secret", "consumer_key", "client_id", "client_secret")

SECRET_NAMES = ("application_secret", "consumer_key", "client_secret")


# Shorter values would blank out ordinary words; real keys and secrets are far longer.
_MIN_SCRUBBED_LENGTH = 4


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


class OvhConnectionError(OvhApiError):
    """A failure that is not about the service or partition asked for, so every other request would fail the same way.

    The endpoint cannot be reached or did not answer in time, its TLS connection failed, it redirected, or it
    refused the credentials. Once one is raised, the OvhApi raises it again for every later request without
    sending it: loops over partitions let it end the whole run with this one message.
    """


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


def without_userinfo(url):
    """url without the user name and password it may hold (user:password@host), for messages."""
    if not isinstance(url, str):
        return url
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)?([^/?#]*)(.*)$", url, re.S)
    scheme, authority, rest = match.groups()
    if "@" not in authority:
        return url
    return "%s%s%s" % (scheme or "", authority.rpartition("@")[2], rest)


def exception_text(exc):
    """The text of an exception without python-ovh's query id suffix."""
    parts = [str(arg) for arg in getattr(exc, "args", ()) if arg not in (None, "")]
    return ": ".join(parts) if parts else type(exc).__name__


def format_seconds(seconds):
    return "%d" % seconds if float(seconds).is_integer() else "%g" % seconds
