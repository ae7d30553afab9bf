# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The defaults and lowest values of the numeric options, written once.

The argument specs of the modules take their defaults from here (ansible-test's validate-modules checks that the
documentation says the same), and every plugin checks the lowest values with limits_problem. Imports nothing, so
that any file of the collection can use it.
"""
from __future__ import annotations

API_TIMEOUT_DEFAULT = 30
API_RETRIES_DEFAULT = 4
WAIT_TIMEOUT_DEFAULT = 600
MAX_CONCURRENT_REQUESTS_DEFAULT = 4

# The lowest value of each numeric option, and how a message says it.
OPTION_MINIMUMS = dict(
    api_timeout=(1, "1 second or more"),
    api_retries=(0, "0 or more"),
    wait_timeout=(1, "1 second or more"),
    max_concurrent_requests=(1, "1 or more"),
)


def limits_problem(params):
    """Why a numeric option of OPTION_MINIMUMS in params is below its lowest value, or None (None values are not checked)."""
    for name, (minimum, wording) in OPTION_MINIMUMS.items():
        if params.get(name) is not None and params[name] < minimum:
            return "%s must be %s, not %s" % (name, wording, params[name])
    # A rate has no lowest value, only a bound it must exceed.
    if params.get("max_requests_per_second") is not None and not params["max_requests_per_second"] > 0:
        return "max_requests_per_second must be above 0, not %s" % params["max_requests_per_second"]
    return None
