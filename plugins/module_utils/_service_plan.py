# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading a service's managed partitions and planning each one: what nasha_snapshot_plan returns and what
nasha_snapshot_policy applies.

The whole policy is validated before any request; the partitions are read a few requests at a time. The custom
snapshots are listed expanded (one answer holding their expirations, as OVHcloud's control panel asks for them);
where the server answers the plain list of names, each snapshot whose expiration is compared is read on its own.
"""
from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.snapkeep.nasha.plugins.module_utils._base import CONCURRENCY_ARGUMENT_SPEC, NashaModule
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError, OvhConnectionError
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import EXPANDED_LIST_HEADERS, expanded_list_request, install_transport
from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import expiration_mismatch_warning
from ansible_collections.snapkeep.nasha.plugins.module_utils._fleet import listed_items
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._policy import (
    VOLUPTUOUS_IMPORT_ERROR,
    VOLUPTUOUS_IMPORT_TRACEBACK,
    MODULE_NAMES,
    PolicyError,
    custom_snapshots_to_read,
    merge_policy,
    plan_partition,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._rotation import controller_wall_clock
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import custom_snapshots_path

# An expiration not given by the list answer (names only): read on its own where the plan compares it.
UNREAD = object()


# The options declaring a policy, as nasha_snapshot_plan and nasha_snapshot_policy take them (doc fragment: policy).
POLICY_ARGUMENT_SPEC = dict(
    service_name=dict(type="str", required=True),
    templates=dict(type="dict"),
    defaults=dict(type="dict"),
    partitions=dict(type="list", elements="raw"),
    all_partitions=dict(type="bool", default=False),
    expiration_mismatch=dict(type="str", choices=["warn", "ignore", "fail"], default="warn"),
    message_names=dict(type="dict", options=dict(
        templates=dict(type="str"),
        defaults=dict(type="str"),
        partitions=dict(type="str"),
    )),
)


def policy_module(**extra_spec):
    """The NashaModule of a module taking a policy (nasha_snapshot_plan, nasha_snapshot_policy): the policy options,
    max_concurrent_requests and extra_spec; voluptuous is required."""
    argument_spec = dict(POLICY_ARGUMENT_SPEC, **CONCURRENCY_ARGUMENT_SPEC)
    argument_spec.update(extra_spec)
    return NashaModule(argument_spec, supports_check_mode=True,
                       libraries=[("voluptuous", VOLUPTUOUS_IMPORT_ERROR, VOLUPTUOUS_IMPORT_TRACEBACK)])


def bound_requests(nasha):
    """At most max_concurrent_requests requests of this run in flight, whatever the number of threads."""
    limit = nasha.module.params["max_concurrent_requests"]
    install_transport(nasha.api.client, pool_maxsize=max(10, limit), max_in_flight=limit)


def manages_custom_snapshots(policy):
    return bool(policy["custom_snapshots"]) or policy["purge_custom_snapshots"] or bool(policy["custom_snapshot_rotations"])


def listed_custom_snapshots(answer, where):
    """{listed name: expiration} of a custom snapshot list answer; UNREAD where it gave the name alone."""
    snapshots = {}
    for item in listed_items(answer, "name", "custom snapshots of %s" % where):
        if isinstance(item, dict):
            snapshots[str(item["name"])] = item.get("expiration")
        else:
            snapshots[item] = UNREAD
    return snapshots


def read_custom_snapshot_list(client, service_name, partition_name):
    """The custom snapshots of a partition in one request: with their expirations where the server honours the
    expanded list, else their names (UNREAD)."""
    where = "partition %s on service %s" % (partition_name, service_name)
    with expanded_list_request(EXPANDED_LIST_HEADERS):
        answer = client.api.get(custom_snapshots_path(service_name, partition_name), "list the custom snapshots of %s" % where)
    return listed_custom_snapshots(answer, where)


def _merged(nasha, now, discovered_partitions=None):
    params = nasha.module.params
    names = dict(MODULE_NAMES, **dict((key, value) for key, value in (params["message_names"] or {}).items() if value))
    try:
        return merge_policy(params["service_name"], params["templates"], params["defaults"], params["partitions"],
                            discovered_partitions=discovered_partitions, all_partitions=params["all_partitions"],
                            now=now, names=names)
    except PolicyError as exc:
        nasha.fail(str(exc), errors=exc.errors)


def _partition_names(nasha, client, service_name):
    """The service's partitions (one read); a service the key cannot see fails with one sentence."""
    try:
        return client.partition_names(service_name)
    except OvhApiError as exc:
        if exc.status == 404:
            nasha.fail("service %s does not exist (or this key cannot see it)" % service_name,
                       http_status=404, error_code=exc.error_code)
        raise


class _Reads:
    """The state of each partition, read a level at a time; a partition whose read fails keeps its error.

    An OvhConnectionError (unreachable endpoint, refused credentials) is about no partition: it ends the run.
    """

    def __init__(self, pool, names):
        self.pool = pool
        self.errors = dict((name, []) for name in names)

    def gather(self, calls):
        """{key: result} of calls {key: (partition name, function, args)}; failures go to that partition's errors."""
        futures = dict((key, (partition, self.pool.submit(function, *args))) for key, (partition, function, args) in calls.items())
        results = {}
        for key, (partition, future) in futures.items():
            try:
                results[key] = future.result()
            except OvhConnectionError:
                raise  # not about this partition: it ends the run, said once
            except OvhApiError as exc:
                self.errors[partition].append(str(exc))
        return results


def read_and_plan(nasha):
    """Validate a service's policy, read its managed partitions and plan each one.

    Returns (partitions, custom_before): one entry per managed partition (policy, snapshot_types_before/after, add,
    remove, create, delete, expiration_mismatches, expired, rotations, errors, changed, schedule_changed) and
    {partition name: sorted custom snapshot names read} for the partitions whose custom snapshots were read.
    """
    module = nasha.module
    params = module.params
    service_name = params["service_name"]
    nasha.check_route_names(service_name=service_name)
    now = datetime.datetime.now(datetime.timezone.utc)
    for name in _merged(nasha, now):  # the whole policy is checked before any request
        nasha.check_route_names(partition_name=name)
    bound_requests(nasha)
    client = NashaClient(nasha.api)
    # One read shows a partition that is not there (and a service that is not) before anything is planned.
    policies = _merged(nasha, now, _partition_names(nasha, client, service_name))
    for name in policies:  # the listed names go into routes too
        nasha.check_route_names(partition_name=name)
    names = list(policies)

    with ThreadPoolExecutor(max_workers=params["max_concurrent_requests"]) as pool:
        reads = _Reads(pool, names)
        calls = dict(((name, "schedule"), (name, client.snapshot_types, (service_name, name))) for name in names)
        calls.update(((name, "custom"), (name, read_custom_snapshot_list, (client, service_name, name)))
                     for name in names if manages_custom_snapshots(policies[name]))
        listed = reads.gather(calls)
        details = reads.gather(dict(
            ((name, listed_name), (name, client.custom_snapshot, (service_name, name, listed_name, True)))
            for name in names if (name, "custom") in listed
            for listed_name in custom_snapshots_to_read(policies[name], listed[(name, "custom")])
            if listed[(name, "custom")][listed_name] is UNREAD
        ))

    if any(policy["custom_snapshot_rotations"] for policy in policies.values()):
        # OVHcloud's clock, not the controller's: rotation names and ages stay right whatever the controller's clock says.
        now = nasha.api.server_now()
    partitions = []
    custom_before = {}
    for name in names:
        entry = dict(partition_name=name, policy=policies[name], snapshot_types_before=[], snapshot_types_after=[],
                     add=[], remove=[], create=[], delete=[], expiration_mismatches=[], expired=[], rotations=[],
                     errors=list(reads.errors[name]), changed=False, schedule_changed=False)
        partitions.append(entry)
        if entry["errors"]:
            continue
        existing = dict((listed_name, None if expiration is UNREAD else expiration)
                        for listed_name, expiration in listed.get((name, "custom"), {}).items())
        for (partition, listed_name), detail in details.items():
            if partition != name:
                continue
            if detail is None:  # gone between the list and the read: OVHcloud deletes expired ones itself
                existing.pop(listed_name, None)
            else:
                existing[listed_name] = detail["expiration"]
        if (name, "custom") in listed:
            custom_before[name] = sorted(existing)
        plan = plan_partition(policies[name], listed[(name, "schedule")], existing, now, params["expiration_mismatch"],
                              controller_wall_clock)
        entry.update(plan._asdict(), changed=plan.changed, schedule_changed=bool(plan.add or plan.remove))
        entry["errors"] = list(plan.errors)
        if params["expiration_mismatch"] == "warn":
            for mismatch in plan.expiration_mismatches:
                module.warn(expiration_mismatch_warning(service_name, name, mismatch["name"], mismatch["expiration"],
                                                        mismatch["declared_expiration"], mismatch["declared_expires_in"]))
        for expired in plan.expired:
            module.warn("custom snapshot %s of partition %s on service %s is not created: its declared expiration has passed."
                        % (expired, name, service_name))
    return partitions, custom_before


def plan_failure_message(service_name, partitions):
    """The one message of a plan that cannot be carried out, every partition's reason at once; "" when none."""
    failed = [entry for entry in partitions if entry["errors"]]
    if not failed:
        return ""
    return "%s: the policy cannot be applied, nothing was changed: %s" % (service_name, "; ".join(
        "partition %s: %s" % (entry["partition_name"], "; ".join(entry["errors"])) for entry in failed))


def plan_errors(partitions):
    return ["partition %s: %s" % (entry["partition_name"], error) for entry in partitions for error in entry["errors"]]
