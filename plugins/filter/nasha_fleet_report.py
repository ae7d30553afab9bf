# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The filter behind playbooks/nasha_snapshot_report.yml: what was read per service, shaped for the report's templates."""
from __future__ import annotations

import datetime

from ansible.errors import AnsibleFilterError

from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import sort_snapshot_types


def _instant(text):
    """An ISO 8601 date or date-time as an aware UTC datetime (a date alone is 00:00 UTC, no zone is UTC); None if not one."""
    if not isinstance(text, str) or not text.strip():
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.datetime.combine(datetime.date.fromisoformat(value), datetime.time())
        except ValueError:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _now(value):
    if value is None:
        return datetime.datetime.now(datetime.timezone.utc)
    moment = _instant(value) if isinstance(value, str) else value
    if not isinstance(moment, datetime.datetime):
        raise AnsibleFilterError("nasha_fleet_report: now must be an ISO 8601 date-time, not %r" % (value,))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def _custom(snapshot, now, expiring_days):
    moment = _instant(snapshot.get("expiration"))
    entry = {"name": snapshot.get("name"), "expiration": snapshot.get("expiration"), "days_left": None,
             "expiring": False, "expired": False}
    if snapshot.get("expiration") and moment is None:
        entry["unparsed"] = True
    if moment is not None:
        days = (moment - now).total_seconds() / 86400.0
        entry["expiration"] = moment.strftime("%Y-%m-%d %H:%M UTC")
        entry["days_left"] = round(days, 1)
        entry["expired"] = days < 0
        entry["expiring"] = 0 <= days <= expiring_days
    return entry


def _drift(planned):
    """What a run of the policy would change on one partition (from nasha_snapshot_plan), or None without a plan."""
    if planned is None:
        return None
    drift = {
        "add": list(planned.get("add") or []),
        "remove": list(planned.get("remove") or []),
        "create": [item.get("name") if isinstance(item, dict) else item for item in planned.get("create") or []],
        "delete": list(planned.get("delete") or []),
        "mismatches": [item.get("name") for item in planned.get("expiration_mismatches") or []],
        "errors": list(planned.get("errors") or []),
    }
    drift["in_sync"] = not any(drift[key] for key in ("add", "remove", "create", "delete", "errors"))
    return drift


def _ordered_types(types):
    return sort_snapshot_types(types)


def _service(entry, now, expiring_days):
    details = dict((p.get("name"), p) for p in entry.get("partitions_details") or [] if isinstance(p, dict))
    read = entry.get("snapshots") or {}
    plan = entry.get("plan")
    planned = dict((p.get("partition_name"), p) for p in (plan or {}).get("partitions") or [])
    names = sorted(set(p.get("partition_name") for p in read.get("partitions") or []) | set(details))
    snapshots = dict((p.get("partition_name"), p) for p in read.get("partitions") or [])
    partitions = []
    for name in names:
        detail = details.get(name, {})
        state = snapshots.get(name, {})
        customs = [_custom(s, now, expiring_days) for s in state.get("custom_snapshots") or []]
        partitions.append({
            "name": name,
            "protocol": detail.get("protocol"),
            "size": detail.get("size"),
            "used_by_snapshots": detail.get("used_by_snapshots"),
            "snapshot_types": _ordered_types(state.get("snapshot_types")),
            "custom_snapshots": sorted(customs, key=lambda item: item["name"] or ""),
            "drift": _drift(planned.get(name)) if plan is not None else None,
            "managed": name in planned,
        })
    return {
        "service_name": entry.get("service_name"),
        "custom_name": entry.get("custom_name"),
        "datacenter": entry.get("datacenter"),
        "disk_type": entry.get("disk_type"),
        "ip": entry.get("ip"),
        "error": entry.get("error"),
        "policy_declared": plan is not None,
        "partitions": partitions,
    }


def nasha_fleet_report(entries, expiring_days=7, now=None):
    """The report: services sorted by name, each partition with its schedule, custom snapshots and drift, and totals."""
    if not isinstance(entries, list):
        raise AnsibleFilterError("nasha_fleet_report: expects a list of services, not %s" % type(entries).__name__)
    try:
        expiring_days = float(expiring_days)
    except (TypeError, ValueError):
        raise AnsibleFilterError("nasha_fleet_report: expiring_days must be a number, not %r" % (expiring_days,)) from None
    moment = _now(now)
    services = sorted((_service(dict(e), moment, expiring_days) for e in entries),
                      key=lambda service: service["service_name"] or "")
    partitions = [p for s in services for p in s["partitions"]]
    customs = [c for p in partitions for c in p["custom_snapshots"]]
    return {
        "generated_at": moment.strftime("%Y-%m-%d %H:%M UTC"),
        "expiring_days": int(expiring_days) if expiring_days.is_integer() else expiring_days,
        "services": services,
        "totals": {
            "services": len(services),
            "unreadable_services": sum(1 for s in services if s["error"]),
            "partitions": len(partitions),
            "custom_snapshots": len(customs),
            "expiring": sum(1 for c in customs if c["expiring"]),
            "drifting_partitions": sum(1 for p in partitions if p["drift"] is not None and not p["drift"]["in_sync"]),
            "services_with_policy": sum(1 for s in services if s["policy_declared"]),
        },
    }


class FilterModule:
    def filters(self):
        return {"nasha_fleet_report": nasha_fleet_report}
