"""OVHcloud application-key signatures, access rules and the per-consumer-key rate limit."""
from __future__ import annotations

import hashlib
import hmac
import math
import re

from .errors import auth_error, business_error

HEADER_APPLICATION = "X-Ovh-Application"
HEADER_CONSUMER = "X-Ovh-Consumer"
HEADER_TIMESTAMP = "X-Ovh-Timestamp"
HEADER_SIGNATURE = "X-Ovh-Signature"


def signature(application_secret: str, consumer_key: str, method: str, url: str, body: str, timestamp: str) -> str:
    """'$1$' + sha1 of the '+'-joined fields, as python-ovh computes it."""
    text = "+".join([application_secret, consumer_key, method.upper(), url, body, timestamp])
    return "$1$" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def _rule_pattern(path: str) -> re.Pattern:
    return re.compile(".*".join(re.escape(piece) for piece in path.split("*")))


def rule_allows(rule: dict, method: str, path: str) -> bool:
    """An access rule: exact method (or '*'), path with '*' matching any run of characters, '/' included."""
    return rule["method"] in (method, "*") and _rule_pattern(rule["path"]).fullmatch(path) is not None


def authenticate(state, headers, method: str, url: str, path: str, body: str, server_time: int, window: int) -> str:
    """The consumer key of a correctly signed and granted request; raises ApiError otherwise.

    ``path`` is relative to /1.0 and has no query string; ``url`` is the full URL as sent.
    """
    values = {name: headers.get(name) for name in (HEADER_APPLICATION, HEADER_CONSUMER, HEADER_TIMESTAMP, HEADER_SIGNATURE)}
    if not all(values.values()):
        raise auth_error(401, "NOT_AUTHENTICATED", "You must login first")
    application = state.application(values[HEADER_APPLICATION])
    if application is None:
        raise auth_error(403, "INVALID_KEY", "This application key is invalid")
    try:
        timestamp = int(values[HEADER_TIMESTAMP])
    except ValueError:
        raise auth_error(400, "INVALID_SIGNATURE", "Invalid signature") from None
    if abs(timestamp - server_time) > window:
        raise auth_error(400, "QUERY_TIME_OUT", "Query out of time")
    consumer = next((c for c in application["consumer_keys"] if c["consumer_key"] == values[HEADER_CONSUMER]), None)
    if consumer is None:
        raise auth_error(403, "INVALID_CREDENTIAL", "This credential is not valid")
    expected = signature(application["application_secret"], consumer["consumer_key"], method, url, body,
                         values[HEADER_TIMESTAMP])
    if not hmac.compare_digest(expected, values[HEADER_SIGNATURE]):
        raise auth_error(400, "INVALID_SIGNATURE", "Invalid signature")
    if consumer["status"] != "validated":
        raise auth_error(403, "NOT_CREDENTIAL", f"This credential is not validated (status: {consumer['status']})")
    if not any(rule_allows(rule, method, path) for rule in consumer["rules"]):
        raise auth_error(403, "NOT_GRANTED_CALL", "This call has not been granted")
    return consumer["consumer_key"]


class RateLimiter:
    """Per consumer key, a bucket of up to limit + 1 requests that refills at ``limit`` requests a second.

    A client may send a burst of one second's worth of requests plus one, then ``limit`` a second; a request that
    finds the bucket empty is refused with 429 and a Retry-After of the whole seconds until it holds one again.
    The one beyond a second's worth lets a client paced exactly at the limit through when the network brings two
    of its requests a little closer than it sent them.
    """

    def __init__(self):
        self._buckets = {}  # consumer key -> (requests left, when counted)

    def clear(self) -> None:
        self._buckets.clear()

    def check(self, key: str, now: float, limit) -> None:
        """Count one request, or raise a 429 with Retry-After when ``key`` is over ``limit`` requests a second."""
        if limit is None:
            return
        capacity = float(limit) + 1.0
        left, counted = self._buckets.get(key, (capacity, now))
        left = min(capacity, left + max(0.0, now - counted) * limit)
        if left < 1.0:
            self._buckets[key] = (left, now)
            wait = max(1, math.ceil((1.0 - left) / limit))
            raise business_error(429, "Client::TooManyRequests", "Too many requests, retry later",
                                 headers={"Retry-After": str(wait)})
        self._buckets[key] = (left - 1.0, now)
