"""The benchmark's seeds and inventory, written into bench/ (python tools/bench/fixtures.py).

The files are generated so that the scale scenario stays easy to resize: every service has the same
partitions, and the policy is the same for all of them, declared once in group_vars.
"""
from __future__ import annotations

import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"

SERVICES = ["zpool-9000%02d" % number for number in range(1, 11)]
PARTITIONS = ["p%02d" % number for number in range(1, 11)]
POLICY_TYPES = ["hour-6", "day-1"]
KEPT_SNAPSHOT = {"name": "year-end", "expiration": "2035-12-31T00:00:00Z"}
# Partitions that lack the declared custom snapshot in the drifted seed (the others only need a schedule change).
DRIFTED_CUSTOM = PARTITIONS[:3]

CREDENTIALS = [{
    "application_key": "bench-ak",
    "application_secret": "bench-as",
    "consumer_keys": [{"consumer_key": "bench-ck", "status": "validated",
                       "rules": [{"method": method, "path": "/*"} for method in ("GET", "POST", "DELETE")]}],
}]


def _service(index, partitions):
    return {"datacenter": "rbx", "customName": None, "ip": "10.9.0.%d" % (index + 1), "zpoolSize": 3000,
            "zpoolCapacity": 10, "diskType": "hdd", "monitored": True, "partitions": partitions}


def _partition(snapshot_types, custom_snapshots):
    return {"protocol": "NFS", "size": 100, "snapshot_types": snapshot_types, "custom_snapshots": custom_snapshots}


def scale_seed(drifted):
    """10 services x 10 partitions: the policy holds everywhere, or every partition needs a change."""
    services = {}
    for index, service in enumerate(SERVICES):
        partitions = {}
        for partition in PARTITIONS:
            if drifted:
                customs = [] if partition in DRIFTED_CUSTOM else [dict(KEPT_SNAPSHOT)]
                partitions[partition] = _partition(["hour-1"], customs)
            else:
                partitions[partition] = _partition(list(POLICY_TYPES), [dict(KEPT_SNAPSHOT)])
        services[service] = _service(index, partitions)
    return {"credentials": CREDENTIALS, "services": services}


def one_partition_seed():
    """One partition scheduled hour-1, hour-6 and day-7: [hour-6, day-1, day-2] with purge takes 4 changes (2 adds,
    2 removals) that keep a type (hour-6), so they may overlap."""
    return {"credentials": CREDENTIALS,
            "services": {"zpool-900100": _service(0, {"p01": _partition(["hour-1", "hour-6", "day-7"], [])})}}


def pure_replacement_seed():
    """One partition scheduled hour-1 only: [day-1] replaces every type, so the removal waits for the addition."""
    return {"credentials": CREDENTIALS,
            "services": {"zpool-900100": _service(0, {"p01": _partition(["hour-1"], [])})}}


# The service-wide figures: 10 partitions of one service against one partition of another, each scheduled like
# one_partition_seed's partition, both converged by the role to the same policy (4 changes a partition).
SERVICE_WIDE = "zpool-900200"
SERVICE_ALONE = "zpool-900100"
SERVICE_TYPES_BEFORE = ["hour-1", "hour-6", "day-7"]
SERVICE_POLICY_TYPES = ["hour-6", "day-1", "day-2"]


def service_partitions_seed():
    """zpool-900200 with p01..p10 and zpool-900100 with p01, every partition scheduled hour-1, hour-6 and day-7."""
    return {"credentials": CREDENTIALS, "services": {
        SERVICE_WIDE: _service(1, dict((p, _partition(list(SERVICE_TYPES_BEFORE), [])) for p in PARTITIONS)),
        SERVICE_ALONE: _service(0, {"p01": _partition(list(SERVICE_TYPES_BEFORE), [])}),
    }}


def service_inventory():
    return ("---\n# Two NAS-HA services for the service-wide figures; bench/service.yml runs on one of them at a time (--limit).\n"
            "bench_service:\n  hosts:\n    %s:\n    %s:\n  vars:\n    ansible_connection: local\n"
            "    ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n"
            "    nasha_snapshot_policy_defaults:\n      snapshot_types: [%s]\n      purge_snapshot_types: true\n"
            % (SERVICE_WIDE, SERVICE_ALONE, ", ".join(SERVICE_POLICY_TYPES)))


def service_host_vars(partitions):
    return "---\nnasha_snapshot_policy_partitions:\n" + "".join("  - name: %s\n" % p for p in partitions)


def inventory():
    hosts = "\n".join("    %s:" % service for service in SERVICES)
    return ("---\n# 10 NAS-HA services of 10 partitions each; the modules run on the controller.\n"
            "bench_services:\n  hosts:\n%s\n  vars:\n    ansible_connection: local\n"
            "    ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n" % hosts)


def group_vars():
    lines = ["---", "# The same policy on every partition of every service: two scheduled types and one kept snapshot.",
             "nasha_snapshot_policy_defaults:",
             "  snapshot_types: [%s]" % ", ".join(POLICY_TYPES),
             "  custom_snapshots:",
             "    - name: %s" % KEPT_SNAPSHOT["name"],
             "      expiration: \"%s\"" % KEPT_SNAPSHOT["expiration"],
             "  purge_custom_snapshots: false",
             "nasha_snapshot_policy_partitions:"]
    lines += ["  - name: %s" % partition for partition in PARTITIONS]
    return "\n".join(lines) + "\n"


def write_all():
    (BENCH / "seeds").mkdir(parents=True, exist_ok=True)
    (BENCH / "inventory" / "group_vars").mkdir(parents=True, exist_ok=True)
    for name, document in (("scale-holds", scale_seed(False)), ("scale-drifted", scale_seed(True)),
                           ("one-partition", one_partition_seed()), ("pure-replacement", pure_replacement_seed())):
        (BENCH / "seeds" / ("%s.json" % name)).write_text(json.dumps(document, indent=1) + "\n")
    (BENCH / "inventory" / "hosts.yml").write_text(inventory())
    (BENCH / "inventory" / "group_vars" / "bench_services.yml").write_text(group_vars())
    (BENCH / "seeds" / "service-partitions.json").write_text(json.dumps(service_partitions_seed(), indent=1) + "\n")
    (BENCH / "inventory-service" / "host_vars").mkdir(parents=True, exist_ok=True)
    (BENCH / "inventory-service" / "hosts.yml").write_text(service_inventory())
    (BENCH / "inventory-service" / "host_vars" / ("%s.yml" % SERVICE_WIDE)).write_text(service_host_vars(PARTITIONS))
    (BENCH / "inventory-service" / "host_vars" / ("%s.yml" % SERVICE_ALONE)).write_text(service_host_vars(["p01"]))


if __name__ == "__main__":
    write_all()
