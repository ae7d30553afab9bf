# -*- coding: utf-8 -*-
# Copyright: (c) 2026, snapkeep.nasha contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reliability suite's test bed: a simulator process per test module and playbooks run at -vvvv.

Every playbook run is checked the same way, whatever the scenario: no secret anywhere in its output or
results, no traceback, and in check mode no write request in the simulator's log. Each run's counts
(faults injected, writes in check mode, secrets found) go to a ledger directory shared by the pytest-xdist
workers (see conftest.py for the totals).
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("NASHA_ROOT") or HERE.parents[1])
VENV_BIN = Path(os.environ.get("NASHA_VENV_BIN") or ROOT / ".venv" / "bin")
PYTHON = VENV_BIN / "python"
ANSIBLE_PLAYBOOK = VENV_BIN / "ansible-playbook"
TEST_SEED = ROOT / "simulator" / "seeds" / "test.json"
LEDGER_ENV = "NASHA_RELIABILITY_LEDGER"
COLLECTIONS_ENV = "NASHA_RELIABILITY_COLLECTIONS"
TASK_DURATION = 0.2
PLAYBOOK_TIMEOUT = 240
TRACEBACK_MARKERS = ("Traceback (most recent call last)", "MODULE FAILURE", "The full traceback is")


def _token(prefix):
    return "%s-%s" % (prefix, secrets.token_hex(12))


class Credentials:
    """The seed's keys, every secret replaced by a random value so that any trace of it in an output is a leak."""

    def __init__(self):
        self.application_key = "demo-ak"
        self.application_secret = _token("as")
        self.consumer_key = _token("ck")
        self.readonly_consumer_key = _token("ck-readonly")
        self.pending_consumer_key = _token("ck-pending")
        self.one_service_consumer_key = _token("ck-one-service")
        self.other_application_secret = _token("other-as")
        self.other_consumer_key = _token("other-ck")
        # Values given by scenarios that are secrets too, though the simulator does not know them.
        self.wrong_application_secret = _token("wrong-as")
        self.unknown_consumer_key = _token("unknown-ck")
        self.client_secret = _token("client-secret")

    def secret_values(self):
        return [self.application_secret, self.consumer_key, self.readonly_consumer_key, self.pending_consumer_key,
                self.one_service_consumer_key, self.other_application_secret, self.other_consumer_key,
                self.wrong_application_secret, self.unknown_consumer_key, self.client_secret]

    def seed(self):
        """simulator/seeds/test.json with these secrets."""
        document = json.loads(TEST_SEED.read_text(encoding="utf-8"))
        replacements = {
            "demo-as": self.application_secret, "demo-ck": self.consumer_key,
            "demo-ck-readonly": self.readonly_consumer_key, "test-ck-pending": self.pending_consumer_key,
            "test-ck-one-service": self.one_service_consumer_key, "other-as": self.other_application_secret,
            "other-ck": self.other_consumer_key,
        }
        for application in document["credentials"]:
            application["application_secret"] = replacements[application["application_secret"]]
            for consumer in application["consumer_keys"]:
                consumer["consumer_key"] = replacements[consumer["consumer_key"]]
        return document

    def module_args(self, **overrides):
        """Connection options for a task, as a user passes them."""
        args = dict(application_key=self.application_key, application_secret=self.application_secret,
                    consumer_key=self.consumer_key)
        args.update(overrides)
        return args


CREDENTIALS = Credentials()

DEFAULT_CONFIG = dict(task_duration=TASK_DURATION, visibility="on_done", busy="accept", last_schedule="refuse",
                      initial_status="todo", name_prefix="", expiration_format="utc", latency=0, clock_offset=0, rate_limit=None,
                      timestamp_window=300)


# ---------------------------------------------------------------- the simulator

class Simulator:
    """A simulator process of its own, driven through its /_sim/ control routes."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        seed_path = self.workdir / "seed.json"
        seed_path.write_text(json.dumps(CREDENTIALS.seed()), encoding="utf-8")
        port_file = self.workdir / "port"
        self._log_file = open(self.workdir / "simulator.log", "wb")  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [str(PYTHON), "-m", "simulator.nasha_sim", "--seed", str(seed_path), "--state", str(self.workdir / "state.json"),
             "--port", "0", "--port-file", str(port_file), "--task-duration", str(TASK_DURATION)],
            cwd=str(ROOT), stdout=self._log_file, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the simulator did not start: %s" % (self.workdir / "simulator.log").read_text())
            time.sleep(0.05)
        port = int(port_file.read_text().strip())
        self.base_url = "http://127.0.0.1:%d/1.0" % port
        self.control_url = "http://127.0.0.1:%d/_sim" % port

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    def control(self, method, route, body=None):
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(self.control_url + route, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise AssertionError("%s %s: %s %s" % (method, route, exc.code, exc.read().decode("utf-8", "replace"))) from None

    def reset(self, **config):
        """The seed again, no task, fault nor log entry, and the suite's default switches (plus `config`)."""
        self.control("POST", "/reset")
        self.configure(**dict(DEFAULT_CONFIG, **config))

    def configure(self, **config):
        return self.control("POST", "/config", config)

    def add_faults(self, *rules):
        return self.control("POST", "/faults", list(rules))

    def clear_faults(self):
        self.control("DELETE", "/faults")

    def log(self, since=0):
        return self.control("GET", "/log?since=%d" % since)

    def log_next(self):
        return self.log(since=1 << 62)["next"]

    def state(self):
        return self.control("GET", "/state")

    def partition(self, service_name, partition_name):
        return self.state()["services"][service_name]["partitions"][partition_name]

    def custom_names(self, service_name, partition_name):
        return sorted(snapshot["name"] for snapshot in self.partition(service_name, partition_name)["custom_snapshots"])

    def snapshot_types(self, service_name, partition_name):
        return sorted(self.partition(service_name, partition_name)["snapshot_types"])

    def tasks(self):
        return self.state()["tasks"]

    def client(self, consumer_key=None):
        """A python-ovh client for this simulator, for setting a scene (a pending task, for example)."""
        import ovh  # pylint: disable=import-outside-toplevel
        ovh.client.ENDPOINTS[self.base_url] = self.base_url
        return ovh.Client(endpoint=self.base_url, application_key=CREDENTIALS.application_key,
                          application_secret=CREDENTIALS.application_secret,
                          consumer_key=consumer_key or CREDENTIALS.consumer_key)


def applied_changes(tasks):
    """(kind, service, partition, what) of every task the simulator accepted, for finding a change made twice."""
    changes = []
    for task in tasks:
        change = task["change"]
        what = change.get("type") or change.get("snapshot", {}).get("name")
        changes.append((change["kind"], task["storageName"], task["partitionName"], what))
    return changes


def assert_no_change_twice(tasks):
    changes = applied_changes(tasks)
    duplicates = sorted(set(change for change in changes if changes.count(change) > 1))
    assert not duplicates, "changes sent twice: %s" % duplicates


# ---------------------------------------------------------------- playbook runs

class Run:
    """One ansible-playbook run: exit status, output, every task result, and the simulator's log of it."""

    def __init__(self, rc, stdout, stderr, results, log, check):
        self.secrets_found = 0
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.results = results
        self.log = log
        self.check = check

    @property
    def output(self):
        return self.stdout + "\n" + self.stderr

    def result(self, task_name, host=None):
        """The result of the last run of the named task (on host, when given)."""
        # Role tasks are named "<role> : <task>".
        found = [record for record in self.results
                 if record["task"] is not None and (record["task"] == task_name or record["task"].endswith(" : " + task_name))
                 and (host is None or record["host"] == host)]
        assert found, "no result for task %r; tasks run: %s\n%s" % (
            task_name, sorted(set(record["task"] for record in self.results)), self.output[-4000:])
        return found[-1]

    def failed(self, task_name, host=None):
        return self.result(task_name, host)["status"] == "failed"

    def msg(self, task_name, host=None):
        return str(self.result(task_name, host)["result"].get("msg", ""))

    def writes(self):
        return [entry for entry in self.log if entry["write"]]

    def faults(self):
        return [entry for entry in self.log if entry["fault"]]

    def requests(self, method=None, path_part=""):
        return [entry for entry in self.log
                if (method is None or entry["method"] == method) and path_part in entry["path"]]

    def describe(self):
        return "rc=%s\n--- stdout (end)\n%s\n--- stderr (end)\n%s" % (self.rc, self.stdout[-6000:], self.stderr[-3000:])


def count_secrets(text):
    return sum(text.count(secret) for secret in CREDENTIALS.secret_values())


class Ledger:
    """Per-run counts, one JSON line each, in a directory shared by every pytest-xdist worker."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self._lock = threading.Lock()

    def record(self, **counts):
        name = "runs-%s.jsonl" % os.environ.get("PYTEST_XDIST_WORKER", "main")
        with self._lock, open(self.directory / name, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(counts) + "\n")

    def totals(self):
        totals = dict(runs=0, faults_injected=0, check_mode_runs=0, check_mode_writes=0, secrets_found=0)
        for path in sorted(self.directory.glob("runs-*.jsonl")):
            for line in path.read_text(encoding="utf-8").splitlines():
                counts = json.loads(line)
                totals["runs"] += 1
                totals["faults_injected"] += counts["faults"]
                totals["check_mode_runs"] += 1 if counts["check"] else 0
                totals["check_mode_writes"] += counts["check_writes"]
                totals["secrets_found"] += counts["secrets_found"]
        return totals


def _playbook_environment(workdir, sim, with_credentials, env):
    environment = dict((key, value) for key, value in os.environ.items() if not key.startswith(("OVH_", "ANSIBLE_")))
    home = workdir / "home"
    home.mkdir(exist_ok=True)
    environment.update(
        HOME=str(home),
        ANSIBLE_COLLECTIONS_PATH=os.environ[COLLECTIONS_ENV],
        ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
        ANSIBLE_CALLBACKS_ENABLED="reliability_log",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-local"),
        ANSIBLE_REMOTE_TMP=str(workdir / "ansible-remote"),
        ANSIBLE_HOST_KEY_CHECKING="0",
        ANSIBLE_PYTHON_INTERPRETER=str(PYTHON),
        NASHA_RELIABILITY_RESULTS=str(workdir / "results.jsonl"),
    )
    if with_credentials:
        environment.update(OVH_ENDPOINT=sim.base_url, OVH_APPLICATION_KEY=CREDENTIALS.application_key,
                           OVH_APPLICATION_SECRET=CREDENTIALS.application_secret, OVH_CONSUMER_KEY=CREDENTIALS.consumer_key)
    environment.update(env or {})
    return environment


LOCALHOST_INVENTORY = {"all": {"hosts": {"localhost": {"ansible_connection": "local"}}}}


def services_inventory(*service_names, **variables):
    """One host per NAS-HA service, as the role expects them."""
    return {"nasha_services": {"hosts": dict((name, None) for name in service_names),
                               "vars": dict(dict(ansible_connection="local"), **variables)}}


def play(tasks, hosts="localhost", **keywords):
    return dict(dict(name="scenario", hosts=hosts, gather_facts=False, tasks=tasks), **keywords)


def role_play(**keywords):
    return dict(dict(name="policy", hosts="nasha_services", gather_facts=False,
                     roles=[dict(role="snapkeep.nasha.nasha_snapshot_policy")]), **keywords)


class Playbooks:
    """Writes playbooks and inventories (as JSON, which YAML reads) to a directory and runs them at -vvvv."""

    def __init__(self, sim, tmp_path, ledger):
        self.sim = sim
        self.tmp_path = Path(tmp_path)
        self.ledger = ledger
        self._count = 0
        self._lock = threading.Lock()

    def _workdir(self):
        with self._lock:
            self._count += 1
            workdir = self.tmp_path / ("run-%02d" % self._count)
        workdir.mkdir(parents=True)
        return workdir

    def _execute(self, plays, inventory, check, forks, with_credentials, env, extra_args):
        workdir = self._workdir()
        playbook = workdir / "playbook.yml"
        playbook.write_text(json.dumps(plays if isinstance(plays, list) else [plays], indent=1), encoding="utf-8")
        inventory_path = workdir / "inventory.yml"
        inventory_path.write_text(json.dumps(inventory or LOCALHOST_INVENTORY, indent=1), encoding="utf-8")
        command = [str(ANSIBLE_PLAYBOOK), "-vvvv", "-i", str(inventory_path), str(playbook)]
        if check:
            command.append("--check")
        if forks:
            command += ["--forks", str(forks)]
        command += list(extra_args)
        completed = subprocess.run(command, cwd=str(workdir), env=_playbook_environment(workdir, self.sim, with_credentials, env),
                                   capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, check=False)
        results_path = workdir / "results.jsonl"
        results_text = results_path.read_text(encoding="utf-8") if results_path.exists() else ""
        results = [json.loads(line) for line in results_text.splitlines() if line.strip()]
        return completed, results, results_text

    def _check(self, completed, results_text, log, check, control=False):
        """The checks every run passes, and its counts in the ledger; returns the secrets found.

        control: a run that prints a secret on purpose, to show that the search finds one; it is left out of the ledger.
        """
        run_secrets = count_secrets(completed.stdout) + count_secrets(completed.stderr) + count_secrets(results_text)
        if control:
            return run_secrets
        check_writes = sum(1 for entry in log if entry["write"]) if check else 0
        self.ledger.record(faults=sum(1 for entry in log if entry["fault"]), check=check, check_writes=check_writes,
                           secrets_found=run_secrets)
        output = completed.stdout + completed.stderr
        assert run_secrets == 0, "a secret appears in the output or the results of the run"
        assert check_writes == 0, "write requests in check mode: %s" % [entry for entry in log if entry["write"]]
        tracebacks = [marker for marker in TRACEBACK_MARKERS if marker in output]
        assert not tracebacks, "the run shows %s:\n%s" % (tracebacks, output[-6000:])
        return run_secrets

    def run(self, plays, inventory=None, check=False, forks=None, with_credentials=True, env=None, extra_args=(), settle=0,
            control=False):
        """Run a playbook; the simulator's log of the run comes with the result.

        settle: seconds to wait before reading the log, for answers still on their way (the simulator logs a
        request when its answer leaves, after any injected delay).
        """
        since = self.sim.log_next()
        completed, results, results_text = self._execute(plays, inventory, check, forks, with_credentials, env, extra_args)
        time.sleep(settle)
        log = self.sim.log(since=since)["entries"]
        secrets_found = self._check(completed, results_text, log, check, control=control)
        run = Run(completed.returncode, completed.stdout, completed.stderr, results, log, check)
        run.secrets_found = secrets_found
        return run

    def run_together(self, *specs):
        """Several playbooks started at the same moment; each spec holds the keyword arguments of run()."""
        since = self.sim.log_next()
        outcomes = [None] * len(specs)
        start = threading.Barrier(len(specs))

        def execute(index, spec):
            start.wait()
            outcomes[index] = self._execute(spec["plays"], spec.get("inventory"), spec.get("check", False), spec.get("forks"),
                                            spec.get("with_credentials", True), spec.get("env"), spec.get("extra_args", ()))

        threads = [threading.Thread(target=execute, args=(index, spec)) for index, spec in enumerate(specs)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        log = self.sim.log(since=since)["entries"]
        runs = []
        for spec, (completed, results, results_text) in zip(specs, outcomes):
            # The log is shared: in check mode every run of the group must be in check mode for it to count.
            self._check(completed, results_text, log if len(runs) == 0 else [], spec.get("check", False))
            runs.append(Run(completed.returncode, completed.stdout, completed.stderr, results, log, spec.get("check", False)))
        return runs


# ---------------------------------------------------------------- tasks

def task(task_name, module, ignore_errors=True, **args):
    """A task of the collection's module `module` (short name), failures recorded rather than stopping the play."""
    body = {"name": task_name, "snapkeep.nasha." + module: args}
    if ignore_errors:
        body["ignore_errors"] = True
    return body


def custom_snapshot(name, service_name="zpool-100001", partition_name="backups", task_name=None, **args):
    return task(task_name or "custom %s" % name, "nasha_custom_snapshot", service_name=service_name,
                partition_name=partition_name, name=name, **args)


def schedule(snapshot_types, service_name="zpool-100001", partition_name="backups", task_name=None, **args):
    return task(task_name or "schedule %s" % partition_name, "nasha_snapshot_schedule", service_name=service_name,
                partition_name=partition_name, snapshot_types=list(snapshot_types), **args)


# ---------------------------------------------------------------- many cases in one run

COMMON_OPTIONS = ("endpoint", "application_key", "application_secret", "consumer_key", "client_id", "client_secret",
                  "api_timeout", "api_retries", "max_requests_per_second")
MODULE_OPTIONS = dict(
    nasha_snapshot_schedule=("service_name", "partition_name", "snapshot_types", "state", "purge", "wait", "wait_timeout"),
    nasha_custom_snapshot=("service_name", "partition_name", "name", "state", "expiration", "expires_in", "wait", "wait_timeout"),
    nasha_snapshot_info=("service_name", "partition_name", "custom_snapshots", "max_concurrent_requests"),
    nasha_snapshot_plan=("service_name", "templates", "defaults", "partitions", "all_partitions", "max_concurrent_requests"),
)


def case_hosts(cases, connection=None, extra_options=()):
    """Plays and an inventory that run many cases side by side, one inventory host per case.

    cases: {case: (module short name, options)}. Every case's module is called with the connection options
    (module_defaults would not do: an omitted option drops its default too) updated with the case's options;
    extra_options are further option names to pass when a case sets them (unknown ones, say).
    Returns (plays, inventory, {case: host name}).
    """
    hosts = {}
    groups = {}
    for index, (case, (module, options)) in enumerate(cases.items()):
        host = "case-%02d" % index
        hosts[case] = host
        groups.setdefault(module, {})[host] = dict(ansible_connection="local", case_options=dict(connection or {}, **options))
    plays = []
    for module, members in groups.items():
        names = COMMON_OPTIONS + MODULE_OPTIONS[module] + tuple(extra_options)
        args = dict((name, "{{ case_options[%r] | default(omit) }}" % name) for name in names)
        body = {"name": "case", "snapkeep.nasha." + module: args, "ignore_errors": True}
        plays.append(dict(name=module, hosts=module, gather_facts=False, strategy="free", tasks=[body]))
    inventory = dict((module, {"hosts": members}) for module, members in groups.items())
    return plays, inventory, hosts
