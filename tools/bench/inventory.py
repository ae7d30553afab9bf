"""make bench, inventory plugin: ansible-inventory --list of 100 services x 10 partitions against the simulator.

Usage: python tools/bench/inventory.py BASE_URL COLLECTIONS_PATH [--runs N] [--concurrency C]
The simulator is reseeded (100 services of 10 partitions) and answers each request 50 ms late. Figures, each the
median of N runs: requests of a cold listing (goal 1 + 2 x services), time the plugin spends reading (it says so
at -vvv; goal 1.5 x 100 sequential 50 ms reads divided by the concurrency), requests of the cached listing (goal 0);
the whole command's time, cold and cached, is shown beside. Written to bench/output/inventory.md as well.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "bench" / "output"
SERVICES = 100
PARTITIONS = 10
LATENCY = 0.05
CREDENTIALS = {"application_key": "bench-ak", "application_secret": "bench-as", "consumer_key": "bench-ck"}


def fleet_seed(services=SERVICES, partitions=PARTITIONS):
    """services x partitions, in three datacenters and two disk types, with IAM tags."""
    document = {"credentials": [{
        "application_key": CREDENTIALS["application_key"], "application_secret": CREDENTIALS["application_secret"],
        "consumer_keys": [{"consumer_key": CREDENTIALS["consumer_key"], "status": "validated",
                           "rules": [{"method": "GET", "path": "/*"}]}]}], "services": {}}
    for number in range(services):
        document["services"]["zpool-8%05d" % number] = {
            "datacenter": ("rbx", "gra", "sbg")[number % 3], "diskType": ("hdd", "ssd")[number % 2],
            "ip": "10.8.%d.%d" % (number // 250, number % 250 + 1), "zpoolSize": 3000, "zpoolCapacity": 40,
            "iam_tags": {"environment": "production" if number % 4 else "staging"},
            "partitions": {"p%02d" % part: {"protocol": ("NFS", "CIFS", "NFS_CIFS")[part % 3], "size": 100,
                                            "usedBySnapshots": part, "partitionCapacity": 30,
                                            "snapshot_types": ["hour-1", "day-1"]}
                           for part in range(1, partitions + 1)},
        }
    return document


class Simulator:
    def __init__(self, base_url):
        self.root = base_url.rstrip("/")[: -len("/1.0")]

    def call(self, method, route, document=None):
        data = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request(self.root + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return json.loads(answer.read() or b"null")

    def requests_since_clear(self):
        entries, since = [], 0
        while True:
            page = self.call("GET", "/_sim/log?since=%d" % since)
            entries += page["entries"]
            if not page["entries"] or page["next"] == since:
                return entries
            since = page["next"]


READ_LINE = re.compile(r"snapkeep\.nasha\.nasha: read (\d+) services in ([0-9.]+) s")


def listing(sim, directory, environment, flush):
    """(seconds, API requests without /auth/time, /auth/time requests, hosts, seconds of the plugin's reads or None)."""
    sim.call("DELETE", "/_sim/log")
    output = directory / "listing.json"
    command = ["ansible-inventory", "-vvv", "-i", str(directory / "bench.nasha.yml"), "--list", "--output", str(output)]
    if flush:
        command.append("--flush-cache")
    started = time.monotonic()
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.exit("ansible-inventory failed:\n%s" % done.stderr)
    hosts = len(json.loads(output.read_text())["_meta"]["hostvars"])
    entries = sim.requests_since_clear()
    time_requests = sum(1 for e in entries if e["path"] == "/auth/time")
    read = READ_LINE.search(done.stdout + done.stderr)
    return elapsed, len(entries) - time_requests, time_requests, hosts, float(read.group(2)) if read else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("collections_path")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args()
    sim = Simulator(options.base_url)
    sim.call("POST", "/_sim/seed", fleet_seed())
    sim.call("POST", "/_sim/config", {"latency": LATENCY, "rate_limit": None})
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=options.collections_path,
                       ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="true")
    cold, warm = [], []
    with tempfile.TemporaryDirectory() as temporary:
        directory = pathlib.Path(temporary)
        config = dict(plugin="snapkeep.nasha.nasha", endpoint=options.base_url, max_concurrent_requests=options.concurrency,
                      cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=str(directory / "cache"),
                      **CREDENTIALS)
        (directory / "bench.nasha.yml").write_text(json.dumps(config))
        for dummy in range(options.runs):
            cold.append(listing(sim, directory, environment, flush=True))
            warm.append(listing(sim, directory, environment, flush=False))
    sim.call("POST", "/_sim/config", {"latency": 0})
    cold_seconds = statistics.median(run[0] for run in cold)
    warm_seconds = statistics.median(run[0] for run in warm)
    cold_requests = max(run[1] for run in cold)
    warm_requests = max(run[1] + run[2] for run in warm)
    if any(run[4] is None for run in cold) or any(run[4] is not None for run in warm):
        sys.exit("the plugin must report its reads at -vvv on a cold listing, and read nothing on a cached one")
    api_seconds = statistics.median(run[4] for run in cold)
    sequential = SERVICES * LATENCY
    time_goal = 1.5 * sequential / options.concurrency
    request_goal = 1 + 2 * SERVICES
    if any(run[3] != SERVICES for run in cold + warm):
        sys.exit("every listing must hold %d hosts" % SERVICES)
    rows = [
        ("cold listing: API requests (+ /auth/time)", "%d (+%d)" % (cold_requests, max(run[2] for run in cold)),
         "<= %d" % request_goal, cold_requests <= request_goal),
        ("cold listing: seconds of the plugin's reads (whole command: cold %.2f s, cached %.2f s)" % (cold_seconds, warm_seconds),
         "%.2f" % api_seconds, "<= %.2f (1.5 x %d x %.0f ms / %d)" % (time_goal, SERVICES, LATENCY * 1000, options.concurrency),
         api_seconds <= time_goal),
        ("cached listing: requests", "%d" % warm_requests, "0", warm_requests == 0),
    ]
    lines = ["## Inventory plugin: %d services x %d partitions, +%.0f ms per answer, max_concurrent_requests %d, "
             "median of %d runs" % (SERVICES, PARTITIONS, LATENCY * 1000, options.concurrency, options.runs), "",
             "| figure | measured | goal | met |", "|---|---|---|---|"]
    lines += ["| %s | %s | %s | %s |" % (figure, value, goal, "yes" if met else "NO") for figure, value, goal, met in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    (OUTPUT / "inventory.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
