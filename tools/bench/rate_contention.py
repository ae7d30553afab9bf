"""Many requests in flight in one run against the simulator's rate limit: how many give up, with and without the cap.

Usage: python tools/bench/rate_contention.py COLLECTIONS_PATH LIMIT THREADS REQUESTS_PER_THREAD [CAP|none] [API_RETRIES]
An in-process simulator (simulator/seeds/test.json, rate_limit LIMIT requests a second); one OvhApi shared by THREADS
threads, each reading a partition list REQUESTS_PER_THREAD times, as a module run with that many requests in flight
does. Prints the wall time, the requests the simulator received, how many it refused (429) and how many gave up.
Not part of make bench: docs/performance.md quotes it for what an uncapped run risks.
"""
from __future__ import annotations

import pathlib
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def main(argv):
    collections_path, limit, threads, per_thread = argv[0], float(argv[1]), int(argv[2]), int(argv[3])
    cap = float(argv[4]) if len(argv) > 4 and argv[4] != "none" else None
    retries = int(argv[5]) if len(argv) > 5 else 4
    sys.path[:0] = [str(ROOT), collections_path]
    # pylint: disable=import-outside-toplevel
    from simulator.nasha_sim import SimConfig, make_server
    from ansible_collections.snapkeep.nasha.plugins.module_utils._connection import build_client
    from ansible_collections.snapkeep.nasha.plugins.module_utils._errors import OvhApiError
    from ansible_collections.snapkeep.nasha.plugins.module_utils._transport import OvhApi

    server = make_server(SimConfig(rate_limit=limit), seed=str(ROOT / "simulator" / "seeds" / "test.json"))
    server.start_background()
    try:
        client = build_client(dict(endpoint=server.base_url, application_key="demo-ak", application_secret="demo-as",
                                   consumer_key="demo-ck", api_timeout=10, api_retries=retries, max_requests_per_second=cap))
        api = OvhApi(client, retries=retries)
        gave_up = []

        def work():
            for dummy in range(per_thread):
                try:
                    api.get("/dedicated/nasha/zpool-100001/partition", "list the partitions")
                except OvhApiError as error:
                    gave_up.append(error.message)

        started = time.monotonic()
        workers = [threading.Thread(target=work) for dummy in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - started
        log = server.simulator.log.since(0)["entries"]
        print("limit %g/s, %d threads x %d reads, cap %s, api_retries %d: %.1f s, %d requests received, %d refused (429), "
              "%d gave up" % (limit, threads, per_thread, "none" if cap is None else "%g/s" % cap, retries, elapsed, len(log),
                              sum(1 for entry in log if entry["status"] == 429), len(gave_up)))
    finally:
        server.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
