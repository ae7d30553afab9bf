# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Partition-wide snapshot policies: validate and merge what the inventory declares, and plan each partition.

A policy is declared in three layers (defaults, named templates, the partition's own keys). Each layer is
validated on its own, so that every message points at the variable the user wrote, then the layers are merged
key by key: the partition's own keys win over its template, which wins over the defaults.

Everything here is pure: no HTTP and no AnsibleModule. The plans come from the planners of `_nasha`.
"""
from __future__ import annotations

import difflib
import traceback
import typing

from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

from ansible_collections.snapkeep.nasha.plugins.module_utils._custom_snapshots import (
    CUSTOM_NAME_PREFIX,
    EXPIRATION_MISMATCH_CHOICES,
    MAX_CUSTOM_SNAPSHOTS,
    custom_name_error,
    find_custom_snapshot,
    plan_custom_snapshot,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._schedule import (
    SNAPSHOT_TYPES,
    STATES,
    plan_schedule,
    sort_snapshot_types,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._expiration import (
    format_expiration,
    lifetime_mismatch,
    parse_duration,
    parse_expiration,
    resolve_expiration,
    same_instant,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils import _rotation

try:
    import voluptuous as vol
except ImportError as exc:  # reported by the modules that import this file, with missing_required_lib
    vol = None
    VOLUPTUOUS_IMPORT_ERROR = exc
    VOLUPTUOUS_IMPORT_TRACEBACK = traceback.format_exc()
else:
    VOLUPTUOUS_IMPORT_ERROR = None
    VOLUPTUOUS_IMPORT_TRACEBACK = None


# The names under which the role declares the layers; messages use them since that is what users write.
TEMPLATES_VARIABLE = "nasha_snapshot_policy_templates"
DEFAULTS_VARIABLE = "nasha_snapshot_policy_defaults"
PARTITIONS_VARIABLE = "nasha_snapshot_policy_partitions"
ROLE_NAMES = {"templates": TEMPLATES_VARIABLE, "defaults": DEFAULTS_VARIABLE, "partitions": PARTITIONS_VARIABLE}
# The same layers as options of the module nasha_snapshot_plan.
MODULE_NAMES = {"templates": "templates", "defaults": "defaults", "partitions": "partitions"}

POLICY_KEYS = ("snapshot_types", "purge_snapshot_types", "custom_snapshots", "purge_custom_snapshots")
# Rotations and the purge scope (see _rotation); kept apart so that the keys above keep their order in messages.
POLICY_KEYS += ("custom_snapshot_rotations", "purge_custom_snapshots_prefix")
ROTATION_KEYS = ("label", "every", "keep", "prefix")
PARTITION_KEYS = ("name", "policy") + POLICY_KEYS
CUSTOM_SNAPSHOT_KEYS = ("name", "expiration", "expires_in", "state")

# What a partition gets for a key no layer declares. No snapshot_types means the schedule is left as it is.
POLICY_DEFAULTS = {
    "snapshot_types": None,
    "purge_snapshot_types": True,
    "custom_snapshots": [],
    "purge_custom_snapshots": False,
    "custom_snapshot_rotations": [],
    "purge_custom_snapshots_prefix": None,
}

_BOTH_EXPIRATIONS = "give either expiration or expires_in, not both"
_EMPTY_SCHEDULE = ("must not be empty: OVHcloud's automatic snapshots cannot be disabled (see its NAS-HA FAQ); "
                   "leave snapshot_types out to keep the schedule as it is")


class PolicyError(ValueError):
    """The declared policy is not valid; `errors` holds every message, each naming the service and the path."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


# --------------------------------------------------------------------------------------------
# Value validators (voluptuous calls them; each raises vol.Invalid with a sentence)
# --------------------------------------------------------------------------------------------


def _text(value):
    if not isinstance(value, str) or not value:
        raise vol.Invalid("must be a non-empty text, not %r" % (value,))
    return value


def _boolean(value):
    """A boolean; the texts Ansible reads as booleans ("yes", "false", ...) are accepted, as in module options."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in BOOLEANS_TRUE:
        return True
    if isinstance(value, str) and value.lower() in BOOLEANS_FALSE:
        return False
    raise vol.Invalid("must be a boolean (true or false), not %r" % (value,))


def _snapshot_type(value):
    if value not in SNAPSHOT_TYPES:
        raise vol.Invalid("unknown snapshot type %r; valid types are %s" % (value, ", ".join(SNAPSHOT_TYPES)))
    return value


def _custom_name(value):
    error = custom_name_error(value)
    if error:
        raise vol.Invalid(error)
    return value


def _accepted_by(parser):
    """A validator keeping a value as written once `parser` (one of _nasha's) accepts it."""
    def validate(value):
        try:
            parser(value)
        except ValueError as exc:
            raise vol.Invalid(str(exc))
        return value
    return validate


_expiration = _accepted_by(parse_expiration)
_duration = _accepted_by(parse_duration)


def _rotation_text(what):
    def validate(value):
        error = _rotation.label_error(value, what)
        if error:
            raise vol.Invalid(error)
        return value
    return validate


def _rotation_every(value):
    error = _rotation.every_error(value)
    if error:
        raise vol.Invalid(error)
    return value


def _keep(value):
    """How many snapshots a rotation keeps: 1 to OVHcloud's limit; a text of digits is accepted (templated values)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_CUSTOM_SNAPSHOTS:
        raise vol.Invalid("must be a whole number from 1 to %d, not %r" % (MAX_CUSTOM_SNAPSHOTS, value))
    return value


def _purge_prefix(value):
    if not isinstance(value, str) or not value or custom_name_error(value):
        raise vol.Invalid("must be the start of a custom snapshot name (letters, digits, '.', ':' and '-'), such as "
                          "snapkeep-, not %r" % (value,))
    return value


def _state(value):
    if value not in STATES:
        raise vol.Invalid("must be one of %s, not %r" % (", ".join(STATES), value))
    return value


def _optional(validator):
    """`validator`, or None (a key written without a value)."""
    def validate(value):
        return None if value is None else validator(value)
    return validate


def _list_of(validator, item_errors=None):
    """A list whose items all pass `validator`; every problem of every item is reported, not only the first.

    `item_errors(item)` returns further problems of one item (as vol.Invalid, with paths relative to it).
    """
    def validate(value):
        if not isinstance(value, list):
            raise vol.Invalid("must be a list, not %r" % (value,))
        items, errors = [], []
        for index, item in enumerate(value):
            problems = []
            try:
                items.append(validator(item))
            except vol.MultipleInvalid as exc:
                problems.extend(exc.errors)
            except vol.Invalid as exc:
                problems.append(exc)
            if item_errors is not None:
                problems.extend(item_errors(item))
            for problem in problems:
                problem.prepend([index])
                errors.append(problem)
        if errors:
            raise vol.MultipleInvalid(errors)
        return items
    return validate


def _not_empty(validator):
    def validate(value):
        if isinstance(value, list) and not value:
            raise vol.Invalid(_EMPTY_SCHEDULE)
        return validator(value)
    return validate


def _expiration_conflict(item):
    if not isinstance(item, dict):
        return []
    if item.get("expiration") is not None and item.get("expires_in") is not None:
        return [vol.Invalid(_BOTH_EXPIRATIONS)]
    if item.get("state") == "absent" and (item.get("expiration") is not None or item.get("expires_in") is not None):
        return [vol.Invalid("a snapshot declared absent takes no expiration or expires_in")]
    return []


# --------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------


def _custom_snapshot_schema():
    return vol.Schema({
        vol.Required("name"): _custom_name,
        vol.Optional("expiration"): _optional(_expiration),
        vol.Optional("expires_in"): _optional(_duration),
        vol.Optional("state", default="present"): _state,
    })


def _rotation_schema():
    return vol.Schema({
        vol.Required("label"): _rotation_text("label"),
        vol.Required("every"): _rotation_every,
        vol.Required("keep"): _keep,
        vol.Optional("prefix"): _optional(_rotation_text("prefix")),
    })


def _rotation_duplicates(value):
    """The rotations, refused when two of them would name their snapshots alike (same prefix and label)."""
    seen = {}
    errors = []
    for index, item in enumerate(value):
        key = (item.get("prefix") or _rotation.DEFAULT_PREFIX, item["label"])
        if key in seen:
            errors.append(vol.Invalid("rotation declared twice in the same list (first at custom_snapshot_rotations[%d])"
                                      % seen[key], path=[index, "label"]))
        else:
            seen[key] = index
    if errors:
        raise vol.MultipleInvalid(errors)
    return value


def _policy_fields():
    """The policy keys of one layer, without defaults: a key left out is not declared (see _merge)."""
    key = vol.Optional
    return {
        key("snapshot_types"): _optional(_not_empty(_list_of(_snapshot_type))),
        key("purge_snapshot_types"): _boolean,
        key("custom_snapshots"): _list_of(_custom_snapshot_schema(), _expiration_conflict),
        key("purge_custom_snapshots"): _boolean,
        key("custom_snapshot_rotations"): vol.All(_list_of(_rotation_schema()), _rotation_duplicates),
        key("purge_custom_snapshots_prefix"): _optional(_purge_prefix),
    }


def _layer_schema():
    return vol.Schema(_policy_fields())


def _partition_schema():
    fields = _policy_fields()
    fields[vol.Required("name")] = _text
    fields[vol.Optional("policy")] = _optional(_text)
    return vol.Schema(fields)


def _require_voluptuous():
    if vol is None:
        raise RuntimeError("the Python library voluptuous is needed to validate snapshot policies: %s" % VOLUPTUOUS_IMPORT_ERROR)


def _past_expirations(layer, prefix, report, now):
    """One message per custom snapshot of a validated layer whose declared expiration is not after `now`."""
    if now is None or not layer:
        return []
    now = parse_expiration(now)
    errors = []
    for index, item in enumerate(layer.get("custom_snapshots") or []):
        if item.get("state", "present") == "present" and item.get("expiration") is not None:
            if parse_expiration(item["expiration"]) <= now:
                errors.append(report(
                    "%s.custom_snapshots[%d] (%s).expiration" % (prefix, index, item["name"]),
                    "%s is in the past (it is now %s UTC)" % (item["expiration"], now.strftime("%Y-%m-%dT%H:%M:%SZ")),
                ))
    return errors


# --------------------------------------------------------------------------------------------
# Error messages
# --------------------------------------------------------------------------------------------


def _did_you_mean(word, candidates):
    close = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return " (did you mean %s?)" % close[0] if close else ""


def _allowed_keys(path, top_keys):
    """The keys allowed in the dict that `path` (which ends at an unknown key) lies in."""
    if "custom_snapshots" in path[:-1]:
        return CUSTOM_SNAPSHOT_KEYS
    if "custom_snapshot_rotations" in path[:-1]:
        return ROTATION_KEYS
    return top_keys


def _format_path(prefix, data, path):
    """prefix + path as users write it: `.key` for keys, `[i] (name)` for list items that have a name."""
    text = prefix
    node = data
    for element in path:
        if isinstance(element, int):
            text += "[%d]" % element
            node = node[element] if isinstance(node, list) and 0 <= element < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("name", node.get("label")), str):
                text += " (%s)" % node.get("name", node.get("label"))
        else:
            text += ".%s" % element
            node = node.get(element) if isinstance(node, dict) else None
    return text


def _message(error, data, top_keys):
    if error.error_message == "extra keys not allowed":
        return "unknown key%s" % _did_you_mean(error.path[-1], _allowed_keys(error.path, top_keys))
    if error.error_message == "required key not provided":
        return "missing (required)"
    if error.error_message == "expected a dictionary":
        return "must be a dictionary, not %r" % (_value_at(data, error.path),)
    return error.error_message


def _value_at(data, path):
    node = data
    for element in path:
        try:
            node = node[element]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _validated(schema, data, prefix, report, top_keys=POLICY_KEYS):
    """schema(data), or PolicyError with one message per problem (report(path text, message) words it)."""
    try:
        return schema(data)
    except vol.MultipleInvalid as exc:
        errors = exc.errors
    except vol.Invalid as exc:
        errors = [exc]
    raise PolicyError([report(_format_path(prefix, data, error.path), _message(error, data, top_keys)) for error in errors])


# --------------------------------------------------------------------------------------------
# Merge
# --------------------------------------------------------------------------------------------


def _duplicate_custom_snapshots(data):
    """(index, name, first index) of each custom snapshot declared twice in one layer (as written, valid or not)."""
    items = data.get("custom_snapshots") if isinstance(data, dict) else None
    seen = {}
    duplicates = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        if item["name"] in seen:
            duplicates.append((index, item["name"], seen[item["name"]]))
        else:
            seen[item["name"]] = index
    return duplicates


def _validate_layer(schema, data, prefix, report, errors, top_keys=POLICY_KEYS, now=None):
    """The validated layer, or None after adding its problems to `errors`. None declares nothing."""
    data = {} if data is None else data
    try:
        layer = _validated(schema, data, prefix, report, top_keys)
    except PolicyError as exc:
        errors.extend(exc.errors)
        layer = None
    past = _past_expirations(layer, prefix, report, now)
    if past:
        errors.extend(past)
        layer = None
    duplicates = _duplicate_custom_snapshots(data)
    for index, name, first in duplicates:
        errors.append(report(
            "%s.custom_snapshots[%d] (%s).name" % (prefix, index, name),
            "custom snapshot declared twice in the same list (first at custom_snapshots[%d])" % first,
        ))
    return None if duplicates else layer


def _merge(*layers):
    """Key by key, the first layer that declares a key wins; then the defaults of the keys none declares."""
    merged = {}
    for layer in layers:
        for key in POLICY_KEYS:
            if key not in merged and layer and key in layer:
                merged[key] = layer[key]
    for key, value in POLICY_DEFAULTS.items():
        merged.setdefault(key, list(value) if isinstance(value, list) else value)
    merged["custom_snapshots"] = [
        {
            "name": item["name"],
            "expiration": item.get("expiration"),
            "expires_in": item.get("expires_in"),
            "state": item.get("state", "present"),
        }
        for item in merged["custom_snapshots"]
    ]
    merged["custom_snapshot_rotations"] = [
        dict(label=item["label"], every=item["every"], keep=int(item["keep"]),
             prefix=item.get("prefix") or _rotation.DEFAULT_PREFIX)
        for item in merged["custom_snapshot_rotations"]
    ]
    if merged["snapshot_types"] is not None:
        merged["snapshot_types"] = sort_snapshot_types(merged["snapshot_types"])
    return merged


def _raise_rotation_problems(policies, report):
    """PolicyError when a merged policy declares a fixed name that a rotation would take as its own.

    OVHcloud's limit is checked in one place, plan_partition, on what the partition would hold.
    """
    errors = []
    for name, policy in policies.items():
        fixed = [item["name"] for item in policy["custom_snapshots"] if item["state"] == "present"]
        for fixed_name, label in _rotation.fixed_name_conflicts(fixed, policy["custom_snapshot_rotations"]):
            errors.append(report(name, "custom snapshot %s has the name of a snapshot of rotation %s" % (fixed_name, label)))
    if errors:
        raise PolicyError(errors)


def merge_policy(service_name, templates, defaults, partitions, discovered_partitions=None, all_partitions=False,
                 now=None, names=None):
    """Validate the declared layers and return {partition name: merged policy}, listed partitions first.

    `discovered_partitions`, when given, are the partitions the API lists: a listed partition that is not one of
    them is an error, and with `all_partitions` every one of them that is not listed gets the defaults.
    With `now`, a declared expiration that has passed is an error. A partition given as a bare name is
    {"name": name}. `names` (ROLE_NAMES by default, or MODULE_NAMES) are what messages call the three layers.
    Raises PolicyError with every problem found, each message naming the service and the path of the bad value.
    """
    _require_voluptuous()
    names = ROLE_NAMES if names is None else names

    def report(path, message):
        return "%s: %s: %s" % (service_name, path, message)

    errors = []
    templates = {} if templates is None else templates
    partitions = [] if partitions is None else partitions

    default_layer = _validate_layer(_layer_schema(), defaults, names["defaults"], report, errors, now=now)

    template_layers = {}
    if not isinstance(templates, dict):
        errors.append(report(names["templates"], "must be a dictionary of template name: policy, not %r" % (templates,)))
        templates = {}
    for template_name in sorted(templates, key=str):
        prefix = "%s.%s" % (names["templates"], template_name)
        template_layers[template_name] = _validate_layer(_layer_schema(), templates[template_name], prefix, report, errors,
                                                         now=now)

    if not isinstance(partitions, list):
        errors.append(report(names["partitions"], "must be a list of partitions, not %r" % (partitions,)))
        partitions = []
    declared = []  # (name, own layer, template layer) of the valid entries
    first_index = {}
    for index, entry in enumerate(partitions):
        if isinstance(entry, str) and entry:
            entry = {"name": entry}
        prefix = "%s[%d]" % (names["partitions"], index)
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            prefix += " (%s)" % entry["name"]
        if not isinstance(entry, dict):
            errors.append(report(prefix, "must be a partition name or a dictionary with at least a name, not %r" % (entry,)))
            continue
        layer = _validate_layer(_partition_schema(), entry, prefix, report, errors, PARTITION_KEYS, now=now)
        name = entry.get("name")
        if isinstance(name, str) and name:
            if name in first_index:
                errors.append(report(
                    "%s.name" % prefix,
                    "partition declared twice (first at %s[%d])" % (names["partitions"], first_index[name]),
                ))
                continue
            first_index[name] = index
            if discovered_partitions is not None and name not in discovered_partitions:
                errors.append(report(
                    "%s.name" % prefix,
                    "no such partition on the service%s; it has: %s"
                    % (_did_you_mean(name, discovered_partitions), ", ".join(sorted(discovered_partitions)) or "none"),
                ))
        template_name = entry.get("policy")
        template_layer = None
        if template_name is not None:
            if template_name not in templates:
                known = ", ".join(sorted(str(template) for template in templates))
                listing = "the templates are: %s" % known if known else "no template is declared"
                errors.append(report(
                    "%s.policy" % prefix,
                    "unknown template %r%s; %s" % (template_name, _did_you_mean(template_name, templates), listing),
                ))
                continue
            template_layer = template_layers.get(template_name)
        if layer is not None:
            declared.append((name, layer, template_layer))

    if errors:
        raise PolicyError(errors)

    merged = {}
    for name, layer, template_layer in declared:
        merged[name] = _merge(layer, template_layer, default_layer)
    if all_partitions and discovered_partitions is not None:
        for name in sorted(discovered_partitions):
            if name not in merged:
                merged[name] = _merge(default_layer)
    _raise_rotation_problems(merged, lambda name, message: report("partition %s" % name, message))
    return merged


# --------------------------------------------------------------------------------------------
# Plan
# --------------------------------------------------------------------------------------------


class PartitionPlan(typing.NamedTuple):
    """What must change on one partition for its policy to hold."""

    snapshot_types_before: list
    snapshot_types_after: list
    add: list
    remove: list
    create: list  # [{"name", "expiration" (text sent, or None), "expires_in" (as declared, or None)}]
    delete: list  # names as OVHcloud lists them, in the order to delete them
    expiration_mismatches: list  # [{"name", "expiration", "declared_expiration", "declared_expires_in"}]; never acted upon
    expired: list  # declared snapshots not created because their expiration has passed
    errors: list  # why the policy cannot hold (OVHcloud's limit of custom snapshots, a mismatch with "fail")
    rotations: list = []  # [{"label", "create" (name or None), "delete", "kept", "next_due"}]; in create/delete too

    @property
    def changed(self):
        return bool(self.add or self.remove or self.create or self.delete)


def custom_snapshots_to_read(policy, listed_names):
    """The listed custom snapshots whose expiration the plan compares (declared present with an expiration or lifetime)."""
    wanted = []
    for item in policy["custom_snapshots"]:
        if item["state"] == "present" and (item["expiration"] is not None or item["expires_in"] is not None):
            listed_name = find_custom_snapshot(listed_names, item["name"])
            if listed_name is not None and listed_name not in wanted:
                wanted.append(listed_name)
    return wanted


def _mismatch(item, listed_name, reported, now):
    """The mismatch record of an existing snapshot whose expiration is not the declared one, or None."""
    if item["expiration"] is not None:
        declared = parse_expiration(item["expiration"])
        if same_instant(reported, declared):
            return None
        return {"name": listed_name, "expiration": reported, "declared_expiration": format_expiration(declared),
                "declared_expires_in": None}
    if item["expires_in"] is not None and lifetime_mismatch(reported, parse_duration(item["expires_in"]), now):
        return {"name": listed_name, "expiration": reported, "declared_expiration": None,
                "declared_expires_in": item["expires_in"]}
    return None


def mismatch_message(mismatch):
    """One sentence about an expiration mismatch (for errors; warnings use _nasha's longer sentence)."""
    wanted = ("the declared lifetime of %s" % mismatch["declared_expires_in"] if mismatch["declared_expires_in"]
              else "the declared %s" % mismatch["declared_expiration"])
    current = "expires at %s" % mismatch["expiration"] if mismatch["expiration"] is not None else "has no expiration"
    return ("custom snapshot %s %s, not %s; OVHcloud cannot change the expiration of a snapshot (expiration_mismatch is fail)"
            % (mismatch["name"], current, wanted))


def plan_partition(policy, current_types, custom_snapshots, now, expiration_mismatch="warn", wall_clock=None):
    """Compare a merged policy with a partition's state and return a PartitionPlan.

    `current_types` are the scheduled types; `custom_snapshots` maps every listed custom snapshot name to its
    expiration as reported (only those of custom_snapshots_to_read are compared; the others may be None).
    Deletions come first so that they make room under OVHcloud's limit of custom snapshots for the creations.
    The limit is checked on what the partition would hold once the plan is applied, each rotation counted full
    (at its keep, so that a policy that cannot fit fails at its first run): when it would be passed, the plan gets
    an error (and its creations stand, for the report; nothing should be applied).
    With `expiration_mismatch="fail"` each mismatch is an error too.
    `wall_clock` is the rotations' local time (see _rotation.age), UTC when not given.
    """
    if expiration_mismatch not in EXPIRATION_MISMATCH_CHOICES:
        raise ValueError("expiration_mismatch must be one of %s, not %r"
                         % (", ".join(EXPIRATION_MISMATCH_CHOICES), expiration_mismatch))
    now = parse_expiration(now)
    if policy["snapshot_types"] is None:
        before = sort_snapshot_types(current_types)
        schedule = plan_schedule(before, before, "present", purge=True)
    else:
        schedule = plan_schedule(current_types, policy["snapshot_types"], "present", purge=policy["purge_snapshot_types"])

    existing = dict(custom_snapshots or {})
    declared = policy["custom_snapshots"]
    rotations = policy.get("custom_snapshot_rotations") or []
    # A rotation's own snapshots are declared: only the rotation deletes them, never a purge.
    claimed = set(name for name in existing if _rotation.belongs_to_any(rotations, name))
    delete = []
    for item in declared:
        listed_name = find_custom_snapshot(existing, item["name"])
        if listed_name is not None:
            claimed.add(listed_name)
        if item["state"] == "absent":
            plan = plan_custom_snapshot(existing, item["name"], "absent", None)
            # absent deletes the exact name and its "snap-" twin alike (see plan_custom_snapshot)
            delete.extend(listed for listed in plan.listed_names if listed not in delete)
            claimed.update(plan.listed_names)
    if policy["purge_custom_snapshots"]:
        delete.extend(name for name in sorted(existing)
                      if name not in claimed and _in_purge_scope(policy.get("purge_custom_snapshots_prefix"), name))

    remaining = dict((name, expiration) for name, expiration in existing.items() if name not in delete)
    rotation_plans = _rotation.plan_rotations(rotations, sorted(remaining), now, wall_clock)
    rotation_delete = [name for plan in rotation_plans for name in plan.delete]
    for name in rotation_delete:
        remaining.pop(name)
    create, mismatches, expired, errors = [], [], [], []
    for item in declared:
        if item["state"] != "present":
            continue
        listed_name = find_custom_snapshot(remaining, item["name"])
        if listed_name is not None:
            mismatch = _mismatch(item, listed_name, remaining[listed_name], now)
            if mismatch is not None:
                mismatches.append(mismatch)
            continue
        declared_expiration = parse_expiration(item["expiration"]) if item["expiration"] is not None else None
        if declared_expiration is not None and declared_expiration <= now:
            expired.append(item["name"])
            continue
        expiration = resolve_expiration(item["expiration"], item["expires_in"], now)
        create.append({"name": item["name"], "expiration": format_expiration(expiration), "expires_in": item["expires_in"]})

    create.extend(dict(plan.create, expires_in=None) for plan in rotation_plans if plan.create)
    delete.extend(rotation_delete)
    # What the partition holds after the run (rotations' creations and deletions included), plus the room each
    # rotation still fills in later runs up to its keep.
    room = [(rotation["label"], int(rotation["keep"]), int(rotation["keep"]) - len(plan.kept))
            for rotation, plan in zip(rotations, rotation_plans) if len(plan.kept) < int(rotation["keep"])]
    after = len(remaining) + len(create) + sum(item[2] for item in room)
    if (create or room) and after > MAX_CUSTOM_SNAPSHOTS:
        undeclared = sorted(name for name in remaining if name not in claimed)
        errors.append(
            "the policy would leave %d custom snapshots on the partition, more than the %d OVHcloud allows: %d kept "
            "(%d of them not declared%s), %d to create, %d to delete%s; delete some, %sor set purge_custom_snapshots"
            % (after, MAX_CUSTOM_SNAPSHOTS, len(remaining), len(undeclared),
               ": " + ", ".join(undeclared) if undeclared else "", len(create), len(delete),
               "".join(", %d more as rotation %s fills up to its keep of %d" % (count, label, keep)
                       for label, keep, count in room),
               "lower a rotation's keep, " if rotations else "")
        )
    if expiration_mismatch == "fail":
        errors.extend(mismatch_message(mismatch) for mismatch in mismatches)

    return PartitionPlan(
        snapshot_types_before=list(schedule.before),
        snapshot_types_after=list(schedule.after),
        add=list(schedule.to_add),
        remove=list(schedule.to_remove),
        create=create,
        delete=delete,
        expiration_mismatches=mismatches,
        expired=expired,
        errors=errors,
        rotations=[dict(label=plan.label, create=plan.create["name"] if plan.create else None, delete=list(plan.delete),
                        kept=list(plan.kept), next_due=plan.next_due) for plan in rotation_plans],
    )


def _in_purge_scope(prefix, listed_name):
    """Whether purge_custom_snapshots may delete the undeclared snapshot `listed_name` (no prefix: every one)."""
    if prefix is None:
        return True
    return listed_name.startswith(prefix) or listed_name.startswith(CUSTOM_NAME_PREFIX + prefix)
