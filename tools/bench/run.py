"""make bench: the performance figures of the collection, measured against the NAS-HA API simulator.

Usage: python tools/bench/run.py BASE_URL COLLECTIONS_PATH [--runs N]
BASE_URL is a running simulator's API URL (http://127.0.0.1:PORT/1.0) that this benchmark may reseed at will;
COLLECTIONS_PATH the directory holding ansible_collections/snapkeep/nasha. Each figure is the median of N runs.
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

    def playbook(self, playbook, expect_changed):
        started = time.monotonic()
        done = subprocess.run(["ansible-playbook", "-i", str(BENCH / "inventory"), "-f", "10", str(BENCH / playbook)],
                              env=self.env, cwd=ROOT, capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        recap = RECAP_LINE.findall(done.stdout)
        problem = done.returncode != 0 or len(recap) != SCALE_SERVICES
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

    def overlapped_schedule(self, busy="accept"):
        """One partition, 4 schedule changes that keep a type, each task 3 s: the module's wall time and its task reads."""
        self.sim.configure(latency=0, task_duration=POLL_TASK_DURATION, busy=busy)
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

    def scale(self):
        """Per repetition: the floor, the no-change run and a converging run, in the same conditions."""
        self.sim.configure(latency=SCALE_LATENCY, task_duration=SCALE_TASK_DURATION)
        samples = []
        for dummy in range(self.runs):
            self.sim.seed("scale-holds")
            floor = self.measured(SCALE_LATENCY, lambda: self.playbook("floor.yml", expect_changed=False))
            holds = self.measured(SCALE_LATENCY, lambda: self.playbook("policy.yml", expect_changed=False))
            self.sim.seed("scale-drifted")
            converging = self.measured(SCALE_LATENCY, lambda: self.playbook("policy.yml", expect_changed=True))
            samples.append(dict(floor=floor, holds=holds, converging=converging))
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
        print("==> figure 5: rate-limited converging run, %g request(s) a second, busy %s" % (RATE_LIMIT, busy), flush=True)
        samples = [rate_limited_run(bench, busy) for dummy in range(RATE_RUNS)]
        wall = median([elapsed for elapsed, dummy in samples])
        requests = median([len(traffic.entries) for dummy, traffic in samples])
        refused = max(sum(1 for entry in traffic.entries if entry["status"] == 429) for dummy, traffic in samples)
        goal = RATE_GOAL * requests / RATE_LIMIT
        rows.append("| 5. Rate-limited converging run, limit and cap %g a second, busy %s | %.1f s, %d requests, %d refused (429), "
                    "0 failures | <= %.1f s (%.1f x %d requests / %g per s), 0 failures | %s |" % (
                        RATE_LIMIT, busy, wall, requests, refused, goal, RATE_GOAL, requests, RATE_LIMIT,
                        "yes" if wall <= goal else "**no**"))
    header = ["", "Figure 5: median of %d run(s) per busy setting." % RATE_RUNS, "",
              "| figure | measured | goal | met |", "|---|---|---|---|"]
    return header + rows


def median(values):
    return statistics.median(values)


def report(schedule, single, scale, runs, replacement=None, schedule_conflict=None):
    """The table of figures with their goals, and the notes under it, as Markdown lines."""
    rows = []

    def row(figure, value, goal, met):
        rows.append("| %s | %s | %s | %s |" % (figure, value, goal, "yes" if met else "**no**"))

    holds = [sample["holds"][1] for sample in scale]
    reads_per_partition = median([traffic.reads / SCALE_PARTITIONS for traffic in holds])
    time_per_run = median([traffic.time_requests / SCALE_SERVICES for traffic in holds])
    writes = max(traffic.writes for traffic in holds)
    # per partition: its schedule, its custom snapshot names, one read per held snapshot; per service: the partition
    # list, read once so that a declared partition the service lacks fails before any write
    read_goal = 2 + HELD_CUSTOM_SNAPSHOTS_PER_PARTITION + SCALE_SERVICES / SCALE_PARTITIONS
    row("1. API reads per partition, no-change role run (%d partitions)" % SCALE_PARTITIONS,
        "%.2f reads, %d writes" % (reads_per_partition, writes),
        "<= %.2f reads (2 + %d custom snapshot held + 1 partition list per service), 0 writes"
        % (read_goal, HELD_CUSTOM_SNAPSHOTS_PER_PARTITION),
        reads_per_partition <= read_goal + 1e-9 and writes == 0)
    row("   /auth/time requests per module run (per service, not per partition)", "%.2f" % time_per_run, "1", time_per_run <= 1)

    module_time = median([elapsed for elapsed, dummy in schedule])
    row("2. Module wall time, 4 schedule changes keeping a type, tasks of %g s, busy accept" % POLL_TASK_DURATION,
        "%.2f s (%.2f x task)" % (module_time, module_time / POLL_TASK_DURATION),
        "<= %.1f s (1.5 x task)" % (1.5 * POLL_TASK_DURATION), module_time <= 1.5 * POLL_TASK_DURATION)
    if schedule_conflict:
        conflict_time = median([elapsed for elapsed, dummy in schedule_conflict])
        row("   the same, busy conflict (writes one after the other)",
            "%.2f s (%.2f x task)" % (conflict_time, conflict_time / POLL_TASK_DURATION), "-", True)
    for busy, samples in sorted((replacement or {}).items()):
        replacement_time = median([elapsed for elapsed, dummy in samples])
        row("2b. Module wall time, pure replacement [hour-1] -> [day-1], tasks of %g s, busy %s" % (POLL_TASK_DURATION, busy),
            "%.2f s (%.2f x task)" % (replacement_time, replacement_time / POLL_TASK_DURATION),
            "<= %.1f s (2.5 x task)" % (2.5 * POLL_TASK_DURATION), replacement_time <= 2.5 * POLL_TASK_DURATION)

    floor = median([sample["floor"][0] for sample in scale])
    no_change = median([sample["holds"][0] for sample in scale])
    converging = median([sample["converging"][0] for sample in scale])
    ratio = median([sample["holds"][0] / sample["floor"][0] for sample in scale])
    row("3. Scale 10 x 10, forks 10, +%d ms per answer: no-change run" % (SCALE_LATENCY * 1000), "%.1f s" % no_change, "-", True)
    row("   floor: one ansible.builtin.ping per partition", "%.1f s" % floor, "-", True)
    row("   no-change run / floor", "%.2f" % ratio, "<= 1", ratio <= 1)
    row("   converging run (100 schedules: 300 writes; 30 creations; tasks of %g s)" % SCALE_TASK_DURATION, "%.1f s" % converging, "-", True)

    per_task = median([traffic.task_status_reads / max(1, traffic.writes) for dummy, traffic in single])
    row("4. Task status reads per %g s task" % POLL_TASK_DURATION, "%.2f" % per_task, "<= 5", per_task <= 5)

    notes = []
    four = median([traffic.task_status_reads / max(1, traffic.writes) for dummy, traffic in schedule])
    notes.append("- 4 overlapped schedule tasks of %g s: %.2f task status reads per task, %d task list reads per run; "
                 "waiting for each change in turn would take about %g s." % (
                     POLL_TASK_DURATION, four, max(traffic.task_list_reads for dummy, traffic in schedule), 4 * POLL_TASK_DURATION))
    converge_traffic = [sample["converging"][1] for sample in scale]
    notes.append("- Converging run: %d requests (%d writes, %d task status reads, %d task list reads) per run (median)." % (
        median([len(t.entries) for t in converge_traffic]), median([t.writes for t in converge_traffic]),
        median([t.task_status_reads for t in converge_traffic]), median([t.task_list_reads for t in converge_traffic])))
    for label, index in (("floor", "floor"), ("no-change", "holds"), ("converging", "converging")):
        wall = median([sample[index][0] for sample in scale])
        cpu = median([sample[index][1].cpu_seconds for sample in scale])
        answers = median([sample[index][1].answer_seconds for sample in scale])
        count = median([len(sample[index][1].entries) for sample in scale])
        notes.append("- Simulator share, %s run: %d requests, %.2f s of simulator CPU time (%.1f %% of the %.1f s wall time); "
                     "%.1f s summed over its answers, added latency excluded." % (label, count, cpu, 100.0 * cpu / wall, wall, answers))
    cpu = median([traffic.cpu_seconds for dummy, traffic in schedule])
    notes.append("- Simulator share, figure 2: %.2f s of simulator CPU time in %.2f s." % (cpu, module_time))
    header = ["Median of %d runs each." % runs, "",
              "| figure | measured | goal | met |", "|---|---|---|---|"]
    return header + rows + [""] + notes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("collections_path")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sim-pid", type=int, help="the simulator's process id, to measure its CPU time")
    options = parser.parse_args()
    OUTPUT.mkdir(exist_ok=True)
    bench = Bench(Simulator(options.base_url, options.sim_pid), options.collections_path, options.runs)
    started = time.monotonic()
    print("==> figure 2 and 4: one partition, 4 schedule changes keeping a type, tasks of %g s, busy accept"
          % POLL_TASK_DURATION, flush=True)
    schedule = bench.overlapped_schedule()
    print("==> figure 2: the same, busy conflict", flush=True)
    schedule_conflict = bench.overlapped_schedule(busy="conflict")
    replacement = {}
    for busy in ("accept", "conflict"):
        print("==> figure 2b: pure replacement, tasks of %g s, busy %s" % (POLL_TASK_DURATION, busy), flush=True)
        replacement[busy] = bench.pure_replacement(busy)
    print("==> figure 4: one custom snapshot, task of %g s" % POLL_TASK_DURATION, flush=True)
    single = bench.single_task()
    print("==> figures 1 and 3: 10 services x 10 partitions, floor, no-change and converging runs", flush=True)
    scale = bench.scale()
    lines = report(schedule, single, scale, options.runs, replacement=replacement, schedule_conflict=schedule_conflict)
    lines += rate_limited_figures(bench)
    lines.append("- Benchmark wall time: %.0f s." % (time.monotonic() - started))
    text = "\n".join(lines) + "\n"
    (OUTPUT / "latest.md").write_text(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
