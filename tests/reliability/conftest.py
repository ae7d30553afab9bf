# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the reliability suite and its totals.

A simulator per test module; the ledger of every playbook run (shared by the pytest-xdist workers through
the directory in NASHA_RELIABILITY_LEDGER) is summed at the end: scenarios, faults injected, write requests
in check mode and secrets found, printed in the terminal summary and written to totals.json.
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import COLLECTIONS_ENV, LEDGER_ENV, ROOT, Ledger, Playbooks, Simulator

_SCENARIOS = pytest.StashKey()
_SESSION = {}
TOTAL_NAMES = ("scenarios", "scenarios_failed", "runs", "faults_injected", "check_mode_runs", "check_mode_writes", "secrets_found")


def _is_worker(config):
    return hasattr(config, "workerinput")


def _counting(config):
    return config is not None and not _is_worker(config) and _SCENARIOS in config.stash


def pytest_configure(config):
    """On the controlling process: the ledger directory and the collection tree, shared with the workers through os.environ."""
    if _is_worker(config):
        return
    if not os.environ.get(LEDGER_ENV):
        os.environ[LEDGER_ENV] = tempfile.mkdtemp(prefix="nasha-reliability-")
    ledger = Path(os.environ[LEDGER_ENV])
    ledger.mkdir(parents=True, exist_ok=True)
    for stale in ledger.glob("*.json*"):
        stale.unlink()
    if not os.environ.get(COLLECTIONS_ENV):
        build_dir = Path(os.environ.get("NASHA_BUILD_DIR") or ROOT / ".build") / "reliability"
        tree = subprocess.run([str(ROOT / "tools" / "collection_tree.sh")], env=dict(os.environ, NASHA_BUILD_DIR=str(build_dir)),
                              capture_output=True, text=True, check=True).stdout.strip()
        os.environ[COLLECTIONS_ENV] = tree.rsplit("/ansible_collections/", 1)[0]
    config.stash[_SCENARIOS] = dict(passed=0, failed=0)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session):
    _SESSION["config"] = session.config


def pytest_runtest_logreport(report):
    """One scenario per test: passed when its call passed, failed when its setup or call failed."""
    config = _SESSION.get("config")
    if not _counting(config):
        return
    counts = config.stash[_SCENARIOS]
    if report.when == "call" and report.passed:
        counts["passed"] += 1
    elif report.when in ("setup", "call") and report.failed:
        counts["failed"] += 1


def session_totals(config):
    totals = Ledger(os.environ[LEDGER_ENV]).totals()
    counts = config.stash[_SCENARIOS]
    totals.update(scenarios=counts["passed"] + counts["failed"], scenarios_failed=counts["failed"])
    return totals


def pytest_sessionfinish(session):
    if _counting(session.config):
        totals = session_totals(session.config)
        (Path(os.environ[LEDGER_ENV]) / "totals.json").write_text(json.dumps(totals), encoding="utf-8")


def pytest_terminal_summary(terminalreporter, config):
    if not _counting(config):
        return
    totals = session_totals(config)
    terminalreporter.section("reliability totals")
    for name in TOTAL_NAMES:
        terminalreporter.write_line("%-18s %s" % (name, totals[name]))


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    """A simulator process for the test module."""
    simulator = Simulator(tmp_path_factory.mktemp("sim"))
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture(scope="module")
def module_playbooks(sim, tmp_path_factory):
    """Playbooks for a module-scoped scenario: one run, asserted by several tests."""
    return Playbooks(sim, tmp_path_factory.mktemp("runs"), Ledger(os.environ[LEDGER_ENV]))


@pytest.fixture
def playbooks(sim, tmp_path):
    """A fresh simulator state (the seed, the suite's default switches, no fault), and playbooks run against it."""
    sim.reset()
    return Playbooks(sim, tmp_path, Ledger(os.environ[LEDGER_ENV]))
