# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pathlib

import yaml

COLLECTION_ROOT = pathlib.Path(__file__).resolve().parents[3]
FQCN_PREFIX = "snapkeep.nasha."
# Modules that run on a client host and make no API call: they take none of the group's connection options.
CLIENT_HOST_MODULES = {"nasha_snapshot_restore"}


def action_group(name):
    runtime = yaml.safe_load((COLLECTION_ROOT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    return runtime["action_groups"][name]


def module_names():
    return sorted(path.stem for path in (COLLECTION_ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")


def short_name(entry):
    return entry[len(FQCN_PREFIX):] if entry.startswith(FQCN_PREFIX) else entry


def test_the_collection_has_modules():
    # guards the comparison below against an empty glob (a wrong root would make both sides empty)
    assert "nasha_snapshot_info" in module_names()


def test_ovh_action_group_lists_exactly_the_modules():
    group = set(short_name(entry) for entry in action_group("ovh"))
    modules = set(module_names()) - CLIENT_HOST_MODULES
    assert group == modules, "action group ovh in meta/runtime.yml: modules missing %s, not modules %s" % (
        sorted(modules - group), sorted(group - modules))


def test_ovh_action_group_has_no_duplicates():
    group = [short_name(entry) for entry in action_group("ovh")]
    assert len(group) == len(set(group))
