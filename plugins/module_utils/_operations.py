# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What each module does, from its parameters to its result: read, plan, write only the difference.

The modules hold their argument spec and documentation; this file wires the pure planners of `_nasha`
to the reads and writes of `_nasha_client`, with check mode and diff mode.
"""
from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import (
    custom_name_error,
    expiration_mismatch_warning,
    find_custom_snapshot,
    plan_custom_snapshot,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import (
    lifetime_mismatch,
    parse_duration,
    parse_expiration,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import (
    partition_path,
    route_name_error,
    service_path,
    share_sources,
    snapshot_path,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import plan_schedule
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import task_summary
from ansible_collections.snapkeep.nasha.plugins.module_utils._access import blocks_to_read, declared_entries, plan_access
from ansible_collections.snapkeep.nasha.plugins.module_utils._access_client import AccessClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._service_plan import (
    plan_errors,
    plan_failure_message,
    read_and_plan,
)


def _check_route_names(nasha, **names):
    """Fail before any request when a service or partition name would change the route of a request."""
    for label, value in names.items():
        error = route_name_error(label, value)
        if error:
            nasha.fail(error)


def _change_text(change):
    """"add day-1", "remove hour-1", "delete snap-x": one change of a WriteOutcome, as the messages say it."""
    return "%s %s" % (change[0], change[1])


def _outcome_message(outcome):
    """The first error, then what was applied, what failed and what was not attempted."""
    parts = [str(outcome.error)]
    for label, changes in (("applied", outcome.applied), ("still pending", outcome.pending),
                           ("failed", [change for change, dummy in outcome.failed]),
                           ("not attempted", outcome.not_attempted)):
        parts.append("%s: %s" % (label, ", ".join(_change_text(change) for change in changes) or "none"))
    return "; ".join(parts)


def _fail_with_outcome(nasha, outcome, **result):
    """Fail with the outcome's message, the facts of its first error (HTTP status, query id...) and `result`."""
    kwargs = outcome.error.to_fail_kwargs() if hasattr(outcome.error, "to_fail_kwargs") else {}
    kwargs.pop("msg", None)
    kwargs.update(result)
    nasha.fail(_outcome_message(outcome), **kwargs)


def _schedule_changes(changes, action):
    return [change.snapshot_type for change in changes if change.action == action]


def ensure_schedule(nasha):
    """nasha_snapshot_schedule: make the scheduled snapshot types of one partition match the declaration."""
    module = nasha.module
    params = module.params
    service_name, partition_name = params["service_name"], params["partition_name"]
    _check_route_names(nasha, service_name=service_name, partition_name=partition_name)
    client = NashaClient(nasha.api)

    plan = plan_schedule(client.snapshot_types(service_name, partition_name), params["snapshot_types"],
                         params["state"], params["purge"])
    tasks = []
    if plan.changed and not module.check_mode:
        deadline = nasha.api.deadline(params["wait_timeout"])
        outcome = client.apply_schedule(service_name, partition_name, plan, deadline, wait=params["wait"])
        tasks = outcome.tasks
        if outcome.error is not None:
            done = outcome.applied + outcome.pending
            _fail_with_outcome(
                nasha, outcome,
                changed=outcome.changed,
                added=_schedule_changes(done, "add"),
                removed=_schedule_changes(done, "remove"),
                failed_changes=[dict(action=change.action, snapshot_type=change.snapshot_type, error=message)
                                for change, message in outcome.failed],
                not_attempted=[dict(action=change.action, snapshot_type=change.snapshot_type) for change in outcome.not_attempted],
                tasks=[task_summary(task) for task in tasks],
            )

    result = dict(
        changed=plan.changed,
        snapshot_types=list(plan.after),
        added=list(plan.to_add),
        removed=list(plan.to_remove),
        tasks=[task_summary(task) for task in tasks],
    )
    if module._diff:
        result["diff"] = dict(before=dict(snapshot_types=list(plan.before)), after=dict(snapshot_types=list(plan.after)))
    return result


def _declared_expiration(nasha, params, now):
    """The expiration to compare and to send, validated before any request."""
    if params["state"] == "absent" and (params["expiration"] is not None or params["expires_in"] is not None):
        nasha.fail("state=absent takes no %s: a snapshot is deleted whatever its expiration"
                   % ("expiration" if params["expiration"] is not None else "expires_in"))
    if params["expiration"] is not None:
        try:
            expiration = parse_expiration(params["expiration"])
        except ValueError as exc:
            nasha.fail(str(exc))
        if expiration <= now:
            nasha.fail("expiration: %s is in the past (it is now %s UTC)" % (params["expiration"], now.strftime("%Y-%m-%dT%H:%M:%SZ")))
        return expiration, expiration
    if params["expires_in"] is not None:
        try:
            lifetime = parse_duration(params["expires_in"])
        except ValueError as exc:
            nasha.fail("expires_in: %s" % exc)
        # Counted from the creation; an existing snapshot keeps its own, so there is nothing to compare.
        return None, (now + lifetime).replace(microsecond=0)
    return None, None


def ensure_custom_snapshot(nasha):
    """nasha_custom_snapshot: create or delete one named snapshot; never recreate one to change its expiration."""
    module = nasha.module
    params = module.params
    service_name, partition_name, name = params["service_name"], params["partition_name"], params["name"]
    _check_route_names(nasha, service_name=service_name, partition_name=partition_name)
    now = datetime.datetime.now(datetime.timezone.utc)
    compared_expiration, creation_expiration = _declared_expiration(nasha, params, now)
    if params["state"] == "present":
        error = custom_name_error(name)
        if error:
            nasha.fail("name: %s" % error)

    client = NashaClient(nasha.api)
    # The names, and for present the one snapshot concerned (the others only count towards OVHcloud's limit).
    # absent needs no detail: a snapshot that expires between the list and a detail read would fail the run
    # although absent holds (diff mode reads it, and takes one gone meanwhile as absent).
    names = client.custom_snapshot_names(service_name, partition_name)
    existing = dict((listed, None) for listed in names)
    listed_name = find_custom_snapshot(names, name)
    if listed_name is not None and (params["state"] == "present" or module._diff):
        detail = client.custom_snapshot(service_name, partition_name, listed_name, missing_ok=params["state"] == "absent")
        if detail is None:
            existing.pop(listed_name)
            listed_name = find_custom_snapshot(existing, name)
        else:
            existing[listed_name] = detail["expiration"]

    try:
        plan = plan_custom_snapshot(existing, name, params["state"],
                                    compared_expiration if listed_name is not None else creation_expiration)
    except ValueError as exc:
        nasha.fail(str(exc))

    mismatch = plan.expiration_mismatch
    if listed_name is not None and params["state"] == "present" and params["expires_in"] is not None:
        mismatch = lifetime_mismatch(existing[listed_name], parse_duration(params["expires_in"]), now)
    result = dict(changed=plan.action is not None, expiration_mismatch=mismatch)
    snapshot = plan.after
    if mismatch and params["expiration_mismatch"] != "ignore":
        message = expiration_mismatch_warning(service_name, partition_name, listed_name, plan.before["expiration"],
                                              params["expiration"], params["expires_in"])
        if params["expiration_mismatch"] == "fail":
            nasha.fail(message, expiration_mismatch=True, changed=False)
        module.warn(message)
    if plan.action and not module.check_mode:
        deadline = nasha.api.deadline(params["wait_timeout"])
        if plan.action == "create":
            task = client.create_custom_snapshot(service_name, partition_name, name, creation_expiration, deadline,
                                                 wait=params["wait"])
            if params["wait"]:
                # Report the name as OVHcloud lists it and the expiration as it stores it.
                snapshot = client.lookup_custom_snapshot(service_name, partition_name, name) or snapshot
        else:
            outcome = client.delete_custom_snapshots(service_name, partition_name, plan.listed_names, deadline,
                                                     wait=params["wait"])
            if outcome.error is not None:
                _fail_with_outcome(nasha, outcome, changed=outcome.changed,
                                   deleted=[change[1] for change in outcome.applied + outcome.pending],
                                   tasks=[task_summary(task) for task in outcome.tasks])
            task = outcome.tasks[0]
            result["deleted"] = list(plan.listed_names)
            result["tasks"] = [task_summary(each) for each in outcome.tasks]
        result["task"] = task_summary(task)

    if snapshot is not None:
        snapshot = dict(snapshot, service_name=service_name, partition_name=partition_name, path=snapshot_path(snapshot["name"]))
    result["snapshot"] = snapshot
    if module._diff:
        result["diff"] = dict(before=_diff_side(plan.before, name), after=_diff_side(plan.after, name))
    return result


def _diff_side(snapshot, name):
    if snapshot is None:
        return dict(state="absent", name=name, expiration=None)
    return dict(state="present", name=snapshot["name"], expiration=snapshot["expiration"])


def collect_snapshot_info(nasha):
    """nasha_snapshot_info: services, their partitions, each one's schedule and custom snapshots.

    Reads run a few at a time (max_concurrent_requests), level by level, so that no read waits on another
    inside the pool.
    """
    params = nasha.module.params
    if params["max_concurrent_requests"] < 1:
        nasha.fail("max_concurrent_requests must be 1 or more")
    for label in ("service_name", "partition_name"):
        if params[label] is not None:
            _check_route_names(nasha, **{label: params[label]})
    client = NashaClient(nasha.api)
    service_names = [params["service_name"]] if params["service_name"] else sorted(client.service_names())

    with ThreadPoolExecutor(max_workers=params["max_concurrent_requests"]) as pool:
        if params["partition_name"]:
            partition_lists = [[params["partition_name"]]]
        else:
            partition_lists = [sorted(names) for names in pool.map(client.partition_names, service_names)]
        pairs = [(service_name, partition_name)
                 for service_name, partitions in zip(service_names, partition_lists) for partition_name in partitions]
        schedules = list(pool.map(lambda pair: client.snapshot_types(*pair), pairs))
        # One read per service (its IP) and one per partition (protocol, space used by snapshots).
        service_details, partition_details = [None] * len(service_names), [None] * len(pairs)
        if params["share_details"]:
            service_details = list(pool.map(
                lambda name: nasha.api.get(service_path(name), "read service %s" % name) or {}, service_names))
            partition_details = list(pool.map(
                lambda pair: nasha.api.get(partition_path(*pair), "read partition %s of service %s" % (pair[1], pair[0])) or {},
                pairs))
        custom_lists = [[] for dummy in pairs]
        if params["custom_snapshots"]:
            name_lists = list(pool.map(lambda pair: sorted(client.custom_snapshot_names(*pair)), pairs))
            wanted = [(pair, name) for pair, names in zip(pairs, name_lists) for name in names]
            details = list(pool.map(lambda item: client.custom_snapshot(item[0][0], item[0][1], item[1], missing_ok=True), wanted))
            by_pair = dict((pair, []) for pair in pairs)
            for (pair, name), detail in zip(wanted, details):
                if detail is not None:  # gone between the list and the read: OVHcloud deletes expired ones itself
                    by_pair[pair].append(detail)
            custom_lists = [by_pair[pair] for pair in pairs]

    services = dict((service_name, dict(service_name=service_name, partitions=[])) for service_name in service_names)
    for service_name, detail in zip(service_names, service_details):
        if detail is not None:
            services[service_name]["ip"] = detail.get("ip")
    for (service_name, partition_name), snapshot_types, custom_snapshots, detail in zip(
            pairs, schedules, custom_lists, partition_details):
        partition = dict(partition_name=partition_name, snapshot_types=snapshot_types,
                         custom_snapshots=[dict(snapshot, path=snapshot_path(snapshot["name"])) for snapshot in custom_snapshots])
        if detail is not None:
            nfs_export, cifs_share = share_sources(services[service_name]["ip"], service_name, partition_name,
                                                   detail.get("protocol"))
            partition.update(protocol=detail.get("protocol"), nfs_export=nfs_export, cifs_share=cifs_share,
                             used_by_snapshots=detail.get("usedBySnapshots"))
        services[service_name]["partitions"].append(partition)
    return dict(changed=False, services=[services[service_name] for service_name in service_names])


def plan_service(nasha):
    """nasha_snapshot_plan: validate a service's policy, read its managed partitions and plan each one."""
    partitions, dummy = read_and_plan(nasha)
    result = dict(
        changed=False,
        check_mode=nasha.module.check_mode,
        partitions=partitions,
        deletions=[dict(partition_name=entry["partition_name"], name=name)
                   for entry in partitions if not entry["errors"] for name in entry["delete"]],
        creations=[dict(item, partition_name=entry["partition_name"])
                   for entry in partitions if not entry["errors"] for item in entry["create"]],
    )
    message = plan_failure_message(nasha.module.params["service_name"], partitions)
    if message and nasha.module.params["fail_on_errors"]:
        # Nothing may be applied: every partition's reason is given at once.
        nasha.fail(message, errors=plan_errors(partitions))
    return result


def ensure_partition_access(nasha):
    """nasha_partition_access: allow or remove IP blocks on one partition; with purge, exactly the declared list."""
    module = nasha.module
    params = module.params
    service_name, partition_name = params["service_name"], params["partition_name"]
    _check_route_names(nasha, service_name=service_name, partition_name=partition_name)
    if params["ip"] is not None:
        entries = [dict(ip=params["ip"], type=params["type"], description=params["description"])]
    else:
        entries = params["access_list"]
    try:
        declared = declared_entries(entries)
    except ValueError as exc:
        nasha.fail(str(exc))
    if params["purge"] and params["state"] == "absent":
        nasha.fail("purge applies with state=present only")

    client = AccessClient(nasha.api)
    listed = client.access_blocks(service_name, partition_name)
    current = dict((block, None) for block in listed)
    for block in blocks_to_read(listed, declared, params["state"], params["purge"]):
        current[block] = client.access_entry(service_name, partition_name, listed[block])
    plan = plan_access(current, declared, params["state"], params["purge"])

    tasks = []
    if plan.changed and not module.check_mode:
        deadline = nasha.api.deadline(params["wait_timeout"])
        outcome = client.apply_access(service_name, partition_name, plan, listed, deadline, wait=params["wait"])
        tasks = outcome.tasks
        if outcome.error is not None:
            _fail_with_outcome(nasha, outcome, changed=outcome.changed,
                               tasks=[task_summary(task) for task in tasks])
    declared_ips = set(entry.ip for entry in declared)

    def shown(access_entries):
        # Without purge only the declared blocks are read and reported.
        return list(access_entries) if params["purge"] else [entry for entry in access_entries if entry["ip"] in declared_ips]

    result = dict(
        changed=plan.changed,
        access=shown(plan.after),
        added=[entry["ip"] for entry in plan.to_add if entry["ip"] not in plan.replaced],
        removed=[block for block in plan.to_remove if block not in plan.replaced],
        replaced=list(plan.replaced),
        tasks=[task_summary(task) for task in tasks],
    )
    if module._diff:
        result["diff"] = dict(before=dict(access=shown(plan.before)), after=dict(access=shown(plan.after)))
    return result
