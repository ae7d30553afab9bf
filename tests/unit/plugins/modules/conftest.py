# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures of the module tests: ovh.Client replaced by nasha_fake.FakeOvhClient, exit_json and fail_json raising."""
from __future__ import annotations

import ovh
import ovh.client
import ovh.config
import pytest
from ansible.module_utils import basic

from ansible_collections.snapkeep.nasha.tests.unit.plugins.modules.nasha_fake import ExitJson, FailJson, FakeOvhClient


@pytest.fixture
def ovh_client(monkeypatch, tmp_path):
    """The FakeOvhClient every ovh.Client(...) of the test returns; no credential comes from the environment."""
    for name in ("ENDPOINT", "APPLICATION_KEY", "APPLICATION_SECRET", "CONSUMER_KEY", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv("OVH_" + name, raising=False)
    monkeypatch.setattr(ovh.config, "CONFIG_PATH", [])
    monkeypatch.setattr(ovh.client, "ENDPOINTS", dict(ovh.client.ENDPOINTS))
    monkeypatch.chdir(tmp_path)
    client = FakeOvhClient()
    monkeypatch.setattr(ovh, "Client", client.connect)
    monkeypatch.setattr(ovh.client, "Client", client.connect)
    return client


@pytest.fixture(autouse=True)
def ansible_exits(monkeypatch):
    def exit_json(self, **kwargs):  # pylint: disable=unused-argument
        raise ExitJson(kwargs)

    def fail_json(self, msg, **kwargs):  # pylint: disable=unused-argument
        kwargs["msg"] = msg
        raise FailJson(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
