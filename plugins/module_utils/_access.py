# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which IPs may mount a NAS-HA partition: IP blocks, routes and the plan (pure functions, no HTTP)."""
from __future__ import annotations

import ipaddress
import typing
from urllib.parse import quote

ACCESS_TYPES = ("readonly", "readwrite")
DEFAULT_ACCESS_TYPE = "readwrite"
OPERATION_ACCESS = "clusterLeclercAclUpdate"


def ip_block(value):
    """An IP or CIDR block as OVHcloud lists it (always with its prefix length); ValueError says why not."""
    text = str(value or "").strip()
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError as exc:
        if "has host bits set" in str(exc):
            network = ipaddress.ip_network(text, strict=False)
            raise ValueError("%s is not a block: its host bits are set (the block is %s)" % (text, network)) from None
        raise ValueError("%r is not an IP address or CIDR block" % text) from None


def access_path(partition_path):
    return "%s/access" % partition_path


def access_entry_path(partition_path, block):
    # The block's "/" travels URL-encoded (%2F), as the route's single path segment.
    return "%s/access/%s" % (partition_path, quote(block, safe=""))


class Declared(typing.NamedTuple):
    ip: str
    type: typing.Optional[str]
    description: typing.Optional[str]


def declared_entries(entries):
    """Declared(...) for each {ip, type, description}; ValueError on a bad or repeated block."""
    result = []
    seen = set()
    for entry in entries:
        block = ip_block(entry.get("ip"))
        if block in seen:
            raise ValueError("%s is declared twice" % block)
        seen.add(block)
        access_type = entry.get("type")
        if access_type is not None and access_type not in ACCESS_TYPES:
            raise ValueError("type of %s must be one of %s, not %s" % (block, ", ".join(ACCESS_TYPES), access_type))
        result.append(Declared(block, access_type, entry.get("description")))
    return result


class AccessPlan(typing.NamedTuple):
    before: list  # [{ip, type, description}] as listed, sorted by ip
    after: list
    to_add: list  # [{ip, type, description}]
    to_remove: list  # [ip]
    replaced: list  # [ip]: removed then added again, as OVHcloud cannot change an entry

    @property
    def changed(self):
        return bool(self.to_add or self.to_remove)


def _sorted(entries):
    return sorted(entries, key=lambda entry: (ipaddress.ip_network(entry["ip"]).version, ipaddress.ip_network(entry["ip"])))


def plan_access(current, declared, state="present", purge=False):
    """The plan from current {ip: {type, description}} (every listed block; details may be None when not read)
    to the declared entries.

    present: each declared block exists with its type and description (each compared only when declared);
    absent: no declared block exists; purge (with present): no other block exists.
    """
    after = dict((ip, dict(details or {})) for ip, details in current.items())
    to_add, to_remove, replaced = [], [], []
    declared_ips = set(entry.ip for entry in declared)
    if state == "absent":
        for entry in declared:
            if entry.ip in after:
                to_remove.append(entry.ip)
                del after[entry.ip]
    else:
        for entry in declared:
            existing = after.get(entry.ip)
            wanted = dict(type=entry.type or (existing or {}).get("type") or DEFAULT_ACCESS_TYPE,
                          description=entry.description if entry.description is not None else (existing or {}).get("description"))
            if existing is not None:
                if existing.get("type") == wanted["type"] and existing.get("description") == wanted["description"]:
                    continue
                to_remove.append(entry.ip)
                replaced.append(entry.ip)
            to_add.append(dict(ip=entry.ip, **wanted))
            after[entry.ip] = wanted
        if purge:
            for ip in sorted(set(after) - declared_ips):
                to_remove.append(ip)
                del after[ip]
    return AccessPlan(_as_list(current), _as_list(after), to_add, to_remove, replaced)


def _as_list(mapping):
    return _sorted([dict(ip=ip, type=(details or {}).get("type"), description=(details or {}).get("description"))
                    for ip, details in mapping.items()])


def blocks_to_read(current_blocks, declared, state, purge=False):
    """The listed blocks whose details the plan and the report need: the declared ones present (to compare type
    and description), and with purge every listed one (the whole list is reported)."""
    if state == "absent":
        return []
    if purge:
        return sorted(current_blocks)
    return [entry.ip for entry in declared if entry.ip in current_blocks]
