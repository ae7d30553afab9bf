"""The NAS-HA services, partitions, schedules, custom snapshots and tasks, and the rules that change them.

Everything here is plain data and functions of an explicit ``now`` (epoch seconds): the HTTP layer
holds the lock, reads the clock, and calls ``settle(now)`` before any other operation so that tasks
whose time has come take effect first.
"""
from __future__ import annotations

import copy
import ipaddress
import json
import os
import re
import tempfile
import uuid

from . import timeutil
from .config import CUSTOM_NAME_PATTERN, SimConfig
from .errors import bad_request, conflict, not_found, resource_busy

SNAPSHOT_TYPES = ("hour-1", "hour-6", "day-1", "day-2", "day-3", "day-7")
PROTOCOLS = ("CIFS", "NFS", "NFS_CIFS")
DISK_TYPES = ("hdd", "nvme", "ssd")
TASK_STATUSES = ("cancelled", "customerError", "doing", "done", "init", "ovhError", "todo")
FAILURE_STATUSES = ("cancelled", "customerError", "ovhError")
PENDING_STATUSES = ("init", "todo", "doing")
TASK_OPERATIONS = (
    "backupRecursiveDestroy", "clusterLeclercAclUpdate", "clusterLeclercChangeServiceIp",
    "clusterLeclercCustomSnapCreate", "clusterLeclercCustomSnapDelete", "clusterLeclercDeleteSnapshotDirectory",
    "clusterLeclercDestroyNasContainer", "clusterLeclercPartitionAdd", "clusterLeclercPartitionDelete",
    "clusterLeclercPartitionUpdate", "clusterLeclercQuotaUpdate", "clusterLeclercSetupNasContainer",
    "clusterLeclercSnapshotUpdate", "clusterLeclercZfsOptions", "nasAclUpdate", "nasDeleteSnapshotDirectory",
    "nasPartitionAdd", "nasPartitionDelete", "nasPartitionUpdate", "nasQuotaUpdate", "remoteBackupRecursiveDestroy",
)
SNAPSHOT_UPDATE = "clusterLeclercSnapshotUpdate"
CUSTOM_CREATE = "clusterLeclercCustomSnapCreate"
CUSTOM_DELETE = "clusterLeclercCustomSnapDelete"
ACCESS_UPDATE = "clusterLeclercAclUpdate"
ACCESS_TYPES = ("readonly", "readwrite")
CREDENTIAL_STATUSES = ("validated", "pendingValidation", "expired", "refused")
MAX_CUSTOM_SNAPSHOTS = 10
# Share of a task's duration spent in "todo" before it turns "doing".
TODO_SHARE = 0.2
STATE_FORMAT = 1
FIRST_TASK_ID = 1000001
DEFAULT_FAILURE_DETAILS = {
    "ovhError": "An internal error occurred, OVHcloud has been notified",
    "customerError": "The operation was refused",
    "cancelled": "The task was cancelled",
}


class SeedError(ValueError):
    """A seed or state document that does not describe a valid simulator state."""


# ---------------------------------------------------------------- seed and state documents

def _require(condition: bool, message: str) -> None:
    if not condition:
        raise SeedError(message)


def _optional_str(value, where: str):
    _require(value is None or isinstance(value, str), f"{where} must be a string or null")
    return value


def _integer(value, where: str, nullable: bool = False):
    if value is None and nullable:
        return None
    _require(isinstance(value, int) and not isinstance(value, bool), f"{where} must be an integer")
    return value


def _normalise_credentials(credentials) -> list:
    _require(isinstance(credentials, list), "credentials must be a list")
    result = []
    for index, app in enumerate(credentials):
        where = f"credentials[{index}]"
        _require(isinstance(app, dict), f"{where} must be an object")
        _require(isinstance(app.get("application_key"), str) and app["application_key"], f"{where}.application_key is required")
        _require(isinstance(app.get("application_secret"), str) and app["application_secret"], f"{where}.application_secret is required")
        consumers = []
        for ck_index, consumer in enumerate(app.get("consumer_keys", [])):
            ck_where = f"{where}.consumer_keys[{ck_index}]"
            _require(isinstance(consumer, dict) and isinstance(consumer.get("consumer_key"), str) and consumer["consumer_key"],
                     f"{ck_where}.consumer_key is required")
            status = consumer.get("status", "validated")
            _require(status in CREDENTIAL_STATUSES, f"{ck_where}.status must be one of {', '.join(CREDENTIAL_STATUSES)}")
            rules = consumer.get("rules", [])
            _require(isinstance(rules, list), f"{ck_where}.rules must be a list")
            for rule in rules:
                _require(isinstance(rule, dict) and isinstance(rule.get("method"), str) and isinstance(rule.get("path"), str),
                         f"{ck_where}.rules entries need a method and a path")
            consumers.append({"consumer_key": consumer["consumer_key"], "status": status,
                              "rules": [{"method": r["method"], "path": r["path"]} for r in rules]})
        result.append({"application_key": app["application_key"], "application_secret": app["application_secret"],
                       "consumer_keys": consumers})
    return result


def _normalise_custom_snapshot(snapshot, where: str) -> dict:
    _require(isinstance(snapshot, dict), f"{where} must be an object")
    name = snapshot.get("name")
    _require(isinstance(name, str) and bool(CUSTOM_NAME_PATTERN.fullmatch(name)), f"{where}.name must match {CUSTOM_NAME_PATTERN.pattern}")
    expiration = _optional_str(snapshot.get("expiration"), f"{where}.expiration")
    expires_at = None
    if expiration is not None:
        try:
            expires_at = timeutil.parse_expiration(expiration)
        except ValueError as error:
            raise SeedError(f"{where}.expiration is not an ISO 8601 date or date-time") from error
    return {"name": name, "expiration": expiration, "expires_at": expires_at}


def _normalise_partition(partition, where: str) -> dict:
    _require(isinstance(partition, dict), f"{where} must be an object")
    _require(partition.get("protocol") in PROTOCOLS, f"{where}.protocol must be one of {', '.join(PROTOCOLS)}")
    types = partition.get("snapshot_types", ["hour-1"])
    _require(isinstance(types, list) and all(t in SNAPSHOT_TYPES for t in types) and len(set(types)) == len(types),
             f"{where}.snapshot_types must list distinct values of {', '.join(SNAPSHOT_TYPES)}")
    customs = [_normalise_custom_snapshot(s, f"{where}.custom_snapshots[{i}]")
               for i, s in enumerate(partition.get("custom_snapshots", []))]
    _require(len({s["name"] for s in customs}) == len(customs), f"{where}.custom_snapshots names must be distinct")
    access = [_normalise_access(a, f"{where}.access[{i}]") for i, a in enumerate(partition.get("access", []))]
    _require(len({a["ip"] for a in access}) == len(access), f"{where}.access ip blocks must be distinct")
    return {
        "access": access,
        "protocol": partition["protocol"],
        "size": _integer(partition.get("size"), f"{where}.size"),
        "partitionDescription": _optional_str(partition.get("partitionDescription"), f"{where}.partitionDescription"),
        "partitionCapacity": _integer(partition.get("partitionCapacity", 0), f"{where}.partitionCapacity", nullable=True),
        "usedBySnapshots": _integer(partition.get("usedBySnapshots", 0), f"{where}.usedBySnapshots", nullable=True),
        "snapshot_types": list(types),
        "custom_snapshots": customs,
    }


def ip_block(value) -> str:
    """An IP or CIDR block as the access routes store it: always with its prefix length; ValueError if invalid."""
    if not isinstance(value, str):
        raise ValueError("not a string")
    return str(ipaddress.ip_network(value.strip(), strict=True))


def _normalise_access(access, where: str) -> dict:
    _require(isinstance(access, dict), f"{where} must be an object")
    try:
        block = ip_block(access.get("ip"))
    except ValueError as error:
        raise SeedError(f"{where}.ip must be an IP address or CIDR block") from error
    _require(access.get("type", "readwrite") in ACCESS_TYPES, f"{where}.type must be one of {', '.join(ACCESS_TYPES)}")
    return {"ip": block, "type": access.get("type", "readwrite"),
            "aclDescription": _optional_str(access.get("aclDescription"), f"{where}.aclDescription"),
            "accessId": _integer(access.get("accessId", 0), f"{where}.accessId")}


def _normalise_service(service, where: str) -> dict:
    _require(isinstance(service, dict), f"{where} must be an object")
    _require(service.get("diskType", "hdd") in DISK_TYPES, f"{where}.diskType must be one of {', '.join(DISK_TYPES)}")
    ip = _optional_str(service.get("ip"), f"{where}.ip")
    if ip is not None:
        try:
            ipaddress.IPv4Address(ip)
        except ValueError as error:
            raise SeedError(f"{where}.ip must be an IPv4 address") from error
    monitored = service.get("monitored", True)
    can_create = service.get("canCreatePartition", True)
    _require(isinstance(monitored, bool) and isinstance(can_create, bool), f"{where}.monitored and canCreatePartition must be booleans")
    partitions = service.get("partitions", {})
    _require(isinstance(partitions, dict), f"{where}.partitions must be an object keyed by partition name")
    iam_tags = service.get("iam_tags", {})
    _require(isinstance(iam_tags, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in iam_tags.items()),
             f"{where}.iam_tags must be an object of strings")
    return {
        "datacenter": _optional_str(service.get("datacenter"), f"{where}.datacenter"),
        "customName": _optional_str(service.get("customName"), f"{where}.customName"),
        "ip": ip,
        "zpoolSize": _integer(service.get("zpoolSize", 0), f"{where}.zpoolSize"),
        "zpoolCapacity": _integer(service.get("zpoolCapacity", 0), f"{where}.zpoolCapacity"),
        "diskType": service.get("diskType", "hdd"),
        "monitored": monitored,
        "canCreatePartition": can_create,
        "iam_tags": dict(iam_tags),
        "partitions": {name: _normalise_partition(p, f"{where}.partitions.{name}") for name, p in partitions.items()},
    }


def normalise_document(document) -> dict:
    """A seed (or a saved state) checked and completed with defaults; SeedError names the first bad field."""
    _require(isinstance(document, dict), "the document must be a JSON object")
    services = document.get("services", {})
    _require(isinstance(services, dict), "services must be an object keyed by service name")
    tasks = document.get("tasks", [])
    _require(isinstance(tasks, list), "tasks must be a list")
    next_id = document.get("next_task_id", FIRST_TASK_ID)
    _require(isinstance(next_id, int), "next_task_id must be an integer")
    return {
        "format": STATE_FORMAT,
        "credentials": _normalise_credentials(document.get("credentials", [])),
        "services": {name: _normalise_service(s, f"services.{name}") for name, s in services.items()},
        "tasks": copy.deepcopy(tasks),
        "next_task_id": max([next_id] + [t["taskId"] + 1 for t in tasks]),
        "next_access_id": document.get("next_access_id", 1),
    }


def load_json(path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def write_json_atomically(path, document) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".nasha-sim-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    try:
        directory_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(directory_fd)
    finally:
        os.close(directory_fd)


# ---------------------------------------------------------------- tasks

def task_finish_time(task: dict) -> float:
    return task["created"] + task["duration"]


def task_status(task: dict, now: float) -> str:
    """Status from elapsed time: todo (or init) for the first 20 %, doing until the end, then the final status."""
    elapsed = now - task["created"]
    if elapsed < TODO_SHARE * task["duration"]:
        return task.get("initial_status", "todo")
    if task.get("never_finish") or elapsed < task["duration"]:
        return "doing"
    return task["final_status"]


def task_view(task: dict, now: float, offset_minutes: int, as_created: bool = False) -> dict:
    """The dedicated.nasTask.Task answer; ``as_created`` gives the answer of the write that made it."""
    status = task.get("initial_status", "todo") if as_created else task_status(task, now)
    created = task["created"]
    if status in ("todo", "init"):
        last_update = created
    elif status == "doing":
        last_update = created + TODO_SHARE * task["duration"]
    else:
        last_update = task_finish_time(task)
    finished = status not in PENDING_STATUSES
    return {
        "taskId": task["taskId"],
        "operation": task["operation"],
        "status": status,
        "details": task.get("details") if finished else None,
        "partitionName": task["partitionName"],
        "storageName": task["storageName"],
        "todoDate": timeutil.format_with_offset(created, offset_minutes),
        "lastUpdate": timeutil.format_with_offset(last_update, offset_minutes),
        "doneDate": timeutil.format_with_offset(task_finish_time(task), offset_minutes) if finished else None,
    }


def _enum_error(field: str, value, enum_name: str):
    return bad_request(f"[{field}] Given data ({value}) does not belong to the {enum_name} enumeration")


# ---------------------------------------------------------------- the state

class NashaState:
    """One simulator's services and tasks (see ``normalise_document`` for the layout)."""

    def __init__(self, document: dict):
        self.doc = normalise_document(document)

    # -- documents

    def to_document(self) -> dict:
        return copy.deepcopy(self.doc)

    def public_dump(self) -> dict:
        """The state without application secrets or consumer keys."""
        dump = self.to_document()
        dump["credentials"] = [
            {"application_key": app["application_key"],
             "consumer_keys": [{"status": c["status"], "rules": c["rules"]} for c in app["consumer_keys"]]}
            for app in self.doc["credentials"]
        ]
        return dump

    # -- credentials

    def application(self, application_key: str):
        return next((a for a in self.doc["credentials"] if a["application_key"] == application_key), None)

    # -- lookups

    def _service(self, service_name: str) -> dict:
        service = self.doc["services"].get(service_name)
        if service is None:
            raise not_found("This service does not exist")
        return service

    def _partition(self, service_name: str, partition_name: str) -> dict:
        partition = self._service(service_name)["partitions"].get(partition_name)
        if partition is None:
            raise not_found(f"The requested object (partitionName = {partition_name}) does not exist")
        return partition

    def _pending_tasks(self, service_name: str, partition_name: str, now: float) -> list:
        return [t for t in self.doc["tasks"]
                if t["storageName"] == service_name and t["partitionName"] == partition_name
                and task_status(t, now) in PENDING_STATUSES]

    @staticmethod
    def _pending_changes(pending: list, kind: str) -> list:
        """Changes of pending tasks that the lists do not show yet (visibility on_done)."""
        return [t["change"] for t in pending if t["visibility"] == "on_done" and t["change"]["kind"] == kind]

    # -- settling time

    def settle(self, now: float) -> bool:
        """Apply every task whose time has come and drop expired custom snapshots; True if anything changed."""
        changed = False
        due = [t for t in self.doc["tasks"]
               if not t.get("settled") and not t.get("never_finish") and task_finish_time(t) <= now]
        for task in sorted(due, key=lambda t: (task_finish_time(t), t["taskId"])):
            succeeded = task["final_status"] == "done"
            if succeeded and task["visibility"] == "on_done":
                self._apply(task, forward=True)
            elif not succeeded and task["visibility"] == "immediate":
                self._apply(task, forward=False)
            task["settled"] = True
            changed = True
        for service in self.doc["services"].values():
            for partition in service["partitions"].values():
                kept = [s for s in partition["custom_snapshots"] if s["expires_at"] is None or s["expires_at"] > now]
                if len(kept) != len(partition["custom_snapshots"]):
                    partition["custom_snapshots"] = kept
                    changed = True
        return changed

    def _apply(self, task: dict, forward: bool) -> None:
        """Make a task's change visible (forward) or undo it (a failed task shown at once)."""
        partition = self.doc["services"].get(task["storageName"], {}).get("partitions", {}).get(task["partitionName"])
        if partition is None:
            return
        change = task["change"]
        adding = (change["kind"] in ("schedule_add", "custom_create", "access_add")) == forward
        if change["kind"] in ("access_add", "access_remove"):
            entries = [a for a in partition["access"] if a["ip"] != change["access"]["ip"]]
            partition["access"] = entries + [copy.deepcopy(change["access"])] if adding else entries
        elif change["kind"] in ("schedule_add", "schedule_remove"):
            types = partition["snapshot_types"]
            if adding and change["type"] not in types:
                types.append(change["type"])
            elif not adding and change["type"] in types:
                types.remove(change["type"])
        else:
            snapshots = partition["custom_snapshots"]
            name = change["snapshot"]["name"]
            present = any(s["name"] == name for s in snapshots)
            if adding and not present:
                snapshots.append(copy.deepcopy(change["snapshot"]))
            elif not adding and present:
                partition["custom_snapshots"] = [s for s in snapshots if s["name"] != name]

    def _new_task(self, service_name, partition_name, operation, change, config: SimConfig, now, task_fault) -> dict:
        task = {
            "taskId": self.doc["next_task_id"],
            "operation": operation,
            "storageName": service_name,
            "partitionName": partition_name,
            "created": now,
            "duration": config.task_duration,
            "visibility": config.visibility,
            "initial_status": config.initial_status,
            "final_status": "done",
            "details": None,
            "never_finish": False,
            "change": change,
            "settled": False,
        }
        if task_fault:
            if task_fault.get("never_finish"):
                task["never_finish"] = True
            else:
                task["final_status"] = task_fault["final_status"]
                task["details"] = task_fault.get("details") or DEFAULT_FAILURE_DETAILS[task_fault["final_status"]]
        self.doc["next_task_id"] += 1
        self.doc["tasks"].append(task)
        if config.visibility == "immediate":
            self._apply(task, forward=True)
        return task_view(task, now, config.date_offset_minutes, as_created=True)

    def _check_busy(self, service_name, partition_name, config: SimConfig, now) -> None:
        if config.busy != "conflict":
            return
        pending = self._pending_tasks(service_name, partition_name, now)
        if pending:
            ids = [t["taskId"] for t in pending]
            raise resource_busy(f"The partition {partition_name} is busy: task {ids[0]} is still in progress, retry later",
                                {"pendingTaskIds": ids})

    # -- services and partitions

    def list_services(self, iam_filter: dict | None = None) -> list:
        """Service names, only those whose IAM tags pass ``iam_filter`` (see ``iam_tags_match``) when given."""
        return sorted(name for name, service in self.doc["services"].items()
                      if iam_filter is None or iam_tags_match(service.get("iam_tags") or {}, iam_filter))

    def get_service(self, service_name: str) -> dict:
        service = self._service(service_name)
        return {
            "serviceName": service_name,
            "customName": service["customName"],
            "datacenter": service["datacenter"],
            "ip": service["ip"],
            "zpoolSize": service["zpoolSize"],
            "zpoolCapacity": service["zpoolCapacity"],
            "diskType": service["diskType"],
            "monitored": service["monitored"],
            "canCreatePartition": service["canCreatePartition"],
            "iam": {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"nasha:{service_name}")),
                "urn": f"urn:v1:eu:resource:nasHa:{service_name}",
                "displayName": service["customName"] or service_name,
                "tags": dict(service.get("iam_tags") or {}) or None,
            },
        }

    def list_partitions(self, service_name: str) -> list:
        return sorted(self._service(service_name)["partitions"])

    def get_partition(self, service_name: str, partition_name: str) -> dict:
        partition = self._partition(service_name, partition_name)
        return {
            "partitionName": partition_name,
            "partitionDescription": partition["partitionDescription"],
            "protocol": partition["protocol"],
            "size": partition["size"],
            "partitionCapacity": partition["partitionCapacity"],
            "usedBySnapshots": partition["usedBySnapshots"],
        }

    # -- scheduled snapshot types

    def list_schedules(self, service_name: str, partition_name: str) -> list:
        return list(self._partition(service_name, partition_name)["snapshot_types"])

    def get_schedule(self, service_name: str, partition_name: str, snapshot_type: str) -> dict:
        partition = self._partition(service_name, partition_name)
        if snapshot_type not in SNAPSHOT_TYPES:
            raise _enum_error("snapshotType", snapshot_type, "dedicated.storage.SnapshotEnum")
        if snapshot_type not in partition["snapshot_types"]:
            raise not_found(f"The requested object (type = {snapshot_type}) does not exist")
        return {"snapshotType": snapshot_type}

    def _projected_types(self, partition: dict, pending: list) -> set:
        """Scheduled types once every pending task is done."""
        adds = {c["type"] for c in self._pending_changes(pending, "schedule_add")}
        removes = {c["type"] for c in self._pending_changes(pending, "schedule_remove")}
        return (set(partition["snapshot_types"]) | adds) - removes

    def add_schedule(self, service_name, partition_name, body, config: SimConfig, now, task_fault) -> dict:
        partition = self._partition(service_name, partition_name)
        body = _object_body(body, {"snapshotType"}, {"snapshotType"})
        snapshot_type = body["snapshotType"]
        if snapshot_type not in SNAPSHOT_TYPES:
            raise _enum_error("snapshotType", snapshot_type, "dedicated.storage.SnapshotEnum")
        self._check_busy(service_name, partition_name, config, now)
        pending = self._pending_tasks(service_name, partition_name, now)
        if snapshot_type in self._projected_types(partition, pending):
            raise conflict(f"The snapshot type {snapshot_type} is already scheduled on partition {partition_name}")
        return self._new_task(service_name, partition_name, SNAPSHOT_UPDATE, {"kind": "schedule_add", "type": snapshot_type},
                              config, now, task_fault())

    def remove_schedule(self, service_name, partition_name, snapshot_type, config: SimConfig, now, task_fault) -> dict:
        partition = self._partition(service_name, partition_name)
        if snapshot_type not in SNAPSHOT_TYPES:
            raise _enum_error("snapshotType", snapshot_type, "dedicated.storage.SnapshotEnum")
        if snapshot_type not in partition["snapshot_types"]:
            raise not_found(f"The requested object (type = {snapshot_type}) does not exist")
        self._check_busy(service_name, partition_name, config, now)
        pending = self._pending_tasks(service_name, partition_name, now)
        if snapshot_type in {c["type"] for c in self._pending_changes(pending, "schedule_remove")}:
            raise conflict(f"The snapshot type {snapshot_type} is already being removed from partition {partition_name}")
        if config.last_schedule == "refuse" and not self._projected_types(partition, pending) - {snapshot_type}:
            raise bad_request(f"Cannot remove {snapshot_type}: it is the last snapshot type scheduled on partition "
                              f"{partition_name} and automatic snapshots cannot be disabled; schedule another type first")
        return self._new_task(service_name, partition_name, SNAPSHOT_UPDATE, {"kind": "schedule_remove", "type": snapshot_type},
                              config, now, task_fault())

    # -- custom snapshots

    def list_custom(self, service_name: str, partition_name: str) -> list:
        return [s["name"] for s in self._partition(service_name, partition_name)["custom_snapshots"]]

    def _custom(self, service_name: str, partition_name: str, name: str) -> dict:
        partition = self._partition(service_name, partition_name)
        snapshot = next((s for s in partition["custom_snapshots"] if s["name"] == name), None)
        if snapshot is None:
            raise not_found(f"The requested object (name = {name}) does not exist")
        return snapshot

    def get_custom(self, service_name: str, partition_name: str, name: str, config: SimConfig) -> dict:
        snapshot = self._custom(service_name, partition_name, name)
        if snapshot["expires_at"] is None:
            expiration = None
        elif config.expiration_format == "echo":
            expiration = snapshot["expiration"]
        else:
            expiration = timeutil.format_utc(snapshot["expires_at"])
        return {"name": snapshot["name"], "expiration": expiration}

    def create_custom(self, service_name, partition_name, body, config: SimConfig, now, task_fault) -> dict:
        partition = self._partition(service_name, partition_name)
        body = _object_body(body, {"name", "expiration"}, {"name"})
        name = body["name"]
        if not isinstance(name, str) or not CUSTOM_NAME_PATTERN.fullmatch(name):
            raise bad_request(f"[name] Invalid snapshot name {name!r}: it must match {CUSTOM_NAME_PATTERN.pattern}")
        expiration = body.get("expiration")
        expires_at = None
        if "expiration" in body:
            if not isinstance(expiration, str):
                raise bad_request("[expiration] must be an ISO 8601 date or date-time string")
            try:
                expires_at = timeutil.parse_expiration(expiration)
            except ValueError:
                raise bad_request(f"[expiration] {expiration!r} is not an ISO 8601 date or date-time") from None
            if expires_at <= now:
                raise bad_request(f"[expiration] {expiration!r} is in the past")
        stored_name = config.name_prefix + name
        self._check_busy(service_name, partition_name, config, now)
        pending = self._pending_tasks(service_name, partition_name, now)
        pending_creates = [c["snapshot"]["name"] for c in self._pending_changes(pending, "custom_create")]
        existing = [s["name"] for s in partition["custom_snapshots"]]
        if stored_name in existing or stored_name in pending_creates:
            raise conflict(f"A custom snapshot named {stored_name} already exists on partition {partition_name}")
        if len(existing) + len(pending_creates) >= MAX_CUSTOM_SNAPSHOTS:
            raise bad_request(f"Partition {partition_name} already has the maximum of {MAX_CUSTOM_SNAPSHOTS} custom snapshots")
        snapshot = {"name": stored_name, "expiration": expiration, "expires_at": expires_at}
        return self._new_task(service_name, partition_name, CUSTOM_CREATE, {"kind": "custom_create", "snapshot": snapshot},
                              config, now, task_fault())

    def delete_custom(self, service_name, partition_name, name, config: SimConfig, now, task_fault) -> dict:
        snapshot = self._custom(service_name, partition_name, name)
        self._check_busy(service_name, partition_name, config, now)
        pending = self._pending_tasks(service_name, partition_name, now)
        if name in {c["snapshot"]["name"] for c in self._pending_changes(pending, "custom_delete")}:
            raise conflict(f"The custom snapshot {name} is already being deleted")
        return self._new_task(service_name, partition_name, CUSTOM_DELETE,
                              {"kind": "custom_delete", "snapshot": copy.deepcopy(snapshot)}, config, now, task_fault())

    # -- access (which IPs may mount a partition)

    def list_access(self, service_name: str, partition_name: str) -> list:
        return [a["ip"] for a in self._partition(service_name, partition_name)["access"]]

    def _access(self, service_name: str, partition_name: str, ip: str) -> dict:
        partition = self._partition(service_name, partition_name)
        try:
            block = ip_block(ip)
        except ValueError:
            raise bad_request(f"[ip] Given data ({ip}) is not a valid IP block") from None
        entry = next((a for a in partition["access"] if a["ip"] == block), None)
        if entry is None:
            raise not_found(f"The requested object (ip = {ip}) does not exist")
        return entry

    def get_access(self, service_name: str, partition_name: str, ip: str) -> dict:
        entry = self._access(service_name, partition_name, ip)
        return {"accessId": entry["accessId"], "ip": entry["ip"], "type": entry["type"],
                "aclDescription": entry["aclDescription"]}

    def add_access(self, service_name, partition_name, body, config: SimConfig, now, task_fault) -> dict:
        partition = self._partition(service_name, partition_name)
        body = _object_body(body, {"ip", "type", "aclDescription"}, {"ip"})
        try:
            block = ip_block(body["ip"])
        except ValueError:
            raise bad_request(f"[ip] Given data ({body['ip']}) is not a valid IP block") from None
        access_type = body.get("type", "readwrite")
        if access_type not in ACCESS_TYPES:
            raise _enum_error("type", access_type, "dedicated.storage.AclTypeEnum")
        if access_type == "readonly" and partition["protocol"] == "CIFS":
            raise bad_request(f"[type] readonly access is offered for NFS partitions only; {partition_name} is CIFS")
        description = body.get("aclDescription")
        if description is not None and not isinstance(description, str):
            raise bad_request("[aclDescription] must be a string")
        self._check_busy(service_name, partition_name, config, now)
        pending = self._pending_tasks(service_name, partition_name, now)
        pending_adds = {c["access"]["ip"] for c in self._pending_changes(pending, "access_add")}
        if block in pending_adds or any(a["ip"] == block for a in partition["access"]):
            raise conflict(f"The IP block {block} already has access to partition {partition_name}")
        self.doc["next_access_id"] = self.doc.get("next_access_id", 1) + 1
        entry = {"ip": block, "type": access_type, "aclDescription": description, "accessId": self.doc["next_access_id"]}
        return self._new_task(service_name, partition_name, ACCESS_UPDATE, {"kind": "access_add", "access": entry},
                              config, now, task_fault())

    def remove_access(self, service_name, partition_name, ip, config: SimConfig, now, task_fault) -> dict:
        entry = self._access(service_name, partition_name, ip)
        self._check_busy(service_name, partition_name, config, now)
        pending = self._pending_tasks(service_name, partition_name, now)
        if entry["ip"] in {c["access"]["ip"] for c in self._pending_changes(pending, "access_remove")}:
            raise conflict(f"The access of {entry['ip']} is already being removed")
        return self._new_task(service_name, partition_name, ACCESS_UPDATE,
                              {"kind": "access_remove", "access": copy.deepcopy(entry)}, config, now, task_fault())

    # -- tasks

    def list_tasks(self, service_name: str, operation, status, now: float) -> list:
        self._service(service_name)
        if operation is not None and operation not in TASK_OPERATIONS:
            raise _enum_error("operation", operation, "dedicated.storage.TaskFunctionEnum")
        if status is not None and status not in TASK_STATUSES:
            raise _enum_error("status", status, "dedicated.TaskStatusEnum")
        return sorted(t["taskId"] for t in self.doc["tasks"]
                      if t["storageName"] == service_name
                      and (operation is None or t["operation"] == operation)
                      and (status is None or task_status(t, now) == status))

    def get_task(self, service_name: str, task_id: str, config: SimConfig, now: float) -> dict:
        self._service(service_name)
        try:
            number = int(task_id)
        except ValueError:
            raise bad_request(f"[taskId] Given data ({task_id}) is not an integer") from None
        task = next((t for t in self.doc["tasks"] if t["taskId"] == number and t["storageName"] == service_name), None)
        if task is None:
            raise not_found(f"The requested object (taskId = {task_id}) does not exist")
        return task_view(task, now, config.date_offset_minutes)


IAM_TAG_OPERATORS = ("EQ", "EXISTS", "ILIKE", "LIKE", "NEQ", "NEXISTS")


def parse_iam_filter(text: str) -> dict:
    """The ``iamTags`` query parameter: JSON ``{"tag": [{"operator": "EQ", "value": "x"}, ...]}``; 400 otherwise."""
    try:
        document = json.loads(text)
    except ValueError:
        raise bad_request("[iamTags] Given data is not a JSON object of tag filters") from None
    if not isinstance(document, dict):
        raise bad_request("[iamTags] Given data is not a JSON object of tag filters")
    for key, filters in document.items():
        if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
            raise bad_request(f"[iamTags.{key}] must be a list of iam.resource.TagFilter")
        for item in filters:
            unknown = set(item) - {"operator", "value"}
            if unknown:
                raise bad_request(f"[iamTags.{key}.{sorted(unknown)[0]}] Unknown property")
            if item.get("operator") is not None and item["operator"] not in IAM_TAG_OPERATORS:
                raise _enum_error(f"iamTags.{key}.operator", item["operator"], "iam.resource.TagFilter.OperatorEnum")
            operator = item.get("operator") or "EQ"
            if operator not in ("EXISTS", "NEXISTS") and not isinstance(item.get("value"), str):
                raise bad_request(f"[iamTags.{key}.value] Property is mandatory")
    return document


def _like(pattern: str, text: str, ignore_case: bool) -> bool:
    """SQL LIKE: ``%`` any run of characters, ``_`` one character."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def iam_tags_match(tags: dict, iam_filter: dict) -> bool:
    """Whether tags pass every filter of every key (all must hold); the operator defaults to EQ."""
    for key, filters in iam_filter.items():
        for item in filters:
            operator, value = item.get("operator") or "EQ", item.get("value")
            present = key in tags
            if operator == "EXISTS":
                ok = present
            elif operator == "NEXISTS":
                ok = not present
            elif operator == "NEQ":
                ok = not present or tags[key] != value
            elif operator in ("LIKE", "ILIKE"):
                ok = present and _like(value, tags[key], operator == "ILIKE")
            else:
                ok = present and tags[key] == value
            if not ok:
                return False
    return True


def _object_body(body, allowed: set, required: set) -> dict:
    """The decoded JSON body of a write, checked for unknown and missing properties."""
    if body is None:
        raise bad_request(f"Missing body: a JSON object with {', '.join(sorted(required))} is required")
    if not isinstance(body, dict):
        raise bad_request("The body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad_request(f"[{unknown[0]}] Unknown property; allowed: {', '.join(sorted(allowed))}")
    missing = sorted(required - set(body))
    if missing:
        raise bad_request(f"[{missing[0]}] Property is mandatory")
    return body
