# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each module requires the libraries it imports, and only those: voluptuous only where a policy is validated."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ansible_collections.snapkeep.nasha.plugins.module_utils import _service_plan as service_plan
from ansible_collections.snapkeep.nasha.plugins.modules import nasha_snapshot_plan, nasha_snapshot_policy
from ansible_collections.snapkeep.nasha.tests.unit.plugins.modules.nasha_fake import SVC, run_module

# Imports a module with voluptuous made unimportable, and prints whether it was imported and whether _policy was.
PROBE = """
import sys
class NoVoluptuous:
    def find_spec(self, name, path=None, target=None):
        if name == "voluptuous" or name.startswith("voluptuous."):
            raise ImportError("No module named 'voluptuous'")
sys.meta_path.insert(0, NoVoluptuous())
import importlib
importlib.import_module("ansible_collections.snapkeep.nasha.plugins.modules." + sys.argv[1])
print(any(name.endswith("module_utils._policy") for name in sys.modules))
"""


@pytest.mark.parametrize("module", ["nasha_snapshot_schedule", "nasha_custom_snapshot", "nasha_snapshot_info",
                                    "nasha_partition_access"])
def test_a_module_that_validates_no_policy_imports_neither_the_policy_schema_nor_voluptuous(module):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))  # where this test found the collection
    probe = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True, check=False, env=env)
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "False"


@pytest.mark.parametrize("module", [nasha_snapshot_plan, nasha_snapshot_policy], ids=lambda module: module.__name__.rsplit(".", 1)[1])
def test_the_modules_taking_a_policy_report_a_missing_voluptuous_before_any_request(monkeypatch, ovh_client, module):
    monkeypatch.setattr(service_plan, "VOLUPTUOUS_IMPORT_ERROR", ImportError("No module named 'voluptuous'"))
    monkeypatch.setattr(service_plan, "VOLUPTUOUS_IMPORT_TRACEBACK", "Traceback: voluptuous")
    how, result = run_module(module.main, dict(service_name=SVC))
    assert how == "fail"
    assert "voluptuous" in result["msg"] and result["exception"] == "Traceback: voluptuous"
    assert ovh_client.calls == []
