# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils._access import (
    Declared,
    access_entry_path,
    blocks_to_read,
    declared_entries,
    ip_block,
    plan_access,
)


@pytest.mark.parametrize("given,expected", [
    ("203.0.113.4", "203.0.113.4/32"),
    (" 203.0.113.4/32 ", "203.0.113.4/32"),
    ("198.51.100.0/24", "198.51.100.0/24"),
    ("2001:db8::1", "2001:db8::1/128"),
    ("2001:DB8::/32", "2001:db8::/32"),
])
def test_ip_block(given, expected):
    assert ip_block(given) == expected


def test_ip_block_refusals_say_why():
    with pytest.raises(ValueError, match="host bits are set .the block is 198.51.100.0/24"):
        ip_block("198.51.100.7/24")
    with pytest.raises(ValueError, match="not an IP address or CIDR block"):
        ip_block("host.example")
    with pytest.raises(ValueError, match="not an IP address"):
        ip_block(None)


def test_entry_path_encodes_the_slash():
    assert access_entry_path("/dedicated/nasha/z/partition/p", "10.0.0.0/24") == "/dedicated/nasha/z/partition/p/access/10.0.0.0%2F24"


def test_declared_entries_normalise_and_refuse_repeats():
    assert declared_entries([dict(ip="203.0.113.4", type=None, description="x")]) == [Declared("203.0.113.4/32", None, "x")]
    with pytest.raises(ValueError, match="declared twice"):
        declared_entries([dict(ip="203.0.113.4"), dict(ip="203.0.113.4/32")])
    with pytest.raises(ValueError, match="type of 203.0.113.4/32"):
        declared_entries([dict(ip="203.0.113.4", type="admin")])


RO = dict(type="readonly", description="restore")
RW = dict(type="readwrite", description=None)


def test_present_adds_a_missing_block_with_the_default_type():
    plan = plan_access({}, [Declared("203.0.113.4/32", None, None)])
    assert plan.to_add == [dict(ip="203.0.113.4/32", type="readwrite", description=None)]
    assert plan.to_remove == [] and plan.changed
    assert plan.after == [dict(ip="203.0.113.4/32", type="readwrite", description=None)]


def test_present_is_idempotent_and_compares_only_what_is_declared():
    current = {"203.0.113.4/32": RO}
    assert not plan_access(current, [Declared("203.0.113.4/32", None, None)]).changed
    assert not plan_access(current, [Declared("203.0.113.4/32", "readonly", "restore")]).changed


def test_a_different_type_or_description_replaces_the_block():
    current = {"203.0.113.4/32": RO}
    plan = plan_access(current, [Declared("203.0.113.4/32", "readwrite", None)])
    assert plan.to_remove == ["203.0.113.4/32"] and plan.replaced == ["203.0.113.4/32"]
    assert plan.to_add == [dict(ip="203.0.113.4/32", type="readwrite", description="restore")]
    plan = plan_access(current, [Declared("203.0.113.4/32", None, "other")])
    assert plan.to_add == [dict(ip="203.0.113.4/32", type="readonly", description="other")]


def test_absent_removes_only_declared_blocks_that_exist():
    current = {"203.0.113.4/32": RO, "198.51.100.0/24": None}
    plan = plan_access(current, [Declared("203.0.113.4/32", None, None), Declared("192.0.2.1/32", None, None)], "absent")
    assert plan.to_remove == ["203.0.113.4/32"] and plan.to_add == []
    assert [entry["ip"] for entry in plan.after] == ["198.51.100.0/24"]


def test_purge_keeps_exactly_the_declared_list_sorted():
    current = {"203.0.113.4/32": RO, "198.51.100.0/24": RW, "2001:db8::/32": RW}
    plan = plan_access(current, [Declared("203.0.113.4/32", "readonly", None), Declared("10.0.0.0/8", None, None)], purge=True)
    assert plan.to_remove == ["198.51.100.0/24", "2001:db8::/32"]
    assert plan.to_add == [dict(ip="10.0.0.0/8", type="readwrite", description=None)]
    assert [entry["ip"] for entry in plan.after] == ["10.0.0.0/8", "203.0.113.4/32"]
    assert [entry["ip"] for entry in plan.before] == ["198.51.100.0/24", "203.0.113.4/32", "2001:db8::/32"]


def test_purge_of_an_exact_list_changes_nothing():
    current = {"203.0.113.4/32": RO}
    assert not plan_access(current, [Declared("203.0.113.4/32", "readonly", "restore")], purge=True).changed


def test_blocks_to_read():
    declared = [Declared("203.0.113.4/32", None, None), Declared("10.0.0.0/8", None, None)]
    listed = {"203.0.113.4/32": "203.0.113.4/32", "192.0.2.0/24": "192.0.2.0/24"}
    assert blocks_to_read(listed, declared, "present") == ["203.0.113.4/32"]
    assert blocks_to_read(listed, declared, "present", purge=True) == ["192.0.2.0/24", "203.0.113.4/32"]
    assert blocks_to_read(listed, declared, "absent") == []
