"""make bench, restore figures: nasha_snapshot_restore against plain `rsync -a` of the same tree, in the same run.

Usage: python tools/bench/restore.py COLLECTIONS_PATH [--runs N] [--big-mib 1024] [--small-files 10000]

A mount point is laid out in a temporary directory, with `.zfs/snapshot/bench/` holding either 10,000 small files
or one 1 GiB file of random data (every block written, no hole). Each case restores into a new directory with the
module (run as Ansible starts it: a Python process with its arguments file) and with `rsync -a`, then again with
nothing left to copy. Each figure is the median of N runs; the order of the two tools alternates between runs so
that neither always meets a warmer page cache. Everything is removed at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

MODULE = "ansible_collections.snapkeep.nasha.plugins.modules.nasha_snapshot_restore"
GOAL = 1.2
CHUNK = 1 << 20


def make_small_files(root, count):
    per_directory = 100
    for index in range(count):
        directory = root / ("d%03d" % (index // per_directory))
        if index % per_directory == 0:
            directory.mkdir(parents=True)
        (directory / ("file %05d.txt" % index)).write_bytes(os.urandom(64 + index % 1024))


def make_big_file(root, mebibytes):
    root.mkdir(parents=True)
    block = os.urandom(CHUNK)
    with open(root / "big.bin", "wb") as handle:
        for index in range(mebibytes):
            # a different block each time (no two alike), every byte written: no hole, nothing to deduplicate
            handle.write(index.to_bytes(8, "little") + block[8:])
        handle.flush()
        os.fsync(handle.fileno())


class Runner:
    def __init__(self, workdir, collections_path):
        self.workdir = workdir
        self.env = dict(os.environ, PYTHONPATH=collections_path, LC_ALL="C")
        self.rsync = shutil.which("rsync")
        if self.rsync is None:
            raise SystemExit("bench: rsync is not installed (tools/require_package.sh installs it)")

    def module(self, mount, dest, expect_changed, list_only=False):
        args = dict(mount_point=str(mount), list_only=True) if list_only else dict(mount_point=str(mount), snapshot="bench", dest=str(dest))
        args_file = self.workdir / "args.json"
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", MODULE, str(args_file)], env=self.env, cwd=self.workdir,
                              capture_output=True, text=True, check=False)
        elapsed = time.monotonic() - started
        result = json.loads(done.stdout) if done.stdout.strip().startswith("{") else {}
        if done.returncode != 0 or result.get("failed") or bool(result.get("changed")) != expect_changed:
            raise SystemExit("bench: the restore module did not report changed=%s:\n%s\n%s" % (expect_changed, done.stdout, done.stderr))
        return elapsed

    def plain_rsync(self, source, dest):
        started = time.monotonic()
        subprocess.run([self.rsync, "-a", str(source) + "/", str(dest) + "/"], check=True)
        return time.monotonic() - started


def measure(runner, mount, runs):
    """{module, rsync, module_nochange, rsync_nochange}: median seconds."""
    source = mount / ".zfs" / "snapshot" / "bench"
    times = dict(module=[], rsync=[], module_nochange=[], rsync_nochange=[], fixed=[])
    # An untimed copy first: the source then sits in the page cache for every timed run, whichever tool goes first.
    warm = runner.workdir / "warm-up"
    runner.plain_rsync(source, warm)
    shutil.rmtree(warm)
    for run in range(runs):
        # The module's fixed cost (Python, Ansible's module code, the checks; no rsync): a list_only run.
        times["fixed"].append(runner.module(mount, None, False, list_only=True))
        order = ("module", "rsync") if run % 2 == 0 else ("rsync", "module")
        for tool in order:
            dest = runner.workdir / ("restored-" + tool)
            shutil.rmtree(dest, ignore_errors=True)
            if tool == "module":
                times["module"].append(runner.module(mount, dest, True))
                times["module_nochange"].append(runner.module(mount, dest, False))
            else:
                times["rsync"].append(runner.plain_rsync(source, dest))
                times["rsync_nochange"].append(runner.plain_rsync(source, dest))
            shutil.rmtree(dest)
    return dict((key, statistics.median(values)) for key, values in times.items())


def report(case, figures):
    lines = []
    for label, mine, theirs in (("restore into a new directory", "module", "rsync"),
                                ("no-change rerun", "module_nochange", "rsync_nochange")):
        ratio = figures[mine] / figures[theirs] if figures[theirs] else float("inf")
        verdict = "met" if ratio <= GOAL else "NOT met"
        copy_ratio = max(figures[mine] - figures["fixed"], 0) / figures[theirs] if figures[theirs] else float("inf")
        lines.append("| %s, %s | %.3f s | %.3f s | %.2fx | <= %.1fx | %s | %.3f s | %.2fx |" % (
            case, label, figures[mine], figures[theirs], ratio, GOAL, verdict, figures["fixed"], copy_ratio))
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("collections_path")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-mib", type=int, default=1024)
    parser.add_argument("--small-files", type=int, default=10000)
    options = parser.parse_args()
    workdir = pathlib.Path(tempfile.mkdtemp(prefix="nasha-bench-restore-"))
    try:
        runner = Runner(workdir, options.collections_path)
        lines = ["| case | nasha_snapshot_restore | rsync -a | ratio | goal | | module fixed cost | ratio without it |",
                 "|---|---|---|---|---|---|---|---|"]
        cases = (("%d small files" % options.small_files, lambda root: make_small_files(root, options.small_files)),
                 ("one %d MiB file" % options.big_mib, lambda root: make_big_file(root, options.big_mib)))
        for case, make in cases:
            mount = workdir / "mount"
            print("==> restore: %s" % case, flush=True)
            make(mount / ".zfs" / "snapshot" / "bench")
            lines += report(case, measure(runner, mount, options.runs))
            shutil.rmtree(mount)
        lines.append("")
        lines.append("- Median of %d runs each; the module runs as Ansible starts it (a Python process), without "
                     "ansible-playbook's own start-up; rsync %s." % (options.runs, rsync_version(runner.rsync)))
        lines.append("- Module fixed cost: a list_only run (Python start, Ansible's module code, the checks; no rsync). "
                     "The last column is (module - fixed cost) / rsync -a.")
        print("\n".join(lines))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def rsync_version(rsync):
    done = subprocess.run([rsync, "--version"], capture_output=True, text=True, check=False)
    words = done.stdout.split()
    return words[2] if len(words) > 2 else "of unknown version"


if __name__ == "__main__":
    main()
