# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OVHcloud's asynchronous tasks (dedicated.nasTask.Task) as modules report them."""
from __future__ import annotations


def task_summary(task):
    """The fields of a task (dedicated.nasTask.Task) reported in module results."""
    task = task or {}
    return {
        "id": task.get("taskId"),
        "operation": task.get("operation"),
        "status": task.get("status"),
        "details": task.get("details"),
        "partition_name": task.get("partitionName"),
    }
