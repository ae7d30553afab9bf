"""A small validator for the subset of OpenAPI 3.0 the NAS-HA description uses.

Supported: $ref, allOf, type, properties (no property beyond them unless additionalProperties says so),
required, items, enum, nullable, and the formats date-time, uuid and ipv4.
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import json
import uuid
from pathlib import Path

# The two error shapes of the OVHcloud API.
BUSINESS_ERROR = {
    "type": "object",
    "required": ["class", "message"],
    "properties": {
        "class": {"type": "string"},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": True},
    },
}
AUTH_ERROR = {
    "type": "object",
    "required": ["errorCode", "httpCode", "message"],
    "properties": {"errorCode": {"type": "string"}, "httpCode": {"type": "string"}, "message": {"type": "string"}},
}

_TYPES = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


def _is_date_time(text: str) -> bool:
    """RFC 3339 date-time: a 'T', seconds, and a zone (Z or an offset)."""
    if "T" not in text:
        return False
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return moment.tzinfo is not None


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_ipv4(text: str) -> bool:
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


_FORMATS = {"date-time": _is_date_time, "uuid": _is_uuid, "ipv4": _is_ipv4}


class OpenApi:
    def __init__(self, document: dict):
        self.document = document

    @classmethod
    def load(cls, path: Path) -> "OpenApi":
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            node = self.document
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def errors(self, schema: dict, value, where: str = "$") -> list:
        """Every way ``value`` breaks ``schema``; empty when it fits."""
        if value is None and schema.get("nullable"):
            return []
        if "$ref" in schema:
            return self.errors(self.resolve(schema), value, where)
        problems = []
        for part in schema.get("allOf", []):
            problems += self.errors(part, value, where)
        kind = schema.get("type")
        if kind is not None and not _TYPES[kind](value):
            return problems + [f"{where}: {value!r} is not of type {kind}"]
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{where}: {value!r} is not one of {schema['enum']}")
        check = _FORMATS.get(schema.get("format"))
        if check and isinstance(value, str) and not check(value):
            problems.append(f"{where}: {value!r} is not a {schema['format']}")
        if kind == "object" or (kind is None and "properties" in schema and isinstance(value, dict)):
            problems += self._object_errors(schema, value, where)
        if kind == "array" and "items" in schema:
            for index, item in enumerate(value):
                problems += self.errors(schema["items"], item, f"{where}[{index}]")
        return problems

    def _object_errors(self, schema: dict, value: dict, where: str) -> list:
        problems = []
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                problems.append(f"{where}: missing required property {name!r}")
        extra = schema.get("additionalProperties", False)
        for name, item in value.items():
            if name in properties:
                problems += self.errors(properties[name], item, f"{where}.{name}")
            elif extra is False:
                problems.append(f"{where}: unexpected property {name!r}")
            elif isinstance(extra, dict):
                problems += self.errors(extra, item, f"{where}.{name}")
        return problems

    def operation(self, method: str, path: str):
        """(template, operation) of the route a concrete path (relative to /1.0, no query) belongs to."""
        segments = path.strip("/").split("/")
        best = None
        for template, item in self.document["paths"].items():
            operation = item.get(method.lower())
            parts = template.strip("/").split("/")
            if operation is None or len(parts) != len(segments):
                continue
            if all(p.startswith("{") or p == s for p, s in zip(parts, segments)):
                literal = sum(not p.startswith("{") for p in parts)
                if best is None or literal > best[0]:
                    best = (literal, template, operation)
        return (best[1], best[2]) if best else (None, None)

    @staticmethod
    def response_schema(operation: dict, status: int):
        response = operation["responses"].get(str(status)) or operation["responses"].get("default")
        if response is None:
            return None
        return response.get("content", {}).get("application/json", {}).get("schema")

    @staticmethod
    def request_schema(operation: dict):
        body = operation.get("requestBody")
        return body["content"]["application/json"]["schema"] if body else None

    @staticmethod
    def parameters(operation: dict, location: str) -> dict:
        return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == location}
