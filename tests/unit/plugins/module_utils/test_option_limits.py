# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest
import yaml

from ansible_collections.snapkeep.nasha.plugins.doc_fragments.ovh import ModuleDocFragment
from ansible_collections.snapkeep.nasha.plugins.module_utils import _option_limits as limits


@pytest.mark.parametrize("params, problem", [
    (dict(api_timeout=0), "api_timeout must be 1 second or more, not 0"),
    (dict(api_retries=-1), "api_retries must be 0 or more, not -1"),
    (dict(wait_timeout=0), "wait_timeout must be 1 second or more, not 0"),
    (dict(max_concurrent_requests=0), "max_concurrent_requests must be 1 or more, not 0"),
    (dict(api_timeout=1, api_retries=0, wait_timeout=1, max_concurrent_requests=1), None),
    (dict(api_timeout=None, other=-5), None),
])
def test_limits_problem(params, problem):
    assert limits.limits_problem(params) == problem


def test_the_shared_documentation_gives_the_defaults_the_code_uses():
    # The modules' documentation is checked against their argument specs by validate-modules; the inventory plugin
    # takes its defaults from this documentation itself.
    options = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)["options"]
    wait_options = yaml.safe_load(ModuleDocFragment.WAIT)["options"]
    assert options["api_timeout"]["default"] == limits.API_TIMEOUT_DEFAULT
    assert options["api_retries"]["default"] == limits.API_RETRIES_DEFAULT
    assert wait_options["wait_timeout"]["default"] == limits.WAIT_TIMEOUT_DEFAULT
