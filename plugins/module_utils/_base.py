# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: connection options, the API object, failing cleanly (with what a
WriteOutcome applied, failed and did not attempt)."""
from __future__ import annotations

import copy

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import (
    OVH_IMPORT_ERROR,
    OVH_IMPORT_TRACEBACK,
    OvhApi,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import SECRET_NAMES, OvhApiError, scrub
from ansible_collections.snapkeep.nasha.plugins.module_utils._connection import build_client, userinfo_values
from ansible_collections.snapkeep.nasha.plugins.module_utils._option_limits import (
    API_RETRIES_DEFAULT,
    API_TIMEOUT_DEFAULT,
    MAX_CONCURRENT_REQUESTS_DEFAULT,
    WAIT_TIMEOUT_DEFAULT,
    limits_problem,
)
from ansible_collections.snapkeep.nasha.plugins.module_utils._routes import RouteNameError, route_name_error

COMMON_ARGUMENT_SPEC = dict(
    endpoint=dict(type="str", fallback=(env_fallback, ["OVH_ENDPOINT"])),
    application_key=dict(type="str", no_log=False, fallback=(env_fallback, ["OVH_APPLICATION_KEY"])),
    application_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["OVH_APPLICATION_SECRET"])),
    consumer_key=dict(type="str", no_log=True, fallback=(env_fallback, ["OVH_CONSUMER_KEY"])),
    client_id=dict(type="str", no_log=False, fallback=(env_fallback, ["OVH_CLIENT_ID"])),
    client_secret=dict(type="str", no_log=True, fallback=(env_fallback, ["OVH_CLIENT_SECRET"])),
    api_timeout=dict(type="int", default=API_TIMEOUT_DEFAULT),
    api_retries=dict(type="int", default=API_RETRIES_DEFAULT),
    max_requests_per_second=dict(type="float"),
)

WAIT_ARGUMENT_SPEC = dict(
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=WAIT_TIMEOUT_DEFAULT),
)

CONCURRENCY_ARGUMENT_SPEC = dict(
    max_concurrent_requests=dict(type="int", default=MAX_CONCURRENT_REQUESTS_DEFAULT),
)


def _change_text(change):
    """"add day-1", "remove hour-1", "delete snap-x": one change of a WriteOutcome, as the messages say it."""
    return "%s %s" % (change[0], change[1])


def outcome_message(outcome):
    """The first error of a WriteOutcome, then what was applied, what failed and what was not attempted."""
    parts = [str(outcome.error)]
    for label, changes in (("applied", outcome.applied), ("still pending", outcome.pending),
                           ("failed", [change for change, dummy in outcome.failed]),
                           ("not attempted", outcome.not_attempted)):
        parts.append("%s: %s" % (label, ", ".join(_change_text(change) for change in changes) or "none"))
    return "; ".join(parts)


class NashaModule:
    """Small base owning the AnsibleModule, the OvhApi and the result."""

    def __init__(self, argument_spec, libraries=(), **module_kwargs):
        """libraries: (name, import error or None, traceback) of each library the module imports beyond python-ovh,
        which every module needs."""
        spec = copy.deepcopy(COMMON_ARGUMENT_SPEC)
        spec.update(argument_spec)
        self.module = AnsibleModule(argument_spec=spec, **module_kwargs)
        # An endpoint URL with user:password@ is refused; its password is still hidden from every output.
        self.module.no_log_values.update(userinfo_values(self.module.params.get("endpoint")))
        for library, error, error_traceback in (("ovh", OVH_IMPORT_ERROR, OVH_IMPORT_TRACEBACK),) + tuple(libraries):
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

    def check_route_names(self, **names):
        """Fail before any request when a service or partition name would change the route of a request."""
        for label, value in names.items():
            error = route_name_error(label, value)
            if error:
                self.fail(error)

    def fail_with_outcome(self, outcome, **result):
        """Fail with a WriteOutcome's message, the facts of its first error (HTTP status, query id...) and `result`."""
        kwargs = outcome.error.to_fail_kwargs() if hasattr(outcome.error, "to_fail_kwargs") else {}
        kwargs.pop("msg", None)
        kwargs.update(result)
        self.fail(outcome_message(outcome), **kwargs)

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
