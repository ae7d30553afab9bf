"""Error answers in the two shapes the OVHcloud API uses.

Business errors: ``{"class": "Client::NotFound", "message": "...", "details": {...}}``.
Authentication errors: ``{"errorCode": "INVALID_SIGNATURE", "httpCode": "400 Bad Request", "message": "..."}``.
"""
from __future__ import annotations

from http import HTTPStatus


class ApiError(Exception):
    """An answer other than 2xx, raised anywhere below the HTTP handler."""

    def __init__(self, status: int, body: dict, headers: dict | None = None):
        super().__init__(body.get("message", ""))
        self.status = status
        self.body = body
        self.headers = headers or {}


def business_error(status: int, error_class: str, message: str, details: dict | None = None,
                   headers: dict | None = None) -> ApiError:
    body = {"class": error_class, "message": message}
    if details:
        body["details"] = details
    return ApiError(status, body, headers)


def auth_error(status: int, error_code: str, message: str) -> ApiError:
    http_code = f"{status} {HTTPStatus(status).phrase}"
    return ApiError(status, {"errorCode": error_code, "httpCode": http_code, "message": message})


def not_found(message: str) -> ApiError:
    return business_error(404, "Client::NotFound", message)


def bad_request(message: str) -> ApiError:
    return business_error(400, "Client::BadRequest", message)


def conflict(message: str) -> ApiError:
    return business_error(409, "Client::Conflict", message)


def resource_busy(message: str, details: dict | None = None) -> ApiError:
    return business_error(409, "Client::Conflict::ResourceBusy", message, details)


INVALID_URL_MESSAGE = "Got an invalid (or empty) URL"

# Classes of the answers a fault rule or the rate limit produces.
SERVER_ERROR_CLASSES = {
    429: ("Client::TooManyRequests", "Too many requests"),
    500: ("Server::InternalServerError", "Internal server error"),
    502: ("Server::BadGateway", "Bad gateway"),
    503: ("Server::ServiceUnavailable", "Service temporarily unavailable"),
    504: ("Server::GatewayTimeout", "Gateway timeout"),
}


def injected_error(status: int, retry_after: float | None) -> ApiError:
    error_class, message = SERVER_ERROR_CLASSES[status]
    headers = {"Retry-After": str(int(retry_after))} if retry_after is not None else None
    return business_error(status, error_class, message, headers=headers)
