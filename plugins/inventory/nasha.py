# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

DOCUMENTATION = r"""
name: nasha
short_description: OVHcloud NAS-HA services as inventory hosts
version_added: 0.2.0
author:
  - snapkeep.nasha maintainers (@snapkeep)
description:
  - Reads the OVHcloud NAS-HA services of an account through the OVHcloud API and makes one host of each service,
    named after the service (C(zpool-123456)), with C(ansible_connection=local) since the collection's modules
    run on the controller.
  - Each host gets the service's fields as variables prefixed C(nasha_) (C(nasha_datacenter), C(nasha_custom_name),
    C(nasha_disk_type), C(nasha_ip), C(nasha_iam_tags), ...) and its partitions as C(nasha_partitions), a list of
    dicts with C(name), C(description), C(protocol), C(size), C(capacity), C(used_by_snapshots), C(nfs_export)
    and C(cifs_share) (V(null) when the partition's protocol does not offer it).
  - With O(fetch_snapshots=true), each partition also has C(snapshot_types) (the automatic snapshot schedule) and
    C(custom_snapshots) (a list of C(name) and C(expiration)).
  - Every host is in the group named by O(group), and O(compose), O(groups) and O(keyed_groups) add variables and
    groups, so that a snapshot policy can be attached through the C(group_vars/) of a keyed group.
  - Lists are read expanded (one answer holds the listed objects, as in OVHcloud's control panel), with a fallback
    to one read per object when the API answers names only. Without O(fetch_snapshots), a fleet of N services
    costs 1 + N requests (1 + 2N + one per partition without expansion); with the cache, none.
  - Uses a YAML configuration file whose name ends with C(.nasha.yml) or C(.nasha.yaml).
  - The connection options (O(endpoint), the credentials, O(api_timeout), O(api_retries),
    O(max_requests_per_second)) are those of the collection's modules, with the same fallbacks; string options
    may be templates, with extra variables available. Credentials are never stored in the cache nor shown in messages.
extends_documentation_fragment:
  - constructed
  - inventory_cache
  - snapkeep.nasha.ovh
options:
  plugin:
    description: The name of this plugin; marks the file as its configuration.
    required: true
    type: str
    choices: [snapkeep.nasha.nasha]
  group:
    description: The group every service's host is added to.
    type: str
    default: nasha
  service_names:
    description:
      - Keep only the services whose name matches one of these shell-style patterns (V(zpool-1*)).
      - Empty keeps every service.
    type: list
    elements: str
    default: []
  datacenters:
    description: Keep only the services in one of these datacenters (the service's C(datacenter) field, such as V(rbx)).
    type: list
    elements: str
    default: []
  disk_types:
    description: Keep only the services with one of these disk types.
    type: list
    elements: str
    choices: [hdd, nvme, ssd]
    default: []
  iam_tags:
    description:
      - Keep only the services whose OVHcloud IAM tags match, each key a tag name.
      - A value is either a string (the tag must have this value) or a list of filters, each with C(operator)
        (V(EQ), V(NEQ), V(EXISTS), V(NEXISTS), V(LIKE) or V(ILIKE), where C(%) matches any text) and C(value);
        every filter of every tag must hold.
      - The API applies the filter (its C(iamTags) parameter) and the plugin checks it again on the answers.
    type: dict
    default: {}
  fetch_snapshots:
    description:
      - Also read each partition's automatic snapshot schedule and its custom snapshots (two more requests per
        partition, more where the API does not expand lists).
    type: bool
    default: false
  max_concurrent_requests:
    description:
      - How many API requests may be in flight at once, at least V(1).
    type: int
    default: 8
  strict_permissions:
    description:
      - What to do when the consumer key may not read a service, its partitions or its snapshots (HTTP 403).
      - V(true) fails the inventory; V(false) skips what cannot be read, with a warning.
      - The first list of services must always be readable.
    type: bool
    default: true
notes:
  - Access rules the consumer key needs, all C(GET) - C(/dedicated/nasha), C(/dedicated/nasha/*),
    C(/dedicated/nasha/*/partition), C(/dedicated/nasha/*/partition/*), and with O(fetch_snapshots)
    C(/dedicated/nasha/*/partition/*/snapshot), C(/dedicated/nasha/*/partition/*/customSnapshot),
    C(/dedicated/nasha/*/partition/*/customSnapshot/*).
"""

EXAMPLES = r"""
# inventory/fleet.nasha.yml - every NAS-HA service of the account; credentials from OVH_* or ovh.conf
plugin: snapkeep.nasha.nasha

---
# Production services in Roubaix and Gravelines, grouped by datacenter and by IAM tag
plugin: snapkeep.nasha.nasha
endpoint: ovh-eu
consumer_key: "{{ vault_ovh_consumer_key }}"
datacenters: [rbx, gra]
iam_tags:
  environment: production
keyed_groups:
  - key: nasha_datacenter
    prefix: nasha_datacenter
  - key: nasha_iam_tags
    prefix: nasha_tag
groups:
  nasha_services: true
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-nasha
cache_timeout: 3600

---
# With the snapshot schedule and custom snapshots of every partition
plugin: snapkeep.nasha.nasha
service_names: ["zpool-1*"]
fetch_snapshots: true
strict_permissions: false
"""

import time

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import (
    CREDENTIAL_NAMES,
    SECRET_NAMES,
    OvhApiError,
    scrub,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import OvhApi
from ansible_collections.snapkeep.nasha.plugins.module_utils._connection import account_fingerprint, build_client
from ansible_collections.snapkeep.nasha.plugins.module_utils._fleet import (
    FleetFilter,
    FleetReader,
    host_variables,
    request_expanded_lists,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._option_limits import limits_problem

# Options that may be templates (credentials from a vault or extra variables).
TEMPLATED_OPTIONS = ("endpoint",) + CREDENTIAL_NAMES
CACHE_FORMAT = 1


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    """One host per OVHcloud NAS-HA service."""

    NAME = "snapkeep.nasha.nasha"

    def __init__(self):
        super().__init__()
        self._connection = {}

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".nasha.yml", ".nasha.yaml"))

    # -- options

    def _templated(self, name):
        value = self.get_option(name)
        if isinstance(value, str) and value:
            value = self.templar.template(value)
        return value

    def _read_connection(self):
        connection = dict((name, self._templated(name)) for name in TEMPLATED_OPTIONS)
        connection["api_timeout"] = self.get_option("api_timeout")
        connection["api_retries"] = self.get_option("api_retries")
        connection["max_requests_per_second"] = self.get_option("max_requests_per_second")
        return connection

    def _secrets(self):
        return [self._connection.get(name) for name in SECRET_NAMES]

    def _fleet_filter(self):
        try:
            return FleetFilter(names=self.get_option("service_names"), datacenters=self.get_option("datacenters"),
                               disk_types=self.get_option("disk_types"), iam_tags=self.get_option("iam_tags"))
        except ValueError as error:
            raise AnsibleParserError("Invalid option: %s" % error) from None

    def _fingerprint(self, fleet_filter):
        """What the cached answers depend on: the account they came from and what was asked (no secret in clear)."""
        return dict(format=CACHE_FORMAT, account=account_fingerprint(self._connection), filter=fleet_filter.fingerprint(),
                    fetch_snapshots=bool(self.get_option("fetch_snapshots")))

    # -- reading

    def _read_fleet(self, fleet_filter):
        concurrency = self.get_option("max_concurrent_requests")
        problem = limits_problem(dict(max_concurrent_requests=concurrency))
        if concurrency is None or problem:
            raise AnsibleParserError(problem or "max_concurrent_requests must be 1 or more, not None")
        try:
            client = build_client(self._connection)
            request_expanded_lists(client, concurrency)
            reader = FleetReader(OvhApi(client, retries=self._connection["api_retries"], expanded_lists=True), max_workers=concurrency,
                                 fetch_snapshots=self.get_option("fetch_snapshots"),
                                 strict_permissions=self.get_option("strict_permissions"),
                                 warn=lambda text: self.display.warning(scrub(text, self._secrets())))
            started = time.monotonic()
            records = reader.read(fleet_filter)
            self.display.vvv("snapkeep.nasha.nasha: read %d services in %.3f s, %d requests at most in flight"
                             % (len(records), time.monotonic() - started, concurrency))
            return records
        except OvhApiError as error:
            raise AnsibleError("snapkeep.nasha.nasha inventory: %s" % scrub(error.message, self._secrets())) from None

    def _cached_records(self, path, cache, fingerprint):
        if not (cache and self.get_option("cache")):
            return None
        try:
            cached = self._cache[self.get_cache_key(path)]
        except KeyError:
            return None
        if not isinstance(cached, dict) or cached.get("fingerprint") != fingerprint:
            return None
        return cached.get("records")

    # -- building

    def _add_host(self, record):
        strict = self.get_option("strict")
        hostvars = host_variables(record, fetch_snapshots=self.get_option("fetch_snapshots"))
        host = record["service"]["serviceName"]
        group = self.get_option("group")
        self.inventory.add_host(host, group=group)
        self.inventory.set_variable(host, "ansible_connection", "local")
        for key, value in hostvars.items():
            self.inventory.set_variable(host, key, value)
        self._set_composite_vars(self.get_option("compose"), hostvars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host, strict=strict)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        # Extra variables (-e) are available to templated options.
        self.templar.available_variables = self._vars
        self._read_config_data(path)
        try:
            self._connection = self._read_connection()
        except AnsibleError as error:
            raise AnsibleParserError("Could not template a connection option: %s" % to_native(error)) from None
        fleet_filter = self._fleet_filter()
        fingerprint = self._fingerprint(fleet_filter)
        records = self._cached_records(path, cache, fingerprint)
        from_cache = records is not None
        if not from_cache:
            records = self._read_fleet(fleet_filter)
        self.inventory.add_group(self.get_option("group"))
        for record in records:
            self._add_host(record)
        if self.get_option("cache") and not from_cache:
            self._cache[self.get_cache_key(path)] = {"fingerprint": fingerprint, "records": records}
