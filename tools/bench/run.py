"""make bench: the performance figures of the collection, measured against the NAS-HA API simulator.

Usage: python tools/bench/run.py BASE_URL COLLECTIONS_PATH [--runs N] [--figures modules,service,scale]
BASE_URL is a running simulator's API URL (http://127.0.0.1:PORT/1.0) that this benchmark may reseed at will;
COLLECTIONS_PATH the directory holding ansible_collections/snapkeep/nasha. Each figure is the median of N runs.
--figures measures some groups only (modules: figures 2, 2b and 4; service: figure 5; scale: figures 1 and 3; rate: figure 6);
the table then goes to bench/output/partial.md instead of latest.md.
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
BENCH = ROOT / "bench"
OUTPUT = BENCH / "output"

SCALE_LATENCY = 0.05
SCALE_TASK_DURATION = 1.0
POLL_TASK_DURATION = 3.0
SHORT_TASK_DURATION = 0.2
SCHEDULE_CHANGES = 4  # figure 2's change on one partition: 2 additions and 2 removals that keep a type
SERVICE_PARTITIONS = 10  # figure 5: bench/inventory-service, zpool-900200 (10 partitions) against zpool-900100 (1)
BUSY_SETTINGS = ("accept", "conflict")
FIGURE_GROUPS = ("modules", "service", "scale", "rate")
SCALE_PARTITIONS = 100
SCALE_SERVICES = 10
HELD_CUSTOM_SNAPSHOTS_PER_PARTITION = 1  # bench/seeds/scale-holds.json: each partition keeps year-end
MODULE_PACKAGE = "ansible_collections.snapkeep.nasha.plugins.modules."
# Rate-limited converging run: the simulator refuses beyond RATE_LIMIT requests a second (429, Retry-After), the role
# runs capped at the same rate, on partitions of one service that the drifted seed leaves to converge. 1 a second is
# the 60 a minute said to be safe; slower than the role's own pace, so that the pace sets the time.
RATE_LIMIT = 1
RATE_SERVICE = "zpool-900001"
RATE_PARTITIONS = ("p01", "p02")  # each: [hour-1] -> [hour-6, day-1], plus year-end to create
RATE_GOAL = 1.3  # x requests / limit
# Its runs last about a minute each, set by the pace itself, so one per busy setting rather than BENCH_RUNS.
RATE_RUNS = 1
TASK_STATUS_PATH = re.compile(r"/task/\d+$")
RECAP_LINE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


class Simulator:
    """The control routes of one simulator instance."""

    def __init__(self, base_url, pid=None):
        self.api_url = base_url.rstrip("/")
        self.root = self.api_url[: -len("/1.0")]
        self.pid = pid

    def cpu_seconds(self):
        """CPU time the simulator process has used so far (user + system), or 0 when unknown."""
        try:
            fields = pathlib.Path("/proc/%d/stat" % self.pid).read_text().rsplit(")", 1)[1].split()
        except (OSError, TypeError, IndexError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _call(self, method, route, document=None):
        data = None if document is None else json.dumps(document).encode()
        request = urllib.request.Request(self.root + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read() or b"null")

    def seed(self, name):
        self._call("POST", "/_sim/seed", json.loads((BENCH / "seeds" / ("%s.json" % name)).read_text()))

    def configure(self, **switches):
        if "busy" in switches and "initial_status" not in switches:
            # busy conflict is the strict contract: a second write refused (409), tasks starting at init.
            switches["initial_status"] = "init" if switches["busy"] == "conflict" else "todo"
        self._call("POST", "/_sim/config", switches)

    def clear_log(self):
        self._call("DELETE", "/_sim/log")

    def log(self):
        entries, since = [], 0
        while True:
            page = self._call("GET", "/_sim/log?since=%d" % since)
            entries += page["entries"]
            if not page["entries"] or page["next"] == since:
                return entries
            since = page["next"]


class Traffic:
    """What one run asked of the API, from the simulator's request log."""

    def __init__(self, entries, latency, cpu_seconds):
        self.entries = entries
        self.cpu_seconds = cpu_seconds
        self.time_requests = sum(1 for entry in entries if entry["path"].startswith("/auth/time"))
        self.writes = sum(1 for entry in entries if entry["write"])
        self.task_status_reads = sum(1 for entry in entries if not entry["write"] and TASK_STATUS_PATH.search(entry["path"].split("?")[0]))
        self.task_list_reads = sum(1 for entry in entries if not entry["write"] and entry["path"].split("?")[0].endswith("/task"))
        self.reads = len(entries) - self.writes - self.time_requests
        # Time from each request's arrival to its answer, less the delay the simulator adds on purpose: when
        # it exceeds the CPU time, requests waited for a processor (the machine is shared with Ansible's forks).
        total_ms = sum(entry["duration_ms"] or 0 for entry in entries)
        self.answer_seconds = max(0.0, total_ms / 1000.0 - latency * len(entries))


class Bench:
    def __init__(self, simulator, collections_path, runs):
        self.sim = simulator
        self.collections_path = collections_path
        self.runs = runs
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix="nasha-bench-"))
        self.env = dict(os.environ, OVH_ENDPOINT=simulator.api_url, OVH_APPLICATION_KEY="bench-ak",
                        OVH_APPLICATION_SECRET="bench-as", OVH_CONSUMER_KEY="bench-ck",
                        ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="false",
                        ANSIBLE_RETRY_FILES_ENABLED="false", ANSIBLE_LOCALHOST_WARNING="false")
        self.env.pop("ANSIBLE_CONFIG", None)

    # -------------------------------------------------------------- runners

    def module(self, name, args):
        """Wall time of one module run, as Ansible starts it (a Python process with its arguments file)."""
        args_file = self.workdir / ("%s.json" % name)
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        env = dict(self.env, PYTHONPATH=self.collections_path)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", MODULE_PACKAGE + name, str(args_file)], env=env, cwd=self.workdir,
                              capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        result = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
        if done.returncode != 0 or result.get("failed") or not result.get("changed"):
            raise SystemExit("bench: %s did not change as expected:\n%s\n%s" % (name, done.stdout, done.stderr))
        return elapsed

    def playbook(self, playbook, expect_changed, inventory="inventory", hosts=SCALE_SERVICES, limit=None):
        command = ["ansible-playbook", "-i", str(BENCH / inventory), "-f", "10", str(BENCH / playbook)]
        started = time.monotonic()
        done = subprocess.run(command + (["--limit", limit] if limit else []),
                              env=self.env, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        recap = RECAP_LINE.findall(done.stdout)
        problem = done.returncode != 0 or len(recap) != hosts
        if expect_changed is not None:
            problem = problem or any((int(changed) > 0) != expect_changed for dummy, dummy2, changed, dummy3, dummy4 in recap)
        if problem:
            (OUTPUT / "failed-run.log").write_text(done.stdout + done.stderr)
            raise SystemExit("bench: %s did not run as expected (see %s)" % (playbook, OUTPUT / "failed-run.log"))
        return elapsed

    def measured(self, latency, action):
        self.sim.clear_log()
        cpu = self.sim.cpu_seconds()
        elapsed = action()
        return elapsed, Traffic(self.sim.log(), latency, self.sim.cpu_seconds() - cpu)

    # -------------------------------------------------------------- scenarios

    def overlapped_schedule(self, busy="accept", task_duration=POLL_TASK_DURATION):
        """One partition, 4 schedule changes that keep a type: the module's wall time, its writes and its requests."""
        self.sim.configure(latency=0, task_duration=task_duration, busy=busy)
        samples = []
        for dummy in range(self.runs):
            self.sim.seed("one-partition")
            samples.append(self.measured(0, lambda: self.module("nasha_snapshot_schedule", dict(
                service_name="zpool-900100", partition_name="p01", snapshot_types=["hour-6", "day-1", "day-2"], purge=True))))
        self.sim.configure(busy="accept")
        return samples

    def pure_replacement(self, busy):
        """One partition, [hour-1] -> [day-1], each task 3 s: the addition is done before the removal is sent."""
        self.sim.configure(latency=0, task_duration=POLL_TASK_DURATION, busy=busy)
        samples = []
        for dummy in range(self.runs):
            self.sim.seed("pure-replacement")
            samples.append(self.measured(0, lambda: self.module("nasha_snapshot_schedule", dict(
                service_name="zpool-900100", partition_name="p01", snapshot_types=["day-1"], purge=True))))
        self.sim.configure(busy="accept")
        return samples

    def single_task(self):
        """One custom snapshot created, its task 3 s: task status reads."""
        self.sim.configure(latency=0, task_duration=POLL_TASK_DURATION)
        samples = []
        for dummy in range(self.runs):
            self.sim.seed("one-partition")
            samples.append(self.measured(0, lambda: self.module("nasha_custom_snapshot", dict(
                service_name="zpool-900100", partition_name="p01", name="bench", expires_in="1d"))))
        return samples

    def service_wide(self, busy):
        """The role converging the 10 partitions of one service, then the one partition of another, same changes."""
        self.sim.configure(latency=0, task_duration=POLL_TASK_DURATION, busy=busy)
        samples = []
        for dummy in range(self.runs):
            sample = {}
            for key, service in (("wide", "zpool-900200"), ("alone", "zpool-900100")):
                self.sim.seed("service-partitions")
                sample[key] = self.measured(0, lambda service=service: self.playbook(
                    "service.yml", expect_changed=True, inventory="inventory-service", hosts=1, limit=service))
            samples.append(sample)
        self.sim.configure(busy="accept")
        return samples

    def scale(self):
        """Per repetition: the floor, the no-change run with the expanded lists honoured and ignored, and a converging
        run under each busy setting, in the same conditions."""
        self.sim.configure(latency=SCALE_LATENCY, task_duration=SCALE_TASK_DURATION)
        samples = []
        for dummy in range(self.runs):
            self.sim.seed("scale-holds")
            floor = self.measured(SCALE_LATENCY, lambda: self.playbook("floor.yml", expect_changed=False))
            holds = self.measured(SCALE_LATENCY, lambda: self.playbook("policy.yml", expect_changed=False))
            self.sim.configure(expanded_lists="off")
            holds_plain = self.measured(SCALE_LATENCY, lambda: self.playbook("policy.yml", expect_changed=False))
            self.sim.configure(expanded_lists="on")
            sample = dict(floor=floor, holds=holds, holds_plain=holds_plain)
            for busy in BUSY_SETTINGS:
                self.sim.configure(busy=busy)
                self.sim.seed("scale-drifted")
                sample["converging_" + busy] = self.measured(
                    SCALE_LATENCY, lambda: self.playbook("policy.yml", expect_changed=True))
            self.sim.configure(busy="accept")
            sample["converging"] = sample["converging_accept"]
            samples.append(sample)
        return samples


def rate_limited_run(bench, busy, capped=True):
    """The role converging RATE_PARTITIONS of RATE_SERVICE under the simulator's rate limit: (wall time, Traffic)."""
    bench.sim.configure(latency=SCALE_LATENCY, task_duration=SCALE_TASK_DURATION, busy=busy, rate_limit=RATE_LIMIT)
    extra = dict(nasha_snapshot_policy_partitions=[dict(name=name) for name in RATE_PARTITIONS])
    if capped:
        extra["nasha_snapshot_policy_max_requests_per_second"] = RATE_LIMIT
    extra_file = bench.workdir / "rate-limited.json"
    extra_file.write_text(json.dumps(extra))

    def run():
        started = time.monotonic()
        done = subprocess.run(["ansible-playbook", "-i", str(BENCH / "inventory"), "-l", RATE_SERVICE, "-e", "@%s" % extra_file,
                               str(BENCH / "policy.yml")], env=bench.env, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        recap = RECAP_LINE.findall(done.stdout)
        if done.returncode != 0 or [(host, changed != "0", failed) for host, dummy, changed, dummy2, failed in recap] != [
                (RATE_SERVICE, True, "0")]:
            (OUTPUT / "failed-run.log").write_text(done.stdout + done.stderr)
            raise SystemExit("bench: the rate-limited run failed (see %s)" % (OUTPUT / "failed-run.log"))
        return elapsed

    try:
        bench.sim.seed("scale-drifted")
        return bench.measured(SCALE_LATENCY, run)
    finally:
        bench.sim.configure(rate_limit=None, busy="accept")


def rate_limited_figures(bench):
    """Figure 5, measured and reported on its own: its table lines (run under both busy settings)."""
    rows = []
    for busy in ("accept", "conflict"):
        print("==> figure 6: rate-limited converging run, %g request(s) a second, busy %s" % (RATE_LIMIT, busy), flush=True)
        samples = [rate_limited_run(bench, busy) for dummy in range(RATE_RUNS)]
        wall = median([elapsed for elapsed, dummy in samples])
        requests = median([len(traffic.entries) for dummy, traffic in samples])
        refused = max(sum(1 for entry in traffic.entries if entry["status"] == 429) for dummy, traffic in samples)
        goal = RATE_GOAL * requests / RATE_LIMIT
        rows.append("| 6. Rate-limited converging run, limit and cap %g a second, busy %s | %.1f s, %d requests, %d refused (429), "
                    "0 failures | <= %.1f s (%.1f x %d requests / %g per s), 0 failures | %s |" % (
                        RATE_LIMIT, busy, wall, requests, refused, goal, RATE_GOAL, requests, RATE_LIMIT,
                        "yes" if wall <= goal else "**no**"))
    header = ["", "Figure 6: median of %d run(s) per busy setting." % RATE_RUNS, "",
              "| figure | measured | goal | met |", "|---|---|---|---|"]
    return header + rows


def median(values):
    return statistics.median(values)


def _met(met):
    return "-" if met is None else ("yes" if met else "**no**")


def _wall(samples):
    return median([elapsed for elapsed, dummy in samples])


def report(figures, runs):
    """The tables of figures with their goals, and the notes under them, as Markdown lines.

    ``figures`` holds what was measured: schedule[busy][task duration], replacement[busy], single (modules),
    service[busy] (service) and scale (scale); a group not measured is left out of the tables."""
    rows, both, notes = [], [], []

    def row(figure, value, goal, met):
        rows.append("| %s | %s | %s | %s |" % (figure, value, goal, _met(met)))

    def row_both(figure, accept, conflict):
        """One figure under both busy settings, each (value, goal, met)."""
        both.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            figure, accept[0], accept[1], _met(accept[2]), conflict[0], conflict[1], _met(conflict[2])))

    scale = figures.get("scale")
    if scale:
        writes = max(max(sample["holds"][1].writes, sample["holds_plain"][1].writes) for sample in scale)
        # per service: the partition list, read once so that a declared partition the service lacks fails before any
        # write; per partition: its schedule and its custom snapshots with their expirations (2 reads when the
        # expanded lists are honoured), and when they are not, the list of names then one read per held snapshot
        partition_list = SCALE_SERVICES / SCALE_PARTITIONS
        for key, label, held in (("holds", "expanded lists honoured", 0),
                                 ("holds_plain", "expanded lists ignored", HELD_CUSTOM_SNAPSHOTS_PER_PARTITION)):
            per_partition = median([sample[key][1].reads / SCALE_PARTITIONS for sample in scale])
            goal = 2 + held + partition_list
            row("%s API reads per partition, no-change role run (%d partitions), %s"
                % ("1." if key == "holds" else "1b.", SCALE_PARTITIONS, label),
                "%.2f reads, %d writes" % (per_partition, writes),
                "<= %.2f reads (2%s + 1 partition list per service), 0 writes"
                % (goal, " + %d per held custom snapshot" % held if held else ""),
                per_partition <= goal + 1e-9 and writes == 0)
        time_per_run = median([sample["holds"][1].time_requests / SCALE_SERVICES for sample in scale])
        row("   /auth/time requests per module run (per service, not per partition)", "%.2f" % time_per_run, "1",
            time_per_run <= 1)

    schedule = figures.get("schedule")
    if schedule:
        chain = {"accept": 1, "conflict": SCHEDULE_CHANGES}  # tasks that must run one after the other
        for duration in (POLL_TASK_DURATION, SHORT_TASK_DURATION):
            walls = dict((busy, _wall(schedule[busy][duration])) for busy in BUSY_SETTINGS)
            if duration == POLL_TASK_DURATION:
                goals = {"accept": (1.5 * duration, "1.5 x task"),
                         "conflict": (1.1 * SCHEDULE_CHANGES * duration, "1.1 x %d tasks" % SCHEDULE_CHANGES)}
            else:
                goals = dict((busy, (chain[busy] * duration + 2, "%g s of tasks + 2 s" % (chain[busy] * duration)))
                             for busy in BUSY_SETTINGS)
            cells = dict((busy, ("%.2f s (%.2f x task)" % (walls[busy], walls[busy] / duration),
                                 "<= %.1f s (%s)" % goals[busy], walls[busy] <= goals[busy][0] + 1e-9))
                         for busy in BUSY_SETTINGS)
            row_both("%s. Module wall time, %d schedule changes keeping a type on one partition, tasks of %g s"
                     % ("2" if duration == POLL_TASK_DURATION else "2a", SCHEDULE_CHANGES, duration),
                     cells["accept"], cells["conflict"])
            limits = {"writes": 5, "requests": 24} if duration == POLL_TASK_DURATION else {}
            for label, count in (("writes (POST/PUT/DELETE, refused ones included)", lambda t: t.writes),
                                 ("requests (every request in the log, /auth/time included)", lambda t: len(t.entries))):
                key = label.split()[0]
                cells = {}
                for busy in BUSY_SETTINGS:
                    value = median([count(traffic) for dummy, traffic in schedule[busy][duration]])
                    limit = limits.get(key) if busy == "conflict" else None
                    cells[busy] = ("%g" % value, "<= %d" % limit if limit else "-", value <= limit if limit else None)
                row_both("   %s" % label, cells["accept"], cells["conflict"])
        accept = schedule["accept"][POLL_TASK_DURATION]
        notes.append("- Figure 2, busy accept: %.2f task status reads per task, %d task list reads per run; waiting for "
                     "each change in turn would take about %g s." % (
                         median([traffic.task_status_reads / max(1, traffic.writes) for dummy, traffic in accept]),
                         max(traffic.task_list_reads for dummy, traffic in accept), SCHEDULE_CHANGES * POLL_TASK_DURATION))
        cpu = median([traffic.cpu_seconds for dummy, traffic in accept])
        notes.append("- Simulator share, figure 2 (busy accept): %.2f s of simulator CPU time in %.2f s." % (cpu, _wall(accept)))

    replacement = figures.get("replacement")
    if replacement:
        cells = dict((busy, ("%.2f s (%.2f x task)" % (_wall(replacement[busy]), _wall(replacement[busy]) / POLL_TASK_DURATION),
                             "<= %.1f s (2.5 x task)" % (2.5 * POLL_TASK_DURATION),
                             _wall(replacement[busy]) <= 2.5 * POLL_TASK_DURATION)) for busy in BUSY_SETTINGS)
        row_both("2b. Module wall time, pure replacement [hour-1] -> [day-1], tasks of %g s" % POLL_TASK_DURATION,
                 cells["accept"], cells["conflict"])

    if scale:
        floor = median([sample["floor"][0] for sample in scale])
        no_change = median([sample["holds"][0] for sample in scale])
        ratio = median([sample["holds"][0] / sample["floor"][0] for sample in scale])
        row("3. Scale 10 x 10, forks 10, +%d ms per answer: no-change run" % (SCALE_LATENCY * 1000), "%.1f s" % no_change,
            "-", None)
        row("   floor: one ansible.builtin.ping per partition", "%.1f s" % floor, "-", None)
        row("   no-change run / floor", "%.2f" % ratio, "<= 1", ratio <= 1)
        cells, ratios = {}, {}
        for busy in BUSY_SETTINGS:
            cells[busy] = ("%.1f s" % median([sample["converging_" + busy][0] for sample in scale]), "-", None)
            value = median([sample["converging_" + busy][0] / sample["floor"][0] for sample in scale])
            ratios[busy] = ("%.2f" % value, "<= 1", value <= 1)
        row_both("3. Scale 10 x 10, converging run (100 schedules, 30 creations, tasks of %g s)" % SCALE_TASK_DURATION,
                 cells["accept"], cells["conflict"])
        row_both("   converging run / floor of the same repetition", ratios["accept"], ratios["conflict"])

    single = figures.get("single")
    if single:
        per_task = median([traffic.task_status_reads / max(1, traffic.writes) for dummy, traffic in single])
        row("4. Task status reads per %g s task" % POLL_TASK_DURATION, "%.2f" % per_task, "<= 5", per_task <= 5)

    service = figures.get("service")
    if service:
        cells, alone, ratios = {}, {}, {}
        for busy in BUSY_SETTINGS:
            cells[busy] = ("%.1f s" % median([sample["wide"][0] for sample in service[busy]]), "-", None)
            alone[busy] = ("%.1f s" % median([sample["alone"][0] for sample in service[busy]]), "-", None)
            value = median([sample["wide"][0] / sample["alone"][0] for sample in service[busy]])
            ratios[busy] = ("%.2f" % value, "<= 1.5", value <= 1.5)
            wide = [sample["wide"][1] for sample in service[busy]]
            notes.append("- Figure 5, busy %s: %d requests (%d writes) for the %d partitions, %d (%d writes) for one." % (
                busy, median([len(t.entries) for t in wide]), median([t.writes for t in wide]), SERVICE_PARTITIONS,
                median([len(sample["alone"][1].entries) for sample in service[busy]]),
                median([sample["alone"][1].writes for sample in service[busy]])))
        row_both("5. Role converging the %d partitions of one service, %d schedule changes each, tasks of %g s"
                 % (SERVICE_PARTITIONS, SCHEDULE_CHANGES, POLL_TASK_DURATION), cells["accept"], cells["conflict"])
        row_both("   role converging one partition of a service, the same changes", alone["accept"], alone["conflict"])
        row_both("   %d partitions / one partition, same repetition" % SERVICE_PARTITIONS, ratios["accept"], ratios["conflict"])
    # Figure 6, the converging run under the simulator's rate limit (0 failures, wall time <= 1.3 x requests / limit),
    # goes here with the request-rate cap of the modules.

    if scale:
        converge_traffic = [sample["converging"][1] for sample in scale]
        notes.append("- Converging run, busy accept: %d requests (%d writes, %d task status reads, %d task list reads) "
                     "per run (median)." % (
                         median([len(t.entries) for t in converge_traffic]), median([t.writes for t in converge_traffic]),
                         median([t.task_status_reads for t in converge_traffic]),
                         median([t.task_list_reads for t in converge_traffic])))
        for label, index in (("floor", "floor"), ("no-change", "holds"), ("converging (busy accept)", "converging")):
            wall = median([sample[index][0] for sample in scale])
            cpu = median([sample[index][1].cpu_seconds for sample in scale])
            answers = median([sample[index][1].answer_seconds for sample in scale])
            count = median([len(sample[index][1].entries) for sample in scale])
            notes.append("- Simulator share, %s run: %d requests, %.2f s of simulator CPU time (%.1f %% of the %.1f s wall "
                         "time); %.1f s summed over its answers, added latency excluded."
                         % (label, count, cpu, 100.0 * cpu / wall, wall, answers))
    lines = ["Median of %d runs each." % runs]
    if rows:
        lines += ["", "Under busy accept, the simulator's default (figure 1 and the no-change and floor runs write nothing):",
                  "", "| figure | measured | goal | met |", "|---|---|---|---|"] + rows
    if both:
        lines += ["", "Under both settings for a busy partition, in the same run:", "",
                  "| figure | busy accept | goal | met | busy conflict | goal | met |",
                  "|---|---|---|---|---|---|---|"] + both
    return lines + [""] + notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("collections_path")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sim-pid", type=int, help="the simulator's process id, to measure its CPU time")
    parser.add_argument("--figures", default=",".join(FIGURE_GROUPS),
                        help="groups of figures to measure, among %s (default: all)" % ", ".join(FIGURE_GROUPS))
    options = parser.parse_args()
    groups = [group for group in options.figures.split(",") if group]
    if not groups or set(groups) - set(FIGURE_GROUPS):
        parser.error("--figures takes groups among %s" % ", ".join(FIGURE_GROUPS))
    OUTPUT.mkdir(exist_ok=True)
    bench = Bench(Simulator(options.base_url, options.sim_pid), options.collections_path, options.runs)
    started = time.monotonic()
    figures = {}
    if "modules" in groups:
        figures["schedule"] = dict((busy, {}) for busy in BUSY_SETTINGS)
        for duration in (POLL_TASK_DURATION, SHORT_TASK_DURATION):
            for busy in BUSY_SETTINGS:
                print("==> figure 2: one partition, %d schedule changes keeping a type, tasks of %g s, busy %s"
                      % (SCHEDULE_CHANGES, duration, busy), flush=True)
                figures["schedule"][busy][duration] = bench.overlapped_schedule(busy, duration)
        figures["replacement"] = {}
        for busy in BUSY_SETTINGS:
            print("==> figure 2b: pure replacement, tasks of %g s, busy %s" % (POLL_TASK_DURATION, busy), flush=True)
            figures["replacement"][busy] = bench.pure_replacement(busy)
        print("==> figure 4: one custom snapshot, task of %g s" % POLL_TASK_DURATION, flush=True)
        figures["single"] = bench.single_task()
    if "service" in groups:
        figures["service"] = {}
        for busy in BUSY_SETTINGS:
            print("==> figure 5: the role on the %d partitions of one service, then on one partition, busy %s"
                  % (SERVICE_PARTITIONS, busy), flush=True)
            figures["service"][busy] = bench.service_wide(busy)
    if "scale" in groups:
        print("==> figures 1 and 3: 10 services x 10 partitions, floor, no-change runs (expanded lists honoured, ignored) "
              "and converging runs (busy accept, conflict)", flush=True)
        figures["scale"] = bench.scale()
    lines = report(figures, options.runs)
    if "rate" in groups:
        lines += rate_limited_figures(bench)
    lines.append("- Benchmark wall time: %.0f s (figures: %s)." % (time.monotonic() - started, ", ".join(groups)))
    text = "\n".join(lines) + "\n"
    (OUTPUT / ("latest.md" if set(groups) == set(FIGURE_GROUPS) else "partial.md")).write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
