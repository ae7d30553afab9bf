"""HTTP front of the simulator: routing, authentication, faults, the request log and the control routes."""
from __future__ import annotations

import collections
import dataclasses
import json
import os
import secrets
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from . import auth
from .config import SimConfig, updated_config
from .errors import INVALID_URL_MESSAGE, ApiError, bad_request, injected_error, not_found
from .faults import FaultBook, action_of
from .shares import Shares
from .state import NashaState, SeedError, load_json, normalise_document, parse_iam_filter, write_json_atomically
from .timeutil import format_utc

API_PREFIX = "/1.0"
CONTROL_PREFIX = "/_sim/"
DEMO_SEED = Path(__file__).resolve().parent.parent / "seeds" / "demo.json"
LOG_CAPACITY = 10000
WRITE_METHODS = ("POST", "PUT", "DELETE")


@dataclasses.dataclass
class Outcome:
    """What to do with one request once the state has been consulted."""
    status: int
    payload: object = None
    headers: dict = dataclasses.field(default_factory=dict)
    drop: str | None = None
    delay: float = 0.0
    fault: dict | None = None


class RequestLog:
    """The last /1.0 requests, without any credential."""

    def __init__(self, capacity: int = LOG_CAPACITY):
        self._entries = collections.deque(maxlen=capacity)
        self._next = 1
        self._lock = threading.Lock()

    def record(self, **entry) -> None:
        with self._lock:
            self._entries.append({"seq": self._next, **entry})
            self._next += 1

    def since(self, seq: int) -> dict:
        with self._lock:
            return {"next": self._next, "entries": [dict(e) for e in self._entries if e["seq"] >= seq]}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


# Routes relative to /1.0: (method, path segments with {placeholders}, operation name).
_API_ROUTES = [
    ("GET", "auth/time", "auth_time"),
    ("GET", "dedicated/nasha", "list_services"),
    ("GET", "dedicated/nasha/{svc}", "get_service"),
    ("GET", "dedicated/nasha/{svc}/partition", "list_partitions"),
    ("GET", "dedicated/nasha/{svc}/partition/{part}", "get_partition"),
    ("GET", "dedicated/nasha/{svc}/partition/{part}/snapshot", "list_schedules"),
    ("POST", "dedicated/nasha/{svc}/partition/{part}/snapshot", "add_schedule"),
    ("GET", "dedicated/nasha/{svc}/partition/{part}/snapshot/{type}", "get_schedule"),
    ("DELETE", "dedicated/nasha/{svc}/partition/{part}/snapshot/{type}", "remove_schedule"),
    ("GET", "dedicated/nasha/{svc}/partition/{part}/customSnapshot", "list_custom"),
    ("POST", "dedicated/nasha/{svc}/partition/{part}/customSnapshot", "create_custom"),
    ("GET", "dedicated/nasha/{svc}/partition/{part}/customSnapshot/{name}", "get_custom"),
    ("DELETE", "dedicated/nasha/{svc}/partition/{part}/customSnapshot/{name}", "delete_custom"),
    ("GET", "dedicated/nasha/{svc}/partition/{part}/access", "list_access"),
    ("POST", "dedicated/nasha/{svc}/partition/{part}/access", "add_access"),
    ("GET", "dedicated/nasha/{svc}/partition/{part}/access/{ip}", "get_access"),
    ("DELETE", "dedicated/nasha/{svc}/partition/{part}/access/{ip}", "remove_access"),
    ("GET", "dedicated/nasha/{svc}/task", "list_tasks"),
    ("GET", "dedicated/nasha/{svc}/task/{task}", "get_task"),
]


def resolve_route(method: str, path: str):
    """(operation, parameters) for a path relative to /1.0 without query; None for an unknown route."""
    segments = path.split("/")[1:] if path.startswith("/") else None
    if not segments or any(s == "" for s in segments):
        return None
    for route_method, template, operation in _API_ROUTES:
        parts = template.split("/")
        if route_method != method or len(parts) != len(segments):
            continue
        params = {}
        for part, segment in zip(parts, segments):
            if part.startswith("{"):
                params[part[1:-1]] = urllib.parse.unquote(segment)
            elif part != segment:
                break
        else:
            return operation, params
    return None


# The control panel's expanded lists: with this header, a list route answers the listed objects themselves.
EXPANDED_HEADER = "X-Pagination-Mode"
EXPANDED_MODE = "CachedObjectList-Pages"
_EXPANDED_ITEMS = {
    "list_services": lambda state, params, name, config, now: state.get_service(name),
    "list_partitions": lambda state, params, name, config, now: state.get_partition(params["svc"], name),
    "list_schedules": lambda state, params, name, config, now: state.get_schedule(params["svc"], params["part"], name),
    "list_custom": lambda state, params, name, config, now: state.get_custom(params["svc"], params["part"], name, config),
    "list_tasks": lambda state, params, task_id, config, now: state.get_task(params["svc"], str(task_id), config, now),
}


def _single_query(query: dict, name: str):
    values = query.get(name)
    return values[-1] if values else None


class Simulator:
    """The whole simulated API; thread-safe, independent of the HTTP transport."""

    def __init__(self, config: SimConfig | None = None, seed=None, state_path=None, clock=None, data_dir=None):
        self.config = config or SimConfig()
        self.shares = Shares(data_dir) if data_dir else None
        self._wall_clock = clock or time.time
        self.clock_advance = 0.0  # seconds added by POST /_sim/clock, so that days pass in a test
        self.seed_source = seed if seed is not None else DEMO_SEED
        self.state_path = Path(state_path) if state_path else None
        self.lock = threading.RLock()
        self.faults = FaultBook()
        self.log = RequestLog()
        self.rate_limiter = auth.RateLimiter()
        self._query_prefix = f"EU.ext-1.{secrets.token_hex(8)}"
        self._query_count = 0
        self._query_lock = threading.Lock()
        if self.state_path and self.state_path.exists():
            self.state = NashaState(load_json(self.state_path))
        else:
            self.state = NashaState(self._seed_document())
            self._persist()

    # -- helpers

    def clock(self) -> float:
        """The simulated now (epoch seconds): the wall clock plus what /_sim/clock advanced."""
        return self._wall_clock() + self.clock_advance

    def _seed_document(self) -> dict:
        if isinstance(self.seed_source, dict):
            return self.seed_source
        return load_json(self.seed_source)

    def _persist(self) -> None:
        if self.state_path:
            write_json_atomically(self.state_path, self.state.to_document())

    def next_query_id(self) -> str:
        with self._query_lock:
            self._query_count += 1
            return f"{self._query_prefix}.{self._query_count}"

    def server_time(self, now: float) -> int:
        return int(now + self.config.clock_offset)

    # -- /1.0

    def api_request(self, method: str, target: str, headers, raw_body: bytes, url: str) -> Outcome:
        """Answer one /1.0 request; ``target`` is the path after /1.0, query string included."""
        path, dummy, query_text = target.partition("?")
        rule = self.faults.take_request_fault(method, path)
        fault = action_of(rule) if rule else None
        if rule and "drop" in rule and rule["drop"] == "before":
            return Outcome(status=0, drop="before", fault=fault)
        if rule and "status" in rule:
            error = injected_error(rule["status"], rule["retry_after"])
            return Outcome(error.status, error.body, error.headers, fault=fault)
        try:
            outcome = self._routed(method, path, query_text, headers, raw_body, url)
        except ApiError as error:
            outcome = Outcome(error.status, error.body, error.headers)
        if outcome.fault:
            fault = {**(fault or {}), **outcome.fault}
        outcome.fault = fault
        if rule and rule.get("drop") == "after":
            outcome.drop = "after"
        if rule and "delay" in rule:
            outcome.delay = rule["delay"]
        return outcome

    def _routed(self, method, path, query_text, headers, raw_body, url) -> Outcome:
        route = resolve_route(method, path)
        if route is None:
            raise not_found(INVALID_URL_MESSAGE)
        operation, params = route
        config = self.config
        if operation == "auth_time":
            return Outcome(200, self.server_time(self.clock()))
        body_text = raw_body.decode("utf-8", errors="replace")
        query = urllib.parse.parse_qs(query_text, keep_blank_values=True)
        task_faults = []

        def take_task_fault():
            action = self.faults.take_task_fault(method, path)
            if action:
                task_faults.append(action)
            return action

        with self.lock:
            now = self.clock()
            consumer_key = auth.authenticate(self.state, headers, method, url, path, body_text,
                                             self.server_time(now), config.timestamp_window)
            self.rate_limiter.check(consumer_key, now, config.rate_limit)
            if self.state.settle(now):
                self._persist()
            self._sync_shares(now)
            result = self._operate(operation, params, query, body_text, config, now, take_task_fault)
            if (headers.get(EXPANDED_HEADER) == EXPANDED_MODE and operation in _EXPANDED_ITEMS
                    and config.expanded_lists == "honour"):
                result = [_EXPANDED_ITEMS[operation](self.state, params, item, config, now) for item in result]
            if method in WRITE_METHODS:
                self._persist()
                self._sync_shares(now)
        return Outcome(200, result, fault={"task": task_faults[0]} if task_faults else None)

    def _sync_shares(self, now) -> None:
        if self.shares is not None:
            self.shares.sync(self.state.doc, now)

    def _operate(self, operation, params, query, body_text, config, now, take_task_fault):
        state = self.state
        svc, part = params.get("svc"), params.get("part")
        if operation == "list_services":
            iam_tags = _single_query(query, "iamTags")
            return state.list_services(parse_iam_filter(iam_tags) if iam_tags is not None else None)
        if operation == "get_service":
            return state.get_service(svc)
        if operation == "list_partitions":
            return state.list_partitions(svc)
        if operation == "get_partition":
            return state.get_partition(svc, part)
        if operation == "list_schedules":
            return state.list_schedules(svc, part)
        if operation == "get_schedule":
            return state.get_schedule(svc, part, params["type"])
        if operation == "remove_schedule":
            return state.remove_schedule(svc, part, params["type"], config, now, take_task_fault)
        if operation == "list_custom":
            return state.list_custom(svc, part)
        if operation == "get_custom":
            return state.get_custom(svc, part, params["name"], config)
        if operation == "delete_custom":
            return state.delete_custom(svc, part, params["name"], config, now, take_task_fault)
        if operation == "list_access":
            return state.list_access(svc, part)
        if operation == "get_access":
            return state.get_access(svc, part, params["ip"])
        if operation == "remove_access":
            return state.remove_access(svc, part, params["ip"], config, now, take_task_fault)
        if operation == "list_tasks":
            return state.list_tasks(svc, _single_query(query, "operation"), _single_query(query, "status"), now)
        if operation == "get_task":
            return state.get_task(svc, params["task"], config, now)
        body = _decode_json_body(body_text)
        if operation == "add_schedule":
            return state.add_schedule(svc, part, body, config, now, take_task_fault)
        if operation == "add_access":
            return state.add_access(svc, part, body, config, now, take_task_fault)
        return state.create_custom(svc, part, body, config, now, take_task_fault)

    # -- /_sim/

    def control_request(self, method: str, target: str, raw_body: bytes) -> Outcome:
        path, dummy, query_text = target.partition("?")
        name = path[len(CONTROL_PREFIX):]
        try:
            body = _decode_json_body(raw_body.decode("utf-8", errors="replace")) if method == "POST" else None
            handler = self._control_handlers().get((method, name))
            if handler is None:
                raise not_found(INVALID_URL_MESSAGE)
            return Outcome(200, handler(body, urllib.parse.parse_qs(query_text)))
        except ApiError as error:
            return Outcome(error.status, error.body, error.headers)
        except (ValueError, SeedError) as error:
            return Outcome(400, {"class": "Client::BadRequest", "message": str(error)})

    def _control_handlers(self) -> dict:
        """(method, name under /_sim/) -> function of (decoded JSON body or None, parsed query string)."""
        return {
            ("GET", "health"): lambda _body, _query: {"status": "ok", "services": len(self.state.doc["services"])},
            ("GET", "config"): lambda _body, _query: self.config.to_dict(),
            ("POST", "config"): self._set_config,
            ("GET", "faults"): lambda _body, _query: self.faults.to_list(),
            ("POST", "faults"): lambda body, _query: self.faults.add(body),
            ("DELETE", "faults"): lambda _body, _query: self.faults.clear() or [],
            ("GET", "log"): lambda _body, query: self.log.since(int(_single_query(query, "since") or 0)),
            ("DELETE", "log"): lambda _body, _query: self.log.clear() or {"next": self.log.since(0)["next"]},
            ("GET", "state"): self._dump_state,
            ("POST", "reset"): self._reset,
            ("POST", "seed"): self._replace_seed,
            ("GET", "clock"): lambda _body, _query: self._clock_view(),
            ("POST", "clock"): self._advance_clock,
            ("POST", "auto_snapshot"): self._auto_snapshot,
        }

    def _clock_view(self):
        now = self.clock()
        return {"now": int(now), "now_utc": format_utc(now), "advanced": self.clock_advance}

    def _advance_clock(self, body, _query):
        seconds = body.get("advance") if isinstance(body, dict) else None
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0 or set(body) != {"advance"}:
            raise ValueError('the body must be {"advance": seconds}, a number of seconds of 0 or more')
        with self.lock:
            self.clock_advance += seconds
            # Tasks and expirations due by the new time take effect now, as they would have while time passed.
            now = self.clock()
            if self.state.settle(now):
                self._persist()
            self._sync_shares(now)
        return self._clock_view()

    def _auto_snapshot(self, body, _query):
        """Take the automatic snapshot of a scheduled type on a partition's share (needs --data-dir)."""
        if self.shares is None:
            raise ValueError("the simulator has no data directory (--data-dir)")
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("service", "partition", "type")):
            raise ValueError('the body must be {"service": ..., "partition": ..., "type": ...}')
        with self.lock:
            now = self.clock()
            self.state.settle(now)
            self.state.get_partition(body["service"], body["partition"])  # 404 when unknown
            return self.shares.auto_snapshot(self.state.doc, body["service"], body["partition"], body["type"], now)

    def _set_config(self, body, _query):
        self.config = updated_config(self.config, body)
        return self.config.to_dict()

    def _dump_state(self, _body, _query):
        with self.lock:
            if self.state.settle(self.clock()):
                self._persist()
            self._sync_shares(self.clock())
            dump = self.state.public_dump()
            if self.shares is not None:
                dump["data_dir"] = self.shares.data_dir
            return dump

    def _reset(self, _body, _query):
        document = normalise_document(self._seed_document())
        with self.lock:
            self.state = NashaState(document)
            self.faults.clear()
            self.log.clear()
            self.rate_limiter.clear()
            self.clock_advance = 0.0
            self._persist()
        return {"status": "reset"}

    def _replace_seed(self, body, _query):
        if not isinstance(body, dict):
            raise ValueError("the body must be a seed document (a JSON object)")
        document = normalise_document({**body, "tasks": [], "next_task_id": body.get("next_task_id", 1000001)})
        with self.lock:
            self.state = NashaState(document)
            self.rate_limiter.clear()
            self._persist()
        return {"status": "seeded", "services": sorted(document["services"])}


def _decode_json_body(text: str):
    """None for an empty body; 400 Client::BadRequest for text that is not JSON."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise bad_request("Invalid JSON body: the request body could not be decoded") from None


class SimRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, Nagle + delayed ACK add ~40 ms per answer.
    disable_nagle_algorithm = True
    server_version = "nasha-sim"
    sys_version = ""

    def do_GET(self):  # pylint: disable=invalid-name  # http.server's naming
        self._handle()

    do_POST = do_DELETE = do_PUT = do_PATCH = do_GET

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        if self.server.verbose:
            super().log_message(format, *args)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self):
        simulator: Simulator = self.server.simulator
        started = time.monotonic()
        method = self.command
        raw_body = self._read_body()
        if self.path.startswith(CONTROL_PREFIX):
            self._answer(simulator.control_request(method, self.path, raw_body))
            return
        if not (self.path == API_PREFIX or self.path.startswith(API_PREFIX + "/") or self.path.startswith(API_PREFIX + "?")):
            error = not_found(INVALID_URL_MESSAGE)
            self._answer(Outcome(error.status, error.body))
            return
        target = self.path[len(API_PREFIX):]
        host = self.headers.get("Host") or f"{self.server.server_address[0]}:{self.server.server_address[1]}"
        outcome = simulator.api_request(method, target, self.headers, raw_body, f"http://{host}{self.path}")
        wait = outcome.delay + simulator.config.latency
        if wait > 0:
            time.sleep(wait)
        # Logged before the answer leaves: a client that reads the log as soon as it has its answer finds the
        # request there. A dropped answer is logged too (status null), and so is one to a client that has gone.
        simulator.log.record(
            time=simulator.clock(), method=method, path=target, status=None if outcome.drop else outcome.status,
            write=method in WRITE_METHODS, fault=outcome.fault,
            duration_ms=round((time.monotonic() - started) * 1000, 3),
        )
        if outcome.drop:
            self._drop()
        else:
            self._answer(outcome)

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _answer(self, outcome: Outcome):
        data = json.dumps(outcome.payload, separators=(",", ":")).encode("utf-8")
        self.send_response(outcome.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-OVH-QUERYID", self.server.simulator.next_query_id())
        for name, value in outcome.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class SimServer(ThreadingHTTPServer):
    """The HTTP server; ``simulator`` holds everything else."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, simulator: Simulator, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        self.simulator = simulator
        self.verbose = verbose
        self._thread = None
        super().__init__((host, port), SimRequestHandler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle_error(self, request, client_address):
        # A client that gives up (timeout, reset) is normal here; anything else is worth a trace.
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def start_background(self) -> threading.Thread:
        """Serve from a daemon thread; stop with ``stop()``."""
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="nasha-sim", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self) -> None:
        if self._thread is not None:
            self.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server_close()


def make_server(config: SimConfig | None = None, *, seed=None, state_path=None, host: str = "127.0.0.1",
                port: int = 0, clock=None, verbose: bool = False, data_dir=None) -> SimServer:
    """A bound (listening) simulator server; ``seed`` is a path or a seed document (default: the demo seed);
    ``data_dir`` holds the partitions' shares (see shares.py)."""
    simulator = Simulator(config=config, seed=seed, state_path=state_path, clock=clock, data_dir=data_dir)
    return SimServer(simulator, host=host, port=port, verbose=verbose)


def write_port_file(path, port: int) -> None:
    """Write the port atomically so that a reader never sees a partial number."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(f"{port}\n")
    os.replace(temporary, path)
