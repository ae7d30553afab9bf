# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bad credentials, each refused by the API with a message naming the problem; a clock skew corrected from /auth/time."""
from __future__ import annotations

import pytest

from harness import CREDENTIALS, case_hosts, custom_snapshot, play, role_play, services_inventory, task

READ = ("nasha_snapshot_info", dict(service_name="zpool-100001", partition_name="backups", custom_snapshots=False))
WRITE = ("nasha_custom_snapshot", dict(service_name="zpool-100001", partition_name="backups", name="needs-rights"))

# case: (module and options, connection overrides, words the message must hold)
CASES = {
    "unknown application key": (READ, dict(application_key="reliability-unknown-ak"),
                                ["the application key is unknown to this endpoint", "HTTP 403"]),
    "unknown consumer key": (READ, dict(consumer_key=CREDENTIALS.unknown_consumer_key),
                             ["the consumer key is not valid", "create a new consumer key", "HTTP 403"]),
    "consumer key of another application": (READ, dict(consumer_key=CREDENTIALS.other_consumer_key),
                                            ["the consumer key is not valid", "HTTP 403"]),
    "wrong application secret": (READ, dict(application_secret=CREDENTIALS.wrong_application_secret),
                                 ["the request signature was refused", "application_secret", "HTTP 400"]),
    "consumer key not validated": (READ, dict(consumer_key=CREDENTIALS.pending_consumer_key),
                                   ["has not been validated yet", "pendingValidation", "HTTP 403"]),
    "consumer key without the write rights": (
        WRITE, dict(consumer_key=CREDENTIALS.readonly_consumer_key),
        ["the consumer key is not allowed to call POST /dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot",
         "access rules", "HTTP 403"]),
    "consumer key for another service only": (
        ("nasha_snapshot_info", dict(service_name="zpool-100002", partition_name="mail", custom_snapshots=False)),
        dict(consumer_key=CREDENTIALS.one_service_consumer_key),
        ["the consumer key is not allowed to call GET /dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot",
         "HTTP 403"]),
}


@pytest.fixture(scope="module")
def credential_run(sim, module_playbooks):
    sim.reset()
    cases = dict((case, (module, dict(options, **overrides))) for case, ((module, options), overrides, dummy) in CASES.items())
    plays, inventory, hosts = case_hosts(cases, connection=dict(CREDENTIALS.module_args(), endpoint=sim.base_url))
    return module_playbooks.run(plays, inventory=inventory, forks=8, with_credentials=False), hosts, sim.state()


@pytest.mark.parametrize("case", list(CASES))
def test_bad_credentials_fail_with_a_message_naming_the_problem(credential_run, case):
    run, hosts, dummy = credential_run
    assert run.failed("case", hosts[case]), run.describe()
    message = run.msg("case", hosts[case])
    for words in CASES[case][2]:
        assert words in message, message


def test_refused_credentials_change_nothing(credential_run):
    run, dummy, state = credential_run
    assert state["tasks"] == []
    assert all(entry["status"] in (200, 400, 403) for entry in run.log)
    assert not [entry for entry in run.writes() if entry["status"] == 200]


@pytest.mark.parametrize("offset", [7200, -7200])
def test_a_clock_skew_is_corrected_from_the_server_time(playbooks, sim, offset):
    # The simulator's clock is two hours off: a request signed with the local time would be out of the 300 s window.
    sim.configure(clock_offset=offset)
    run = playbooks.run(play([custom_snapshot("skewed")]))
    assert not run.failed("custom skewed"), run.describe()
    assert run.log[0]["path"] == "/auth/time"
    assert not [entry for entry in run.log if entry["status"] == 400]
    assert "skewed" in sim.custom_names("zpool-100001", "backups")


def test_the_role_names_refused_credentials_and_routes_in_its_failures(playbooks, sim):
    inventory = services_inventory("zpool-100001", "zpool-100002", nasha_snapshot_policy_endpoint=sim.base_url,
                                   nasha_snapshot_policy_application_key=CREDENTIALS.application_key,
                                   nasha_snapshot_policy_partitions=[dict(name="backups", snapshot_types=["day-1"]),
                                                                     dict(name="mail", custom_snapshots=[dict(name="m-1")])])
    inventory["nasha_services"]["hosts"] = {
        "zpool-100001": dict(nasha_snapshot_policy_application_secret=CREDENTIALS.wrong_application_secret,
                             nasha_snapshot_policy_consumer_key=CREDENTIALS.consumer_key,
                             nasha_snapshot_policy_partitions=[dict(name="backups", snapshot_types=["day-1"])]),
        "zpool-100002": dict(nasha_snapshot_policy_application_secret=CREDENTIALS.application_secret,
                             nasha_snapshot_policy_consumer_key=CREDENTIALS.readonly_consumer_key,
                             nasha_snapshot_policy_partitions=[dict(name="mail", snapshot_types=["hour-1", "day-7"],
                                                                    custom_snapshots=[dict(name="m-1")]),
                                                               # nothing more is sent to mail once its schedule failed
                                                               dict(name="media", custom_snapshots=[dict(name="m-2")])]),
    }
    run = playbooks.run(role_play(), inventory=inventory, forks=2, with_credentials=False)
    assert run.rc != 0
    # Refused credentials are about no partition: the plan fails the host at once, with one message.
    assert run.failed("Apply the snapshot policy of the service", "zpool-100001"), run.describe()
    refused = run.msg("Apply the snapshot policy of the service", "zpool-100001")
    assert refused.count("the request signature was refused") == 1, refused
    assert not [record for record in run.results if record["host"] == "zpool-100001" and record["status"] == "failed"
                and not record["task"].endswith("Apply the snapshot policy of the service")]
    failure = run.msg("Fail when a partition failed", "zpool-100002")
    assert "partition mail failed" in failure, failure
    assert "not allowed to call POST /dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot" in failure, failure
    assert "create m-1: not attempted" in failure, failure
    assert "partition media failed" in failure, failure
    assert "not allowed to call POST /dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot" in failure, failure
    assert sim.tasks() == []


def test_credentials_from_ovh_conf_are_used_and_never_shown(playbooks, sim, tmp_path):
    # python-ovh reads ~/.ovh.conf: the section of each endpoint holds its keys; none of them is a module option.
    home = tmp_path / "conf-home"
    home.mkdir()
    right, wrong = sim.base_url, sim.base_url.replace("127.0.0.1", "localhost")
    (home / ".ovh.conf").write_text(
        "[%s]\napplication_key=%s\napplication_secret=%s\nconsumer_key=%s\n\n[%s]\napplication_key=%s\napplication_secret=%s\n"
        "consumer_key=%s\n" % (right, CREDENTIALS.application_key, CREDENTIALS.application_secret, CREDENTIALS.consumer_key,
                               wrong, CREDENTIALS.application_key, CREDENTIALS.wrong_application_secret,
                               CREDENTIALS.pending_consumer_key),
        encoding="utf-8")
    run = playbooks.run(play([
        task("keys from ovh.conf", "nasha_snapshot_info", endpoint=right, service_name="zpool-100001", partition_name="backups"),
        task("bad keys from ovh.conf", "nasha_snapshot_info", endpoint=wrong, service_name="zpool-100001", partition_name="backups"),
    ]), with_credentials=False, env=dict(HOME=str(home)))
    read = run.result("keys from ovh.conf")
    assert read["status"] == "ok", run.describe()
    assert read["result"]["services"][0]["partitions"][0]["snapshot_types"] == ["hour-1"]
    assert run.failed("bad keys from ovh.conf")
    assert "the request signature was refused" in run.msg("bad keys from ovh.conf")
