# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: connection options, the API object, failing cleanly."""
from __future__ import annotations

import copy
import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.snapkeep.nasha.plugins.module_utils._api import (
    OVH_IMPORT_ERROR,
    OVH_IMPORT_TRACEBACK,
    SECRET_NAMES,
    OvhApi,
    OvhApiError,
    build_client,
    scrub,
    userinfo_values,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import RouteNameError

try:
    import voluptuous  # noqa: F401  pylint: disable=unused-import
except ImportError as exc:
    VOLUPTUOUS_IMPORT_ERROR = exc
    VOLUPTUOUS_IMPORT_TRACEBACK = traceback.format_exc()
else:
    VOLUPTUOUS_IMPORT_ERROR = None
    VOLUPTUOUS_IMPORT_TRACEBACK = None


COMMON_ARGUMENT_SPEC = dict(
    endpoint=dict(type="str", fallback=(env_fallback, ["OVH_ENDPOINT"])),
    application_key=dict(type="str", no_log=False, fallback=(env_fallback, ["OVH_APPLICATION_KEY"])),
    application_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["OVH_APPLICATION_SECRET"])),
    consumer_key=dict(type="str", no_log=True, fallback=(env_fallback, ["OVH_CONSUMER_KEY"])),
    client_id=dict(type="str", no_log=False, fallback=(env_fallback, ["OVH_CLIENT_ID"])),
    client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["OVH_CLIENT_SECRET"])),
    api_timeout=dict(type="int", default=30),
    api_retries=dict(type="int", default=4),
    max_requests_per_second=dict(type="float"),
)

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=600),
)


def limits_problem(params):
    """Why api_timeout, api_retries, max_requests_per_second or wait_timeout is out of range, or None."""
    if params.get("api_timeout") is not None and params["api_timeout"] < 1:
        return "api_timeout must be 1 second or more, not %s" % params["api_timeout"]
    if params.get("api_retries") is not None and params["api_retries"] < 0:
        return "api_retries must be 0 or more, not %s" % params["api_retries"]
    if params.get("max_requests_per_second") is not None and not params["max_requests_per_second"] > 0:
        return "max_requests_per_second must be above 0, not %s" % params["max_requests_per_second"]
    if params.get("wait_timeout") is not None and params["wait_timeout"] < 1:
        return "wait_timeout must be 1 second or more, not %s" % params["wait_timeout"]
    return None


class NashaModule:
    """Small base owning the AnsibleModule, the OvhApi and the result."""

    def __init__(self, argument_spec, **module_kwargs):
        spec = copy.deepcopy(COMMON_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **module_kwargs)
        # An endpoint URL with user:password@ is refused; its password is still hidden from every output.
        self.module.no_log_values.update(userinfo_values(self.module.params.get("endpoint")))
        for library, error, error_traceback in (("ovh", OVH_IMPORT_ERROR, OVH_IMPORT_TRACEBACK),
                                                ("voluptuous", VOLUPTUOUS_IMPORT_ERROR, VOLUPTUOUS_IMPORT_TRACEBACK)):
            if error is not None:
                self.module.fail_json(msg=missing_required_lib(library), exception=error_traceback)
        problem = limits_problem(self.module.params)
        if problem:
            self.fail(problem)
        self._api = None

    @property
    def api(self):
        """The OvhApi, built on first use so that a module's own options are checked before any request."""
        if self._api is None:
            params = self.module.params
            try:
                client = build_client(params)
            except OvhApiError as exc:
                self._fail_with(exc)
            self._api = OvhApi(client, retries=params["api_retries"])
        return self._api

    def _secrets(self):
        return [self.module.params.get(name) for name in SECRET_NAMES] + userinfo_values(self.module.params.get("endpoint"))

    def _fail_with(self, error):
        self.module.fail_json(**scrub(error.to_fail_kwargs(), self._secrets()))

    def fail(self, msg, **kwargs):
        kwargs["msg"] = msg
        self.module.fail_json(**scrub(kwargs, self._secrets()))

    def run(self, fn):
        """Exit with the result of fn(); an OvhApiError or a name no route can hold becomes a failure with its
        message, never a traceback."""
        try:
            result = fn()
        except OvhApiError as exc:
            self._fail_with(exc)
        except RouteNameError as exc:  # names are checked before any request; this catches one that was not
            self.fail(str(exc))
        self.module.exit_json(**result)
