# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad input: every option with a wrong type or value, malformed expirations and durations, forbidden names,
unknown policy keys, incomplete or mixed credentials. Each fails with a message naming the problem, before
any request reaches the API (the simulator's log of the whole run stays empty)."""
from __future__ import annotations

import pytest

from harness import CREDENTIALS, case_hosts, role_play, services_inventory

SCHEDULE = dict(service_name="zpool-100001", partition_name="backups", snapshot_types=["day-1"])
CUSTOM = dict(service_name="zpool-100001", partition_name="backups", name="valid-name")
INFO = dict(service_name="zpool-100001")
PLAN = dict(service_name="zpool-100001", partitions=[dict(name="backups", snapshot_types=["day-1"])])
NO_APPLICATION_KEYS = dict(application_key="", application_secret="", consumer_key="")

# case: (module, options over the valid base, words the message must hold)
CASES = {
    # nasha_snapshot_schedule
    "schedule: unknown snapshot type": ("nasha_snapshot_schedule", dict(snapshot_types=["week-1"]),
                                        ["snapshot_types", "week-1"]),
    "schedule: snapshot_types not a list of texts": ("nasha_snapshot_schedule", dict(snapshot_types=[{"type": "day-1"}]),
                                                     ["snapshot_types"]),
    "schedule: snapshot_types missing": ("nasha_snapshot_schedule", dict(snapshot_types=None), ["snapshot_types"]),
    "schedule: unknown state": ("nasha_snapshot_schedule", dict(state="gone"), ["state", "present, absent"]),
    "schedule: purge not a boolean": ("nasha_snapshot_schedule", dict(purge="perhaps"), ["purge", "bool"]),
    "schedule: wait not a boolean": ("nasha_snapshot_schedule", dict(wait="sometimes"), ["wait", "bool"]),
    "schedule: wait_timeout zero": ("nasha_snapshot_schedule", dict(wait_timeout=0), ["wait_timeout must be 1 second or more"]),
    "schedule: wait_timeout not a number": ("nasha_snapshot_schedule", dict(wait_timeout="soon"), ["wait_timeout", "int"]),
    "schedule: service_name missing": ("nasha_snapshot_schedule", dict(service_name=None), ["service_name"]),
    "schedule: partition_name missing": ("nasha_snapshot_schedule", dict(partition_name=None), ["partition_name"]),
    "schedule: unknown option": ("nasha_snapshot_schedule", dict(snapshot_type=["day-1"]), ["snapshot_type", "Unsupported"]),
    # options every module shares
    "api_timeout zero": ("nasha_snapshot_schedule", dict(api_timeout=0), ["api_timeout must be 1 second or more"]),
    "api_timeout not a number": ("nasha_snapshot_info", dict(api_timeout="fast"), ["api_timeout", "int"]),
    "api_retries negative": ("nasha_custom_snapshot", dict(api_retries=-1), ["api_retries must be 0 or more"]),
    "api_retries not a number": ("nasha_snapshot_plan", dict(api_retries="many"), ["api_retries", "int"]),
    "max_requests_per_second zero": ("nasha_snapshot_schedule", dict(max_requests_per_second=0),
                                     ["max_requests_per_second must be above 0"]),
    "max_requests_per_second not a number": ("nasha_snapshot_info", dict(max_requests_per_second="slow"),
                                             ["max_requests_per_second", "float"]),
    "endpoint: unknown name": ("nasha_snapshot_info", dict(endpoint="ovh-mars"), ["Unknown endpoint ovh-mars", "ovh-eu"]),
    "endpoint: not http": ("nasha_snapshot_info", dict(endpoint="ftp://127.0.0.1/1.0"), ["not an http:// or https:// URL"]),
    "endpoint: plain http to a remote host": ("nasha_snapshot_info", dict(endpoint="http://api.example.com/1.0"),
                                              ["plain http to a remote host", "use https"]),
    "endpoint: no API version": ("nasha_snapshot_info", dict(endpoint="https://eu.api.ovh.com"), ["must end with the API version path /1.0"]),
    "endpoint: user and password in the URL": ("nasha_snapshot_info", dict(endpoint="https://user:pw@eu.api.ovh.com/1.0"),
                                               ["must not hold a user name or password"]),
    "credentials: consumer key missing": ("nasha_snapshot_info", dict(consumer_key=""), ["consumer_key is missing"]),
    "credentials: application secret missing": ("nasha_custom_snapshot", dict(application_secret=""),
                                                ["application_key is set but application_secret is missing"]),
    "credentials: none at all": ("nasha_snapshot_info", NO_APPLICATION_KEYS, ["No OVHcloud credentials are set"]),
    "credentials: OAuth2 on an endpoint without it": (
        "nasha_snapshot_info", dict(NO_APPLICATION_KEYS, client_id="reliability-client", client_secret=CREDENTIALS.client_secret),
        ["client_id and client_secret (OAuth2) only work with the endpoints"]),
    "credentials: both kinds": ("nasha_snapshot_schedule", dict(client_id="reliability-client", client_secret=CREDENTIALS.client_secret),
                                ["Both application_key/application_secret and client_id/client_secret are set"]),
    # nasha_custom_snapshot
    "custom: name with a space and !": ("nasha_custom_snapshot", dict(name="bad name!"), ["name:", "bad name!"]),
    "custom: name with a slash": ("nasha_custom_snapshot", dict(name="../etc"), ["name:", "../etc"]),
    "custom: empty name": ("nasha_custom_snapshot", dict(name=""), ["name:"]),
    "custom: expiration not a date": ("nasha_custom_snapshot", dict(expiration="next tuesday"), ["expiration", "next tuesday"]),
    "custom: expiration impossible date": ("nasha_custom_snapshot", dict(expiration="2030-13-45"), ["expiration", "2030-13-45"]),
    "custom: expiration in the past": ("nasha_custom_snapshot", dict(expiration="2001-01-01"), ["expiration: 2001-01-01 is in the past"]),
    "custom: expires_in unknown unit": ("nasha_custom_snapshot", dict(expires_in="7x"), ["expires_in", "7x"]),
    "custom: expires_in negative": ("nasha_custom_snapshot", dict(expires_in="-1d"), ["expires_in", "negative"]),
    "custom: expiration and expires_in together": ("nasha_custom_snapshot", dict(expiration="2099-01-01", expires_in="7d"),
                                                   ["mutually exclusive", "expiration", "expires_in"]),
    "custom: unknown state": ("nasha_custom_snapshot", dict(state="deleted"), ["state", "present, absent"]),
    "custom: wait not a boolean": ("nasha_custom_snapshot", dict(wait="later"), ["wait", "bool"]),
    # nasha_snapshot_info
    "info: max_concurrent_requests zero": ("nasha_snapshot_info", dict(max_concurrent_requests=0),
                                           ["max_concurrent_requests must be 1 or more"]),
    "info: custom_snapshots not a boolean": ("nasha_snapshot_info", dict(custom_snapshots="all"), ["custom_snapshots", "bool"]),
    # nasha_snapshot_plan: the policy
    "policy: unknown key": ("nasha_snapshot_plan", dict(defaults=dict(snapshot_type=["day-1"])),
                            ["snapshot_type", "unknown key", "did you mean snapshot_types"]),
    "policy: unknown template": ("nasha_snapshot_plan", dict(partitions=[dict(name="backups", policy="silver")]),
                                 ["unknown template 'silver'"]),
    "policy: bad snapshot type": ("nasha_snapshot_plan", dict(partitions=[dict(name="backups", snapshot_types=["week-1"])]),
                                  ["week-1"]),
    "policy: forbidden custom snapshot name": ("nasha_snapshot_plan",
                                               dict(partitions=[dict(name="backups", custom_snapshots=[dict(name="no spaces")])]),
                                               ["no spaces"]),
    "policy: malformed expiration": ("nasha_snapshot_plan",
                                     dict(partitions=[dict(name="backups", custom_snapshots=[dict(name="x", expiration="31/12/2026")])]),
                                     ["31/12/2026"]),
    "policy: malformed expires_in": ("nasha_snapshot_plan",
                                     dict(partitions=[dict(name="backups", custom_snapshots=[dict(name="x", expires_in="forever")])]),
                                     ["forever"]),
    "policy: partition declared twice": ("nasha_snapshot_plan", dict(partitions=[dict(name="backups"), dict(name="backups")]),
                                         ["partition declared twice"]),
    "policy: purge flag not a boolean": ("nasha_snapshot_plan", dict(defaults=dict(purge_custom_snapshots="perhaps")),
                                         ["purge_custom_snapshots"]),
    "policy: unknown custom snapshot key": ("nasha_snapshot_plan",
                                            dict(partitions=[dict(name="backups", custom_snapshots=[dict(name="x", expire="7d")])]),
                                            ["expire", "unknown key"]),
    "plan: max_concurrent_requests zero": ("nasha_snapshot_plan", dict(max_concurrent_requests=0), ["max_concurrent_requests"]),
}
BASES = dict(nasha_snapshot_schedule=SCHEDULE, nasha_custom_snapshot=CUSTOM, nasha_snapshot_info=INFO, nasha_snapshot_plan=PLAN)


def _options(module, overrides):
    options = dict(BASES[module], **overrides)
    return dict((key, value) for key, value in options.items() if value is not None)


@pytest.fixture(scope="module")
def bad_input_run(sim, module_playbooks):
    sim.reset()
    cases = dict((case, (module, _options(module, overrides))) for case, (module, overrides, dummy) in CASES.items())
    plays, inventory, hosts = case_hosts(cases, connection=dict(CREDENTIALS.module_args(), endpoint=sim.base_url),
                                         extra_options=["snapshot_type"])
    return module_playbooks.run(plays, inventory=inventory, forks=8, with_credentials=False), hosts


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_fails_with_a_message_naming_it(bad_input_run, case):
    run, hosts = bad_input_run
    assert run.failed("case", hosts[case]), run.describe()
    message = run.msg("case", hosts[case])
    for words in CASES[case][2]:
        assert words in message, message


def test_bad_input_sends_no_request(bad_input_run):
    run, dummy = bad_input_run
    assert run.log == []


# ------------------------------------------------------------------ the role

BAD_POLICIES = {
    # the role's argument spec refuses it
    "zpool-100001": dict(nasha_snapshot_policy_partitions=dict(name="backups")),
    # the policy schema refuses it, every problem at once
    "zpool-100002": dict(nasha_snapshot_policy_defaults=dict(snapshot_type=["day-1"]),
                         nasha_snapshot_policy_partitions=[dict(name="mail", policy="gold", custom_snapshots=[dict(name="a b")])]),
}


def test_the_role_refuses_a_bad_policy_before_any_request(playbooks, sim):
    inventory = services_inventory(*BAD_POLICIES)
    inventory["nasha_services"]["hosts"] = dict(BAD_POLICIES)
    run = playbooks.run(role_play(), inventory=inventory)
    assert run.rc != 0
    spec_failure = run.result("Validating arguments against arg spec 'main' - Make the snapshots of OVHcloud NAS-HA partitions "
                              "match a policy declared in inventory", "zpool-100001")
    assert spec_failure["status"] == "failed"
    assert "nasha_snapshot_policy_partitions" in spec_failure["result"]["msg"]
    plan_failure = run.msg("Apply the snapshot policy of the service", "zpool-100002")
    for words in ("zpool-100002", "snapshot_type", "did you mean snapshot_types", "unknown template 'gold'", "a b"):
        assert words in plan_failure, plan_failure
    assert run.log == []
