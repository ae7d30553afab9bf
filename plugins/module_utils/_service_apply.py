# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Applying the plan of a whole service: every partition's writes at once, one writer thread per partition.

Partitions are independent, so their chains of tasks run side by side and the run lasts about as long as the
longest one. On a partition the writes keep their order: the schedule phases, then the custom snapshot deletions
(they make room under OVHcloud's limit), then the creations. The threads mostly wait for tasks; the requests in
flight are bounded at the transport (max_concurrent_requests).
"""
from __future__ import annotations

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import parse_duration, parse_expiration
from ansible_collections.snapkeep.nasha.plugins.module_utils._nasha_client import NashaClient
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import SchedulePlan, sort_snapshot_types
from ansible_collections.snapkeep.nasha.plugins.module_utils._service_plan import (
    plan_errors,
    plan_failure_message,
    read_and_plan,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._tasks import task_summary

# Writer threads of one run at most: beyond, partitions wait for a free writer (the requests are bounded anyway).
MAX_WRITERS = 32


def creation_expiration(item, now):
    """The expiration to send for a planned creation: a declared lifetime counts from `now` (the writes' start)."""
    if item.get("expires_in"):
        return (now + parse_duration(item["expires_in"])).replace(microsecond=0)
    if item.get("expiration"):
        return parse_expiration(item["expiration"])
    return None


def partition_phases(client, service_name, entry, now):
    """The phases of one partition's writes, in the order they go: schedule, deletions, creations."""
    partition_name = entry["partition_name"]
    schedule = SchedulePlan(before=list(entry["snapshot_types_before"]), after=list(entry["snapshot_types_after"]),
                            to_add=list(entry["add"]), to_remove=list(entry["remove"]))
    phases = client.schedule_writes(service_name, partition_name, schedule)
    if entry["delete"]:
        phases.append([client.custom_deletion(service_name, partition_name, listed_name) for listed_name in entry["delete"]])
    if entry["create"]:
        phases.append([client.custom_creation(service_name, partition_name, item["name"], creation_expiration(item, now))
                       for item in entry["create"]])
    return [phase for phase in phases if phase]


def _change_name(change):
    """"add day-1", "delete snap-x": one change of a WriteOutcome."""
    return "%s %s" % (change[0], change[1])


def _failure_text(change, message):
    if change[0] in ("add", "remove"):
        return "schedule: %s" % (message if message != "not attempted" else "%s: not attempted" % _change_name(change))
    return "%s %s: %s" % (change[0], change[1], message)


def partition_result(entry, outcome=None, custom_before=None, check_mode=False):
    """One partition of the module's result (see the role's summary): what changed (or would, in check mode),
    its failures, its mismatches, expired declarations and rotations. outcome: its WriteOutcome, None when
    nothing was sent (check mode, or nothing to change)."""
    if outcome is None:
        done = [] if not check_mode else (
            [("add", value) for value in entry["add"]] + [("remove", value) for value in entry["remove"]]
            + [("delete", value) for value in entry["delete"]] + [("create", item["name"]) for item in entry["create"]])
        failures = list(entry["errors"])
        tasks = []
    else:
        done = list(outcome.applied) + list(outcome.pending)
        failures = list(entry["errors"])
        failures += [_failure_text(change, message) for change, message in outcome.failed]
        if outcome.error is not None and not outcome.failed:
            # The wait ran out (or a task could not be read): the writes still pending may or may not be applied.
            failures += [_failure_text(change, str(outcome.error)) for change in outcome.pending]
        failures += [_failure_text(change, "not attempted") for change in outcome.not_attempted]
        tasks = [task_summary(task) for task in outcome.tasks]

    def changes(action):
        return [change[1] for change in done if change[0] == action]

    added, removed, created, deleted = changes("add"), changes("remove"), changes("create"), changes("delete")
    result = dict(
        partition_name=entry["partition_name"],
        changed=bool(added or removed or created or deleted),
        added=added, removed=removed, created=created, deleted=deleted,
        expiration_mismatches=[mismatch["name"] for mismatch in entry["expiration_mismatches"]],
        expired=list(entry["expired"]),
        rotations=list(entry["rotations"]),
        failures=failures,
        snapshot_types_before=list(entry["snapshot_types_before"]),
        snapshot_types_after=sort_snapshot_types(
            [value for value in entry["snapshot_types_before"] if value not in removed] + added),
        tasks=tasks,
    )
    if custom_before is not None:
        result["custom_snapshots_before"] = list(custom_before)
        result["custom_snapshots_after"] = sorted(set(name for name in custom_before if name not in deleted) | set(created))
    return result


def failure_message(result):
    """The one message of a run where partitions failed, naming each with its failures; "" when none failed."""
    failed = [partition for partition in result["partitions"] if partition["failures"]]
    if not failed:
        return ""
    return "%s: %s" % (result["service_name"], "; ".join(
        "partition %s failed: %s" % (partition["partition_name"], "; ".join(partition["failures"])) for partition in failed))


def partition_diff(partition):
    """Before and after of one partition, for diff mode."""
    sides = {}
    for side in ("before", "after"):
        sides[side] = dict(snapshot_types=partition["snapshot_types_" + side])
        if "custom_snapshots_" + side in partition:
            sides[side]["custom_snapshots"] = partition["custom_snapshots_" + side]
    return dict(before_header="partition %s" % partition["partition_name"],
                after_header="partition %s" % partition["partition_name"], **sides)


def apply_partitions(api, service_name, entries, deadline, fail_fast, now=None):
    """{partition name: WriteOutcome} of every entry with changes, each partition's writes in its own thread.

    With fail_fast, the first failure anywhere stops every writer: what they have not sent yet is not attempted.
    """
    stop = threading.Event() if fail_fast else None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    client = NashaClient(api)

    def write_partition(entry):
        phases = partition_phases(client, service_name, entry, now)
        return client.apply_phases(service_name, entry["partition_name"], phases, deadline, wait=True, stop=stop)

    writing = [entry for entry in entries if entry["changed"] and not entry["errors"]]
    if not writing:
        return {}
    with ThreadPoolExecutor(max_workers=min(len(writing), MAX_WRITERS)) as pool:
        outcomes = list(pool.map(write_partition, writing))
    return dict((entry["partition_name"], outcome) for entry, outcome in zip(writing, outcomes))


def apply_service_policy(nasha):
    """nasha_snapshot_policy: plan a service's policy as nasha_snapshot_plan does, then apply every partition's
    changes at once; fail once, naming every failed partition, with the whole result."""
    module = nasha.module
    params = module.params
    entries, custom_before = read_and_plan(nasha)
    service_name = params["service_name"]
    message = plan_failure_message(service_name, entries)
    if message:
        # A policy that cannot hold: nothing is written on the service, every partition's reason at once.
        nasha.fail(message, errors=plan_errors(entries), changed=False)

    outcomes = {}
    if not module.check_mode:
        outcomes = apply_partitions(nasha.api, service_name, entries, nasha.api.deadline(params["wait_timeout"]),
                                    params["fail_fast"])
    partitions = [partition_result(entry, outcomes.get(entry["partition_name"]), custom_before.get(entry["partition_name"]),
                                   module.check_mode)
                  for entry in entries]
    result = dict(changed=any(partition["changed"] for partition in partitions), check_mode=module.check_mode,
                  service_name=service_name, partitions=partitions)
    if module._diff:
        result["diff"] = [partition_diff(partition) for partition in partitions if partition["changed"] or partition["failures"]]
    message = failure_message(result)
    if message:
        nasha.fail(message, **result)
    return result
