# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Appends every task result, as Ansible hands it to callbacks, to the JSON-lines file NASHA_RELIABILITY_RESULTS.

Used by the reliability suite (tests/reliability) to assert on results and to search them for secrets.
"""
from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: reliability_log
type: notification
short_description: Write each task result as one JSON line
description:
  - Writes the host, task name, status and result of every task to the file named by E(NASHA_RELIABILITY_RESULTS).
requirements:
  - enabled in ANSIBLE_CALLBACKS_ENABLED
"""


def _payload(result):
    """The result dict of a callback's task result, on ansible-core releases before and after 2.19."""
    payload = getattr(result, "result", None)
    if not isinstance(payload, dict):
        payload = getattr(result, "_result", {})
    return payload


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "reliability_log"
    CALLBACK_NEEDS_ENABLED = True

    def _write(self, status, result):
        path = os.environ.get("NASHA_RELIABILITY_RESULTS")
        if not path:
            return
        host = getattr(result, "host", None) or getattr(result, "_host", None)
        task = getattr(result, "task", None) or getattr(result, "_task", None)
        record = dict(
            host=host.get_name() if host is not None else None,
            task=task.get_name() if task is not None else None,
            status=status,
            result=_payload(result),
        )
        with open(path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record, default=str, sort_keys=True) + "\n")

    def v2_runner_on_ok(self, result):
        self._write("ok", result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._write("failed", result)

    def v2_runner_on_skipped(self, result):
        self._write("skipped", result)

    def v2_runner_on_unreachable(self, result):
        self._write("unreachable", result)
