"""Command line: python -m simulator.nasha_sim --seed SEED --state PATH [options]."""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from .config import BUSY, EXPANDED_LISTS, EXPIRATION_FORMAT, INITIAL_STATUS, LAST_SCHEDULE, VISIBILITY, SimConfig, updated_config
from .server import DEMO_SEED, make_server, write_port_file
from .state import SeedError


def _rate_limit(text: str):
    return None if text.lower() in ("", "none", "null", "off") else float(text)


def parse_arguments(argv=None) -> argparse.Namespace:
    defaults = SimConfig()
    parser = argparse.ArgumentParser(prog="python -m simulator.nasha_sim",
                                     description="Local simulator of the OVHcloud NAS-HA snapshot API (127.0.0.1 only).")
    parser.add_argument("--seed", default=str(DEMO_SEED), help="seed document loaded when the state file does not exist")
    parser.add_argument("--state", required=True, help="state file, rewritten atomically after every change")
    parser.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one (default 8765)")
    parser.add_argument("--port-file", help="write the port to this file once listening")
    parser.add_argument("--task-duration", type=float, default=defaults.task_duration, help="seconds a task takes")
    parser.add_argument("--visibility", choices=VISIBILITY, default=defaults.visibility)
    parser.add_argument("--busy", choices=BUSY, default=defaults.busy)
    parser.add_argument("--last-schedule", choices=LAST_SCHEDULE, default=defaults.last_schedule)
    parser.add_argument("--name-prefix", default=defaults.name_prefix, help='e.g. "snap-" like the control panel')
    parser.add_argument("--expiration-format", choices=EXPIRATION_FORMAT, default=defaults.expiration_format)
    parser.add_argument("--initial-status", choices=INITIAL_STATUS, default=defaults.initial_status,
                        help="the status a task shows first (default todo)")
    parser.add_argument("--latency", type=float, default=defaults.latency, help="seconds added to every /1.0 answer")
    parser.add_argument("--clock-offset", type=float, default=defaults.clock_offset, help="seconds added to the server time")
    parser.add_argument("--rate-limit", type=_rate_limit, default=defaults.rate_limit,
                        help="requests per second per consumer key, beyond which 429 (default: off)")
    parser.add_argument("--date-offset-minutes", type=int, default=defaults.date_offset_minutes,
                        help="UTC offset of task dates (default 60, i.e. +01:00)")
    parser.add_argument("--timestamp-window", type=int, default=defaults.timestamp_window,
                        help="accepted distance in seconds between X-Ovh-Timestamp and the server time")
    parser.add_argument("--expanded-lists", choices=EXPANDED_LISTS, default=defaults.expanded_lists,
                        help="off: list routes ignore the X-Pagination-Mode header and answer names (default on)")
    parser.add_argument("--data-dir", help="directory holding each partition's share, <service>/<partition>/, "
                        "with its snapshots under .zfs/snapshot (default: none)")
    parser.add_argument("--verbose", action="store_true", help="print one line per request on stderr")
    return parser.parse_args(argv)


def config_from_arguments(arguments: argparse.Namespace) -> SimConfig:
    return updated_config(SimConfig(), {
        "task_duration": arguments.task_duration, "visibility": arguments.visibility, "busy": arguments.busy,
        "last_schedule": arguments.last_schedule, "name_prefix": arguments.name_prefix,
        "expiration_format": arguments.expiration_format, "initial_status": arguments.initial_status,
        "latency": arguments.latency,
        "clock_offset": arguments.clock_offset, "rate_limit": arguments.rate_limit,
        "date_offset_minutes": arguments.date_offset_minutes, "timestamp_window": arguments.timestamp_window,
        "expanded_lists": arguments.expanded_lists,
    })


def main(argv=None) -> int:
    arguments = parse_arguments(argv)
    try:
        config = config_from_arguments(arguments)
        server = make_server(config, seed=arguments.seed, state_path=arguments.state, port=arguments.port,
                             verbose=arguments.verbose, data_dir=arguments.data_dir)
    except (ValueError, SeedError, OSError) as error:
        print(f"nasha-sim: {error}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signal_number, lambda number, frame: stop.set())
    server.start_background()
    if arguments.port_file:
        write_port_file(arguments.port_file, server.port)
    print(f"nasha-sim listening on {server.base_url} (state: {arguments.state})", file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    server.stop()
    print("nasha-sim stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
