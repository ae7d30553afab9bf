# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secrets. Every run of the suite is searched for every secret it knows (harness.Playbooks._check): stdout and
stderr at -vvvv, and every task result. Here, the secrets given each way a user gives them, on success and failure,
and a control run that shows the search finds a secret that is printed."""
from __future__ import annotations

from harness import CREDENTIALS, custom_snapshot, play, role_play, services_inventory, task


def test_the_search_finds_a_printed_secret(playbooks):
    run = playbooks.run(play([{"name": "print a secret", "ansible.builtin.debug": {"msg": "{{ lookup('env', 'OVH_APPLICATION_SECRET') }}"}}]),
                        control=True)
    # In the task result and in the -vvvv output.
    assert run.secrets_found >= 2, run.describe()


def test_secrets_given_as_options_variables_and_environment_never_show(playbooks, sim):
    sim.add_faults({"match": {"method": "POST", "path": "/customSnapshot$"}, "count": 1, "status": 503})
    inventory = services_inventory("zpool-100001", nasha_snapshot_policy_consumer_key=CREDENTIALS.consumer_key,
                                   nasha_snapshot_policy_application_secret=CREDENTIALS.application_secret,
                                   nasha_snapshot_policy_partitions=[dict(name="scratch", custom_snapshots=[dict(name="s-1")])])
    plays = [
        # options, with a failure whose message quotes the request
        play([custom_snapshot("opt-1", **CREDENTIALS.module_args()),
              custom_snapshot("bad name", **CREDENTIALS.module_args(consumer_key=CREDENTIALS.readonly_consumer_key)),
              custom_snapshot("denied", **CREDENTIALS.module_args(consumer_key=CREDENTIALS.readonly_consumer_key)),
              task("client secret", "nasha_snapshot_info", service_name="zpool-100001", client_id="reliability-client",
                   client_secret=CREDENTIALS.client_secret)],
             hosts="nasha_services"),
        # role variables, on top of the OVH_* environment
        role_play(),
    ]
    run = playbooks.run(plays, inventory=inventory)
    assert run.result("custom opt-1")["status"] == "ok", run.describe()
    assert run.msg("custom bad name").startswith("name: custom snapshot name 'bad name' is not allowed")
    assert "not allowed to call POST" in run.msg("custom denied")
    assert "Both application_key/application_secret and client_id/client_secret are set" in run.msg("client secret")
    assert "s-1" in sim.custom_names("zpool-100001", "scratch")
    assert run.secrets_found == 0
