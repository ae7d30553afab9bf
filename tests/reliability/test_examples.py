# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every EXAMPLES block of every module runs, as written, against the simulator's test seed.

Only the connection changes: every `module_defaults` of the action group is pointed at the simulator (a play-level
one is added), so that an example that shows how to pass credentials runs too. Each module's examples run in one
play, in order, since later examples may use what earlier ones registered; under both busy settings.
"""
from __future__ import annotations

import ast

import pytest
import yaml

from harness import CREDENTIALS, ROOT, play

MODULES = sorted(path.stem for path in (ROOT / "plugins" / "modules").glob("*.py") if path.stem != "__init__")
GROUP = "group/snapkeep.nasha.ovh"


def examples(module):
    """The EXAMPLES tasks of a module, read from its source without importing it."""
    tree = ast.parse((ROOT / "plugins" / "modules" / ("%s.py" % module)).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "EXAMPLES" for target in node.targets):
            return yaml.safe_load(node.value.value)
    raise AssertionError("%s has no EXAMPLES" % module)


def connection(sim):
    return dict(endpoint=sim.base_url, application_key=CREDENTIALS.application_key,
                application_secret=CREDENTIALS.application_secret, consumer_key=CREDENTIALS.consumer_key)


def pointed_at(tasks, sim):
    """The tasks with each module_defaults of the action group replaced by the simulator's connection."""
    for task in tasks:
        defaults = task.get("module_defaults") or {}
        if GROUP in defaults:
            defaults[GROUP] = connection(sim)
        for key in ("block", "rescue", "always"):
            if key in task:
                pointed_at(task[key], sim)
    return tasks


# The restore module runs on a client host that has the partition's share mounted: its examples run against a
# share laid out in a temporary directory, with the snapshot their paths name.
LOCAL_PATHS = {"/mnt/nasha": "share", "/srv/restored": "restored"}


def lay_out_share(share):
    """A mounted share as NAS-HA shows it: live data, and a read-only copy under .zfs/snapshot/before-upgrade."""
    for root in (share, share / ".zfs" / "snapshot" / "before-upgrade"):
        (root / "projects" / "reports").mkdir(parents=True)
        (root / "projects" / "reports" / "2026.ods").write_text("budget as it was\n", encoding="utf-8")
        (root / "projects" / "notes.txt").write_text("notes\n", encoding="utf-8")
    (share / "projects" / "reports" / "2026.ods").write_text("budget, overwritten by mistake\n", encoding="utf-8")
    (share / "projects" / "draft.tmp").write_text("kept: excluded\n", encoding="utf-8")


def on_local_paths(value, base):
    """`value` with the examples' client paths moved under `base`."""
    if isinstance(value, dict):
        return dict((key, on_local_paths(item, base)) for key, item in value.items())
    if isinstance(value, list):
        return [on_local_paths(item, base) for item in value]
    if isinstance(value, str):
        for path, local in LOCAL_PATHS.items():
            if value == path or value.startswith(path + "/"):
                return str(base / local) + value[len(path):]
    return value


def names(tasks):
    for task in tasks:
        yield task["name"]
        for key in ("block", "rescue", "always"):
            yield from names(task.get(key, []))


def test_every_module_has_examples():
    assert set(MODULES) >= {"nasha_custom_snapshot", "nasha_snapshot_info", "nasha_snapshot_plan", "nasha_snapshot_schedule"}
    for module in MODULES:
        assert examples(module), module


@pytest.mark.parametrize("busy", ["accept", "conflict"])
@pytest.mark.parametrize("module", MODULES)
def test_the_examples_run_against_the_simulator(playbooks, sim, module, busy, tmp_path):
    sim.configure(busy=busy, visibility="on_done")
    lay_out_share(tmp_path / LOCAL_PATHS["/mnt/nasha"])
    tasks = on_local_paths(pointed_at(examples(module), sim), tmp_path)
    run = playbooks.run(play(tasks, module_defaults={GROUP: connection(sim)}), with_credentials=False)
    assert run.rc == 0, run.describe()
    for name in names(tasks):
        if "block" in next((task for task in tasks if task["name"] == name), {}):
            continue
        assert run.result(name)["status"] in ("ok", "changed"), (name, run.result(name))
    if module == "nasha_snapshot_restore":
        share = tmp_path / LOCAL_PATHS["/mnt/nasha"]
        assert (tmp_path / "restored" / "reports" / "2026.ods").read_text(encoding="utf-8") == "budget as it was\n"
        assert (share / "projects" / "reports" / "2026.ods").read_text(encoding="utf-8") == "budget as it was\n"
        assert (share / "projects" / "draft.tmp").exists()  # excluded, so kept although the snapshot lacks it


def test_the_plan_examples_do_what_their_titles_say(playbooks, sim):
    run = playbooks.run(play(pointed_at(examples("nasha_snapshot_plan"), sim), module_defaults={GROUP: connection(sim)}),
                        with_credentials=False)
    assert run.rc == 0, run.describe()
    planned = run.result("Plan the policy of a service")["result"]["partitions"]
    assert [entry["partition_name"] for entry in planned] == ["projects", "scratch"]
    changed = run.result("Partitions whose schedule must change")["result"]["msg"]
    assert changed == [entry["partition_name"] for entry in planned if entry["schedule_changed"]]
    defaults = run.result("Every partition of the service gets at least the defaults (day-1 is added, nothing is removed)")
    everyone = defaults["result"]["partitions"]
    assert [entry["partition_name"] for entry in everyone] == ["backups", "projects", "scratch"]
    assert all("day-1" in entry["snapshot_types_after"] for entry in everyone)
    assert [entry["remove"] for entry in everyone] == [[], [], []] and defaults["result"]["deletions"] == []
    assert run.result("Partitions that cannot be planned")["result"]["msg"] == []
