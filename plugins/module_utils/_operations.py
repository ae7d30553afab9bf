# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The body of nasha_snapshot_plan: validate a service's policy, read its partitions, plan each one.

The other modules hold their bodies themselves.
"""
from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import expiration_mismatch_warning
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import route_name_error
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError, OvhConnectionError
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._rotation import controller_wall_clock
from ansible_collections.snapkeep.nasha.plugins.module_utils._policy import (
    MODULE_NAMES,
    PolicyError,
    custom_snapshots_to_read,
    merge_policy,
    plan_partition,
)


def _check_route_names(nasha, **names):
    """Fail before any request when a service or partition name would change the route of a request."""
    for label, value in names.items():
        error = route_name_error(label, value)
        if error:
            nasha.fail(error)


def _manages_custom_snapshots(policy):
    return bool(policy["custom_snapshots"]) or policy["purge_custom_snapshots"] or bool(policy["custom_snapshot_rotations"])


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


def plan_service(nasha):
    """nasha_snapshot_plan: validate a service's policy, read its managed partitions and plan each one."""
    module = nasha.module
    params = module.params
    if params["max_concurrent_requests"] < 1:
        nasha.fail("max_concurrent_requests must be 1 or more")
    service_name = params["service_name"]
    _check_route_names(nasha, service_name=service_name)
    now = datetime.datetime.now(datetime.timezone.utc)
    for name in _merged(nasha, now):  # the whole policy is checked before any request
        _check_route_names(nasha, partition_name=name)
    client = NashaClient(nasha.api)
    # One read shows a partition that is not there (and a service that is not) before anything is planned.
    policies = _merged(nasha, now, _partition_names(nasha, client, service_name))
    for name in policies:  # the listed names go into routes too
        _check_route_names(nasha, partition_name=name)
    names = list(policies)

    with ThreadPoolExecutor(max_workers=params["max_concurrent_requests"]) as pool:
        reads = _Reads(pool, names)
        calls = dict(((name, "schedule"), (name, client.snapshot_types, (service_name, name))) for name in names)
        calls.update(((name, "custom"), (name, client.custom_snapshot_names, (service_name, name)))
                     for name in names if _manages_custom_snapshots(policies[name]))
        listed = reads.gather(calls)
        details = reads.gather(dict(
            ((name, listed_name), (name, client.custom_snapshot, (service_name, name, listed_name, True)))
            for name in names if (name, "custom") in listed
            for listed_name in custom_snapshots_to_read(policies[name], listed[(name, "custom")])
        ))

    if any(policy["custom_snapshot_rotations"] for policy in policies.values()):
        # OVHcloud's clock, not the controller's: rotation names and ages stay right whatever the controller's clock says.
        now = nasha.api.server_now()
    partitions = []
    for name in names:
        entry = dict(partition_name=name, policy=policies[name], snapshot_types_before=[], snapshot_types_after=[],
                     add=[], remove=[], create=[], delete=[], expiration_mismatches=[], expired=[], rotations=[],
                     errors=list(reads.errors[name]), changed=False, schedule_changed=False)
        partitions.append(entry)
        if entry["errors"]:
            continue
        existing = dict((listed_name, None) for listed_name in listed.get((name, "custom"), []))
        for (partition, listed_name), detail in details.items():
            if partition != name:
                continue
            if detail is None:  # gone between the list and the read: OVHcloud deletes expired ones itself
                existing.pop(listed_name, None)
            else:
                existing[listed_name] = detail["expiration"]
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
    result = dict(
        changed=False,
        check_mode=module.check_mode,
        partitions=partitions,
        deletions=[dict(partition_name=entry["partition_name"], name=name)
                   for entry in partitions if not entry["errors"] for name in entry["delete"]],
        creations=[dict(item, partition_name=entry["partition_name"])
                   for entry in partitions if not entry["errors"] for item in entry["create"]],
    )
    failed = [entry for entry in partitions if entry["errors"]]
    if failed and params["fail_on_errors"]:
        # Nothing may be applied: every partition's reason is given at once.
        nasha.fail("%s: the policy cannot be applied, nothing was changed: %s" % (service_name, "; ".join(
            "partition %s: %s" % (entry["partition_name"], "; ".join(entry["errors"])) for entry in failed)),
            errors=["partition %s: %s" % (entry["partition_name"], error) for entry in failed for error in entry["errors"]])
    return result
