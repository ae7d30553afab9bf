# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import contextlib
import json

import pytest

ovh = pytest.importorskip("ovh")
import ovh.client  # noqa: E402  pylint: disable=wrong-import-position
import ovh.config  # noqa: E402  pylint: disable=wrong-import-position
from ansible.module_utils import basic  # noqa: E402  pylint: disable=wrong-import-position

from ansible_collections.snapkeep.nasha.plugins.module_utils import _base  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import OvhApi  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.snapkeep.nasha.plugins.module_utils._base import NashaModule  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import route_name_error, service_path  # noqa: E402  pylint: disable=wrong-import-position

APP_SECRET = "APPSECRET-0cc175b9c0f1b6a8"
CONSUMER_KEY = "CONSUMERKEY-92eb5ffee6ae2fec"


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


@contextlib.contextmanager
def module_args(args):
    try:
        from ansible.module_utils.testing import patch_module_args  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core before 2.19
        with pytest.MonkeyPatch.context() as patcher:
            patcher.setattr(basic, "_ANSIBLE_ARGS", json.dumps(dict(ANSIBLE_MODULE_ARGS=args)).encode())
            yield
        return
    with patch_module_args(args):
        yield


@pytest.fixture(autouse=True)
def ansible_exits(monkeypatch):
    def exit_json(self, **kwargs):  # pylint: disable=unused-argument
        raise ExitJson(kwargs)

    def fail_json(self, msg, **kwargs):  # pylint: disable=unused-argument
        kwargs["msg"] = msg
        raise FailJson(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


@pytest.fixture(autouse=True)
def clean_config(monkeypatch, tmp_path):
    for name in ("ENDPOINT", "APPLICATION_KEY", "APPLICATION_SECRET", "CONSUMER_KEY", "CLIENT_ID", "CLIENT_SECRET"):
        monkeypatch.delenv("OVH_" + name, raising=False)
    monkeypatch.setattr(ovh.config, "CONFIG_PATH", [])
    monkeypatch.setattr(ovh.client, "ENDPOINTS", dict(ovh.client.ENDPOINTS))
    monkeypatch.chdir(tmp_path)


def connection(**values):
    args = dict(endpoint="http://127.0.0.1:8080/1.0", application_key="ak-1234", application_secret=APP_SECRET,
                consumer_key=CONSUMER_KEY)
    args.update(values)
    return args


def make_module(args, spec=None):
    with module_args(args):
        return NashaModule(spec or dict(service_name=dict(type="str", required=True)), supports_check_mode=True)


def assert_no_secret(value):
    text = json.dumps(value, default=str)
    assert APP_SECRET not in text and CONSUMER_KEY not in text


def test_run_turns_an_api_error_into_fail_json_kwargs():
    nasha = make_module(connection(service_name="zpool-1"))

    def failing():
        raise OvhApiError("Could not read the schedule: The requested object (partitionName = x) does not exist "
                          "(HTTP 404, OVH query id q-1) with %s" % APP_SECRET,
                          status=404, query_id="q-1", error_code="Client::NotFound")

    with pytest.raises(FailJson) as failed:
        nasha.run(failing)
    kwargs = failed.value.args[0]
    assert kwargs["http_status"] == 404
    assert kwargs["query_id"] == "q-1"
    assert kwargs["error_code"] == "Client::NotFound"
    assert kwargs["msg"].startswith("Could not read the schedule: The requested object")
    assert_no_secret(kwargs)


def test_run_turns_a_name_no_route_can_hold_into_a_clean_failure():
    nasha = make_module(connection(service_name="zpool-1"))

    def failing():
        return service_path("../me")

    with pytest.raises(FailJson) as failed:
        nasha.run(failing)
    assert failed.value.args[0]["msg"] == route_name_error("service_name", "../me")


def test_run_exits_with_the_result():
    nasha = make_module(connection(service_name="zpool-1"))
    with pytest.raises(ExitJson) as exited:
        nasha.run(lambda: dict(changed=True, snapshot_types=["day-1"]))
    assert exited.value.args[0] == dict(changed=True, snapshot_types=["day-1"])


def test_common_options_are_merged_with_their_defaults_and_fallbacks(monkeypatch):
    monkeypatch.setenv("OVH_ENDPOINT", "ovh-ca")
    monkeypatch.setenv("OVH_CONSUMER_KEY", CONSUMER_KEY)
    nasha = make_module(dict(service_name="zpool-1"))
    params = nasha.module.params
    assert params["endpoint"] == "ovh-ca"
    assert params["consumer_key"] == CONSUMER_KEY
    assert params["api_timeout"] == 30 and params["api_retries"] == 4
    assert set(_base.COMMON_ARGUMENT_SPEC) <= set(params)


def test_api_is_built_lazily_from_the_params():
    nasha = make_module(connection(service_name="zpool-1", api_retries=2, api_timeout=9))
    assert nasha._api is None
    api = nasha.api
    assert isinstance(api, OvhApi)
    assert api.retries == 2
    assert api.client._timeout == 9
    assert nasha.api is api


def test_api_connection_problem_fails_clearly_without_secrets():
    nasha = make_module(connection(service_name="zpool-1", consumer_key=None))
    with pytest.raises(FailJson) as failed:
        nasha.api  # pylint: disable=pointless-statement
    assert "consumer_key is missing" in failed.value.args[0]["msg"]
    assert_no_secret(failed.value.args[0])


def test_remote_plain_http_endpoint_fails():
    nasha = make_module(connection(service_name="zpool-1", endpoint="http://api.example.test/1.0"))
    with pytest.raises(FailJson, match="plain http"):
        nasha.api  # pylint: disable=pointless-statement


@pytest.mark.parametrize("values,message", [
    (dict(api_timeout=0), "api_timeout must be 1 second or more"),
    (dict(api_retries=-1), "api_retries must be 0 or more"),
    (dict(max_concurrent_requests=0), "max_concurrent_requests must be 1 or more, not 0"),
])
def test_limits_fail_before_any_request(values, message):
    spec = dict(service_name=dict(type="str", required=True), **_base.CONCURRENCY_ARGUMENT_SPEC)
    with pytest.raises(FailJson) as failed:
        make_module(connection(service_name="zpool-1", **values), spec=spec)
    assert message in failed.value.args[0]["msg"]


def test_wait_timeout_limit():
    spec = dict(_base.WAIT_ARGUMENT_SPEC)
    with pytest.raises(FailJson, match="wait_timeout must be 1 second or more"):
        make_module(connection(wait_timeout=0), spec=spec)
    assert make_module(connection(), spec=spec).module.params["wait_timeout"] == 600


def test_missing_library_fails_with_missing_required_lib(monkeypatch):
    monkeypatch.setattr(_base, "OVH_IMPORT_ERROR", ImportError("No module named 'ovh'"))
    monkeypatch.setattr(_base, "OVH_IMPORT_TRACEBACK", "Traceback: No module named 'ovh'")
    with pytest.raises(FailJson) as failed:
        make_module(connection(service_name="zpool-1"))
    assert "ovh" in failed.value.args[0]["msg"]
    assert failed.value.args[0]["exception"] == "Traceback: No module named 'ovh'"


def test_a_library_a_module_names_is_reported_missing_with_missing_required_lib():
    with module_args(connection(service_name="zpool-1")):
        with pytest.raises(FailJson) as failed:
            NashaModule(dict(service_name=dict(type="str", required=True)),
                        libraries=[("voluptuous", ImportError("No module named 'voluptuous'"), "Traceback: voluptuous")])
    assert "voluptuous" in failed.value.args[0]["msg"]
    assert failed.value.args[0]["exception"] == "Traceback: voluptuous"


def test_check_route_names_fails_on_the_first_name_no_route_can_hold():
    nasha = make_module(connection(service_name="zpool-1"))
    nasha.check_route_names(service_name="zpool-1", partition_name="backups")
    with pytest.raises(FailJson) as failed:
        nasha.check_route_names(service_name="zpool-1", partition_name="..")
    assert failed.value.args[0]["msg"] == route_name_error("partition_name", "..")


def test_fail_scrubs_secrets():
    nasha = make_module(connection(service_name="zpool-1"))
    with pytest.raises(FailJson) as failed:
        nasha.fail("bad value %s" % CONSUMER_KEY, errors=["also %s" % APP_SECRET])
    assert failed.value.args[0]["msg"] == "bad value ********"
    assert_no_secret(failed.value.args[0])
