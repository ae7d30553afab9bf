# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json
from unittest import mock

import pytest

import ansible.plugins.inventory as inventory_plugins

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from ansible_collections.snapkeep.nasha.plugins.inventory import nasha as plugin_module
from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError

SECRET = "s3cr3t-application-secret"
CONSUMER = "c0nsumer-key-value"


def service(name, datacenter, disk, tags):
    return {"serviceName": name, "customName": None, "datacenter": datacenter, "diskType": disk, "ip": "10.0.0.9",
            "monitored": True, "canCreatePartition": True, "zpoolSize": 1, "zpoolCapacity": 1,
            "iam": {"id": "x", "urn": "urn", "displayName": name, "tags": tags}}


SERVICES = [service("zpool-1", "rbx", "hdd", {"environment": "production"}),
            service("zpool-2", "gra", "ssd", None)]
PARTITION = {"partitionName": "data", "partitionDescription": None, "protocol": "NFS", "size": 10,
             "partitionCapacity": 1, "usedBySnapshots": 0}


class FakeApi:
    requests = []

    def __init__(self, client, retries=4, expanded_lists=False):
        self.client = client
        assert expanded_lists, "the plugin asks for expanded lists: its API object must accept them"

    def get(self, path, action, **query):
        FakeApi.requests.append(path)
        if self.client.get("fail"):
            raise OvhApiError("Could not %s: the secret %s leaked (HTTP 403)" % (action, SECRET), status=403)
        if path == "/dedicated/nasha":
            return SERVICES
        return [PARTITION]


@pytest.fixture
def plugin(monkeypatch):
    built = []

    def fake_build_client(params):
        built.append(dict(params))
        return dict(params)

    monkeypatch.setattr(plugin_module, "build_client", fake_build_client)
    monkeypatch.setattr(plugin_module, "OvhApi", FakeApi)
    monkeypatch.setattr(plugin_module, "request_expanded_lists", lambda client, size: None)
    FakeApi.requests = []
    instance = inventory_loader.get("snapkeep.nasha.nasha")
    instance.built = built
    return instance


def parse(plugin, tmp_path, config, extra_vars=None, cache=True, name="fleet.nasha.yml"):
    """What ansible-inventory does with one source: parse, then write the cache if it changed."""
    path = tmp_path / name
    path.write_text(json.dumps(dict({"plugin": "snapkeep.nasha.nasha"}, **config)))
    inventory = InventoryData()
    with mock.patch.object(inventory_plugins, "load_extra_vars", return_value=extra_vars or {}):
        plugin.parse(inventory, DataLoader(), str(path), cache=cache)
    if config.get("cache"):
        plugin.update_cache_if_changed()
    return inventory


def test_verify_file(plugin, tmp_path):
    for name, expected in (("a.nasha.yml", True), ("a.nasha.yaml", True), ("a.yml", False), ("nasha.yml", False)):
        path = tmp_path / name
        path.write_text("plugin: snapkeep.nasha.nasha\n")
        assert plugin.verify_file(str(path)) is expected, name


def test_hosts_variables_and_groups(plugin, tmp_path):
    inventory = parse(plugin, tmp_path, {
        "application_secret": SECRET,
        "keyed_groups": [{"key": "nasha_datacenter", "prefix": "dc"}, {"key": "nasha_iam_tags", "prefix": "tag"}],
        "groups": {"fast": "nasha_disk_type == 'ssd'"},
        "compose": {"first_partition": "nasha_partitions[0].name"},
    })
    assert sorted(inventory.hosts) == ["zpool-1", "zpool-2"]
    assert sorted(h.name for h in inventory.groups["nasha"].get_hosts()) == ["zpool-1", "zpool-2"]
    assert [h.name for h in inventory.groups["dc_gra"].get_hosts()] == ["zpool-2"]
    assert [h.name for h in inventory.groups["tag_environment_production"].get_hosts()] == ["zpool-1"]
    assert [h.name for h in inventory.groups["fast"].get_hosts()] == ["zpool-2"]
    host_vars = inventory.get_host("zpool-1").get_vars()
    assert host_vars["ansible_connection"] == "local"
    assert host_vars["nasha_partitions"][0]["nfs_export"] == "10.0.0.9:/zpool-1/data"
    assert host_vars["first_partition"] == "data"
    assert SECRET not in json.dumps(dict(host_vars), default=str)


def test_filters_apply(plugin, tmp_path):
    inventory = parse(plugin, tmp_path, {"datacenters": ["rbx"]})
    assert sorted(inventory.hosts) == ["zpool-1"]
    inventory = parse(plugin, tmp_path, {"service_names": ["zpool-2*"], "group": "storage"})
    assert sorted(inventory.hosts) == ["zpool-2"]
    assert "storage" in inventory.groups


def test_templated_connection_options(plugin, tmp_path):
    parse(plugin, tmp_path, {"endpoint": "{{ api_url }}", "consumer_key": "{{ ck }}"},
          extra_vars={"api_url": "http://127.0.0.1:1/1.0", "ck": CONSUMER})
    assert plugin.built[-1]["endpoint"] == "http://127.0.0.1:1/1.0"
    assert plugin.built[-1]["consumer_key"] == CONSUMER
    assert plugin.built[-1]["api_retries"] == 4


def test_the_cache_serves_a_second_run_without_requests_and_holds_no_secret(plugin, tmp_path):
    config = {"application_secret": SECRET, "consumer_key": CONSUMER, "cache": True,
              "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}
    first = parse(plugin, tmp_path, config)
    count = len(FakeApi.requests)
    assert count == 3
    second = parse(plugin, tmp_path, config)
    assert len(FakeApi.requests) == count
    assert sorted(second.hosts) == sorted(first.hosts)
    stored = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    assert "zpool-1" in stored and SECRET not in stored and CONSUMER not in stored
    # Another filter is another question: read again.
    parse(plugin, tmp_path, dict(config, datacenters=["gra"]))
    assert len(FakeApi.requests) > count
    # --flush-cache (cache=False) reads again too.
    count = len(FakeApi.requests)
    parse(plugin, tmp_path, config, cache=False)
    assert len(FakeApi.requests) > count


def test_the_cache_is_per_account_and_holds_no_consumer_key(plugin, tmp_path):
    config = {"application_key": "ak-first", "application_secret": SECRET, "consumer_key": CONSUMER, "cache": True,
              "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}
    parse(plugin, tmp_path, config)
    count = len(FakeApi.requests)
    parse(plugin, tmp_path, config)
    assert len(FakeApi.requests) == count
    # Another consumer key (another account, same application) is another answer: read again.
    parse(plugin, tmp_path, dict(config, consumer_key=CONSUMER + "-other"))
    assert len(FakeApi.requests) > count
    count = len(FakeApi.requests)
    parse(plugin, tmp_path, dict(config, consumer_key=CONSUMER + "-other", application_key="ak-second"))
    assert len(FakeApi.requests) > count
    stored = "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    assert "ak-second" in stored and CONSUMER not in stored and SECRET not in stored


def test_api_errors_fail_without_the_secret(plugin, tmp_path, monkeypatch):
    monkeypatch.setattr(plugin_module, "build_client", lambda params: dict(params, fail=True))
    with pytest.raises(AnsibleError) as caught:
        parse(plugin, tmp_path, {"application_secret": SECRET})
    assert SECRET not in str(caught.value)
    assert "snapkeep.nasha.nasha inventory" in str(caught.value)


def test_bad_options_are_refused(plugin, tmp_path):
    with pytest.raises(AnsibleParserError, match="operator"):
        parse(plugin, tmp_path, {"iam_tags": {"a": [{"operator": "WRONG", "value": "x"}]}})
    with pytest.raises(AnsibleParserError, match="max_concurrent_requests"):
        parse(plugin, tmp_path, {"max_concurrent_requests": 0})


def test_max_requests_per_second_reaches_the_client(plugin, tmp_path):
    parse(plugin, tmp_path, {"max_requests_per_second": 0.5}, cache=False)
    assert plugin.built[-1]["max_requests_per_second"] == 0.5
    parse(plugin, tmp_path, {}, cache=False, name="other.nasha.yml")
    assert plugin.built[-1]["max_requests_per_second"] is None
