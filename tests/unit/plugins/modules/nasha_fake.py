# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a module's main() against an in-memory NAS-HA service behind a stand-in for python-ovh's ovh.Client.

The stand-in answers get() and call() as python-ovh does (values, or python-ovh's exceptions), so that everything
between a module's main() and python-ovh runs as in production.
"""
from __future__ import annotations

import contextlib
import json
from urllib.parse import unquote

import pytest
from ansible.module_utils import basic
from ovh import exceptions as ovh_exc

APP_SECRET = "APPSECRET-4a8a08f09d37b737"
CONSUMER_KEY = "CONSUMERKEY-8277e0910d750195"
SVC = "zpool-1"
PART = "backups"
BASE = "/dedicated/nasha/zpool-1/partition/backups"


class ExitJson(Exception):
    """exit_json's arguments."""


class FailJson(Exception):
    """fail_json's arguments, msg included."""


class _Response:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self._body = body
        self.headers = {"X-OVH-QUERYID": "EU.ext-1.q42"}

    def json(self):
        return self._body


def refusal(status=400, message="Invalid parameter", error_class="Client::BadRequest", cls=None):
    """A python-ovh exception for an HTTP error answer."""
    cls = cls or (ovh_exc.BadParametersError if status == 400 else ovh_exc.APIError)
    return cls(message, response=_Response(status, {"class": error_class, "message": message}))


def _segments(path):
    """The segments of a path, each decoded: an access block travels with its "/" as %2F."""
    return [unquote(segment) for segment in path.split("/")]


class FakeOvhClient:
    """Stands for ovh.Client over one NAS-HA service (SVC) and its partitions.

    Writes apply at once and answer a task in status todo, which is over by the time it is read or listed: done,
    unless `failing_tasks` ({(method, path): final status}) says otherwise (the change is then not made).
    `refusals` ({(method, path): python-ovh exception, or a list of them raised one per request}) makes a request
    raise. `calls` records every request.
    """

    def __init__(self):
        self.connect()
        self.calls = []
        self.refusals = {}
        self.failing_tasks = {}
        self.tasks = {}
        self.ip = "10.0.0.1"
        self.partitions = {
            PART: dict(protocol="NFS", usedBySnapshots=4, schedule=["hour-1"], customs={}, access={}),
            "media": dict(protocol="CIFS", usedBySnapshots=0, schedule=["day-1"], customs={}, access={}),
        }

    def connect(self, endpoint=None, timeout=None, **credentials):
        """What ovh.Client(...) is given; the state of the service stays."""
        self._endpoint = endpoint
        self._timeout = timeout
        for name in ("application_key", "application_secret", "consumer_key", "client_id", "client_secret"):
            setattr(self, "_" + name, credentials.get(name))
        self._time_delta = 0
        self._oauth2 = None
        return self

    # -- what tests look at
    def writes(self):
        return [(method, path, data) for method, path, data in self.calls if method != "GET"]

    # -- python-ovh's interface
    def get(self, path, **query):
        self.calls.append(("GET", path, query or None))
        self._refuse("GET", path)
        return self._read(path, query)

    def call(self, method, path, data=None, need_auth=True):
        assert need_auth is True
        self.calls.append((method, path, data))
        self._refuse(method, path)
        return self._write(method, path, data)

    def _refuse(self, method, path):
        error = self.refusals.get((method, path))
        if isinstance(error, list):  # refused once per item, then answered
            error = error.pop(0) if error else None
        if error is not None:
            raise error

    def _partition(self, parts, index=4):
        if parts[3] != SVC or parts[index] not in self.partitions:
            raise refusal(404, "The requested object (partitionName = %s) does not exist" % parts[index],
                          "Client::NotFound", ovh_exc.ResourceNotFoundError)
        return self.partitions[parts[index]]

    def _read(self, path, query):
        parts = _segments(path)  # ['', 'dedicated', 'nasha', svc, 'partition', name, what, item]
        if path == "/dedicated/nasha":
            return [SVC]
        if len(parts) == 4:
            return {"serviceName": SVC, "ip": self.ip}
        if parts[4] == "task":
            if len(parts) == 5:
                return [task_id for task_id, task in sorted(self.tasks.items()) if task["final"] == query.get("status")]
            return dict(self.tasks[int(parts[5])], status=self.tasks[int(parts[5])]["final"])
        if len(parts) == 5:
            return sorted(self.partitions)
        partition = self._partition(parts, 5)
        if len(parts) == 6:
            return dict(partitionName=parts[5], protocol=partition["protocol"], usedBySnapshots=partition["usedBySnapshots"])
        if parts[6] == "snapshot":
            return list(partition["schedule"])
        if parts[6] == "customSnapshot":
            if len(parts) == 7:
                return list(partition["customs"])
            if parts[7] not in partition["customs"]:
                raise refusal(404, "The requested object (name = %s) does not exist" % parts[7],
                              "Client::NotFound", ovh_exc.ResourceNotFoundError)
            return {"name": parts[7], "expiration": partition["customs"][parts[7]]}
        if parts[6] == "access":
            if len(parts) == 7:
                return list(partition["access"])
            return dict(ip=parts[7], **partition["access"][parts[7]])
        raise AssertionError("unexpected GET %s" % path)

    def _write(self, method, path, data):
        parts = _segments(path)
        partition = self._partition(parts, 5)
        final = self.failing_tasks.get((method, path), "done")
        what = parts[6]
        operation = {"snapshot": "clusterLeclercSnapshotUpdate", "access": "clusterLeclercAclUpdate"}.get(what)
        if what == "customSnapshot":
            operation = "clusterLeclercCustomSnap%s" % ("Create" if method == "POST" else "Delete")
        if final == "done":
            if (method, what) == ("POST", "snapshot"):
                partition["schedule"].append(data["snapshotType"])
            elif (method, what) == ("DELETE", "snapshot"):
                partition["schedule"].remove(parts[7])
            elif (method, what) == ("POST", "customSnapshot"):
                partition["customs"][data["name"]] = data.get("expiration")
            elif (method, what) == ("DELETE", "customSnapshot"):
                del partition["customs"][parts[7]]
            elif (method, what) == ("POST", "access"):
                partition["access"][data["ip"]] = dict(type=data["type"], aclDescription=data.get("aclDescription"))
            elif (method, what) == ("DELETE", "access"):
                del partition["access"][parts[7]]
            else:
                raise AssertionError("unexpected %s %s" % (method, path))
        task_id = 1000 + len(self.tasks)
        task = dict(taskId=task_id, operation=operation, status="todo", details=None if final == "done" else "disk failure",
                    partitionName=parts[5], storageName=SVC, todoDate=None, lastUpdate=None, doneDate=None)
        self.tasks[task_id] = dict(task, final=final)
        return task


@contextlib.contextmanager
def module_args(args):
    """ANSIBLE_MODULE_ARGS for the AnsibleModule built inside, as ansible-core's own unit tests set them."""
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core before 2.19
        with pytest.MonkeyPatch.context() as patcher:
            patcher.setattr(basic, "_ANSIBLE_ARGS", json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode())
            yield
        return
    with patch_module_args(args):
        yield


def run_module(main, args, check_mode=False, diff=False):
    """("exit" or "fail", the arguments) of main() with args and the connection options."""
    args = dict(dict(endpoint="http://127.0.0.1:8080/1.0", application_key="ak-1234", application_secret=APP_SECRET,
                     consumer_key=CONSUMER_KEY, _ansible_check_mode=check_mode, _ansible_diff=diff), **args)
    with module_args(args):
        try:
            main()
        except ExitJson as exc:
            return "exit", exc.args[0]
        except FailJson as exc:
            return "fail", exc.args[0]
    raise AssertionError("main() neither exited nor failed")
