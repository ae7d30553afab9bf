# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a whole fleet of NAS-HA services (services, partitions, optionally snapshots) in few requests.

Used by the inventory plugin. Reads only, through OvhApi; no Ansible. Lists are asked for expanded
(the header X-Pagination-Mode: CachedObjectList-Pages, as OVHcloud's control panel does): one answer
then holds the listed objects themselves. A server that ignores the header answers names, and each
object is then read on its own, so the result is the same either way; only the number of requests differs.
"""
from __future__ import annotations

import fnmatch
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import EXPANDED_LIST_HEADERS, install_transport
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import share_sources
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import sort_snapshot_types
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import SERVICES_PATH

IAM_TAG_OPERATORS = ("EQ", "NEQ", "EXISTS", "NEXISTS", "LIKE", "ILIKE")
# Statuses a read may answer that skip a service (or a partition's snapshots) instead of failing, when allowed.
FORBIDDEN = 403
GONE = 404


def request_expanded_lists(client, pool_size):
    """Ask every list of this python-ovh client for its objects, and keep pool_size connections open.

    python-ovh sends no custom header through get(); its requests sessions carry default headers, which it
    merges into every request it signs (the header is not part of the signature). The sessions keep the
    BoundedTransport (time bound over a whole request, answers checked), with a pool as large as the concurrency;
    an OAuth2 session python-ovh makes later gets the same settings from OvhApi before its first request.
    """
    install_transport(client, pool_maxsize=max(10, pool_size), headers=EXPANDED_LIST_HEADERS)


# ------------------------------------------------------------------ filters

def iam_filter_document(iam_tags):
    """The iamTags query value for the option iam_tags: {tag: value or [{operator, value}]}; ValueError when bad."""
    document = {}
    for key, wanted in (iam_tags or {}).items():
        items = wanted if isinstance(wanted, list) else [{"operator": "EQ", "value": wanted}]
        filters = []
        for item in items:
            if not isinstance(item, dict):
                item = {"operator": "EQ", "value": item}
            operator = str(item.get("operator") or "EQ").upper()
            if operator not in IAM_TAG_OPERATORS:
                raise ValueError("iam_tags.%s: operator %s is not one of %s" % (key, operator, ", ".join(IAM_TAG_OPERATORS)))
            entry = {"operator": operator}
            if operator not in ("EXISTS", "NEXISTS"):
                if item.get("value") is None:
                    raise ValueError("iam_tags.%s: operator %s needs a value" % (key, operator))
                entry["value"] = str(item["value"])
            filters.append(entry)
        document[str(key)] = filters
    return document


def _like(pattern, text, ignore_case):
    translated = pattern.replace("[", "[[]").replace("*", "[*]").replace("?", "[?]").replace("%", "*").replace("_", "?")
    if ignore_case:
        return fnmatch.fnmatchcase(text.lower(), translated.lower())
    return fnmatch.fnmatchcase(text, translated)


def iam_tags_match(tags, document):
    """Whether a service's tags pass every filter (all must hold), as the API's iamTags filter does."""
    tags = tags or {}
    for key, filters in document.items():
        for item in filters:
            operator, value = item["operator"], item.get("value")
            present = key in tags
            if operator == "EXISTS":
                holds = present
            elif operator == "NEXISTS":
                holds = not present
            elif operator == "NEQ":
                holds = not present or tags[key] != value
            elif operator in ("LIKE", "ILIKE"):
                holds = present and _like(value, tags[key], operator == "ILIKE")
            else:
                holds = present and tags[key] == value
            if not holds:
                return False
    return True


class FleetFilter:
    """Which services to keep: name globs, datacenters, disk types, IAM tags (empty = no condition)."""

    def __init__(self, names=None, datacenters=None, disk_types=None, iam_tags=None):
        self.names = list(names or [])
        self.datacenters = list(datacenters or [])
        self.disk_types = list(disk_types or [])
        self.iam_document = iam_filter_document(iam_tags)

    def name_kept(self, name):
        return not self.names or any(fnmatch.fnmatchcase(name, pattern) for pattern in self.names)

    def service_kept(self, service):
        if self.datacenters and service.get("datacenter") not in self.datacenters:
            return False
        if self.disk_types and service.get("diskType") not in self.disk_types:
            return False
        return iam_tags_match((service.get("iam") or {}).get("tags"), self.iam_document)

    def fingerprint(self):
        """The whole filter as text, to tell whether cached answers were read with the same one."""
        return json.dumps(dict(names=self.names, datacenters=self.datacenters, disk_types=self.disk_types,
                               iam_tags=self.iam_document), sort_keys=True)


# ------------------------------------------------------------------ reading

def listed_items(answer, key, what):
    """A list answer as names (str) and objects (dicts holding key), expanded or not.

    An object wrapped as {"key": ..., "value": {...}} is unwrapped; anything else is an error rather than an
    item silently lost.
    """
    if answer is None:
        return []
    if not isinstance(answer, list):
        raise OvhApiError("The API answered the list of %s with a %s instead of a list" % (what, type(answer).__name__))
    items = []
    for item in answer:
        if isinstance(item, dict) and key not in item and isinstance(item.get("value"), dict):
            item = item["value"]
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            items.append(str(item))
        elif isinstance(item, dict) and item.get(key) is not None:
            items.append(item)
        else:
            raise OvhApiError("The API answered the list of %s with an item that has no %s: %r" % (what, key, item))
    return items


class FleetReader:
    """Reads the services a FleetFilter keeps, with at most max_workers requests in flight.

    Without snapshots and with expanded lists: 1 request for the services, then 1 per service (its partitions).
    With a server that ignores expansion: 1 + 2 per service + 1 per partition. warn(text) receives what is skipped.
    """

    def __init__(self, api, max_workers=8, fetch_snapshots=False, strict_permissions=True, warn=None):
        self.api = api
        self.max_workers = max(1, int(max_workers))
        self.fetch_snapshots = fetch_snapshots
        self.strict_permissions = strict_permissions
        self._warn = warn or (lambda text: None)
        self._warn_lock = threading.Lock()

    def warn(self, text):
        with self._warn_lock:
            self._warn(text)

    def _skippable(self, error):
        return error.status == GONE or (error.status == FORBIDDEN and not self.strict_permissions)

    def read(self, fleet_filter):
        """[{"service": StorageWithIAM, "partitions": [Partition (+ snapshot_types, custom_snapshots)]}], by name."""
        query = {}
        if fleet_filter.iam_document:
            query["iamTags"] = json.dumps(fleet_filter.iam_document, separators=(",", ":"), sort_keys=True)
        listed = listed_items(self.api.get(SERVICES_PATH, "list the NAS-HA services", **query), "serviceName", "services")
        known = dict((item["serviceName"], item) for item in listed if isinstance(item, dict) and item.get("serviceName"))
        names = [item if isinstance(item, str) else item.get("serviceName") for item in listed]
        names = sorted(name for name in names if name and fleet_filter.name_kept(name))
        with ThreadPoolExecutor(max_workers=self.max_workers) as pool:
            records = list(pool.map(lambda name: self._service(name, known.get(name), fleet_filter), names))
            records = [record for record in records if record is not None]
            jobs = [(record, index) for record in records for index in range(len(record["partitions"]))
                    if self.fetch_snapshots or not isinstance(record["partitions"][index], dict)]
            list(pool.map(lambda job: self._partition(job[0], job[1]), jobs))
        for record in records:
            record["partitions"] = [p for p in record["partitions"] if isinstance(p, dict)]
        return records

    def _service(self, name, service, fleet_filter):
        path = "%s/%s" % (SERVICES_PATH, name)
        try:
            if service is None:
                service = self.api.get(path, "read NAS-HA service %s" % name)
            if not fleet_filter.service_kept(service):
                return None
            partitions = listed_items(self.api.get(path + "/partition", "list the partitions of NAS-HA service %s" % name),
                                      "partitionName", "partitions of %s" % name)
        except OvhApiError as error:
            if not self._skippable(error):
                raise
            self.warn("NAS-HA service %s skipped: %s" % (name, error.message))
            return None
        # Names (not expanded) stay as strings until _partition reads them.
        partitions = sorted(partitions, key=lambda item: item.get("partitionName", "") if isinstance(item, dict) else item)
        return {"service": service, "partitions": partitions}

    def _partition(self, record, index):
        service_name = record["service"]["serviceName"]
        partition = record["partitions"][index]
        name = partition.get("partitionName") if isinstance(partition, dict) else partition
        path = "%s/%s/partition/%s" % (SERVICES_PATH, service_name, name)
        try:
            if not isinstance(partition, dict):
                partition = self.api.get(path, "read partition %s of NAS-HA service %s" % (name, service_name))
        except OvhApiError as error:
            if not self._skippable(error):
                raise
            self.warn("Partition %s of NAS-HA service %s skipped: %s" % (name, service_name, error.message))
            record["partitions"][index] = None
            return
        partition = dict(partition)
        if self.fetch_snapshots:
            try:
                partition["snapshot_types"] = self._schedule(path, service_name, name)
                partition["custom_snapshots"] = self._customs(path, service_name, name)
            except OvhApiError as error:
                if not self._skippable(error):
                    raise
                self.warn("Snapshots of partition %s of NAS-HA service %s not read: %s" % (name, service_name, error.message))
                partition["snapshot_types"] = None
                partition["custom_snapshots"] = None
        record["partitions"][index] = partition

    def _schedule(self, path, service_name, name):
        listed = listed_items(self.api.get(path + "/snapshot", "list the snapshot schedule of partition %s of %s" % (name, service_name)),
                              "snapshotType", "scheduled snapshots of %s/%s" % (service_name, name))
        types = [item.get("snapshotType") if isinstance(item, dict) else item for item in listed]
        return sort_snapshot_types(types)

    def _customs(self, path, service_name, name):
        listed = listed_items(self.api.get(path + "/customSnapshot", "list the custom snapshots of partition %s of %s" % (name, service_name)),
                              "name", "custom snapshots of %s/%s" % (service_name, name))
        customs = []
        for item in listed:
            if not isinstance(item, dict):
                try:
                    item = self.api.get("%s/customSnapshot/%s" % (path, item),
                                        "read custom snapshot %s of partition %s of %s" % (item, name, service_name))
                except OvhApiError as error:
                    if error.status == GONE:  # expired or deleted between the list and the read
                        continue
                    raise
            customs.append({"name": item.get("name"), "expiration": item.get("expiration")})
        return sorted(customs, key=lambda item: item["name"] or "")


# ------------------------------------------------------------------ host variables

def partition_variables(service, partition, fetch_snapshots=False):
    """One item of nasha_partitions."""
    nfs, cifs = share_sources(service.get("ip"), service["serviceName"], partition.get("partitionName"), partition.get("protocol"))
    item = {
        "name": partition.get("partitionName"),
        "description": partition.get("partitionDescription"),
        "protocol": partition.get("protocol"),
        "size": partition.get("size"),
        "capacity": partition.get("partitionCapacity"),
        "used_by_snapshots": partition.get("usedBySnapshots"),
        "nfs_export": nfs,
        "cifs_share": cifs,
    }
    if fetch_snapshots:
        item["snapshot_types"] = partition.get("snapshot_types")
        item["custom_snapshots"] = partition.get("custom_snapshots")
    return item


def host_variables(record, prefix="nasha_", fetch_snapshots=False):
    """The variables of the host of one service, names prefixed (nasha_datacenter, nasha_partitions, ...)."""
    service = record["service"]
    iam = service.get("iam") or {}
    values = {
        "service_name": service.get("serviceName"),
        "custom_name": service.get("customName"),
        "datacenter": service.get("datacenter"),
        "disk_type": service.get("diskType"),
        "ip": service.get("ip"),
        "monitored": service.get("monitored"),
        "can_create_partition": service.get("canCreatePartition"),
        "zpool_size": service.get("zpoolSize"),
        "zpool_capacity": service.get("zpoolCapacity"),
        "iam_id": iam.get("id"),
        "iam_urn": iam.get("urn"),
        "iam_display_name": iam.get("displayName"),
        "iam_tags": dict(iam.get("tags") or {}),
        "partitions": [partition_variables(service, p, fetch_snapshots) for p in record["partitions"]],
    }
    return dict((prefix + key, value) for key, value in values.items())
