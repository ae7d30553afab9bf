"""The fleet report (playbooks/nasha_snapshot_report.yml) for 10 services x 10 partitions, opened in headless Chromium.

Run by tools/report_test.sh. The page and its screenshots are left in tests/output/report/.
Chromium is Debian's `chromium` package: installed with apt-get when running as root, else the test fails saying so.
"""
from __future__ import annotations

import datetime
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from simulator.nasha_sim import SimConfig, make_server  # noqa: E402

OUTPUT = ROOT / "tests" / "output" / "report"
COLLECTIONS = os.environ.get("NASHA_REPORT_COLLECTIONS")
VENV_BIN = pathlib.Path(sys.executable).parent
SECRET = "report-application-secret"
CONSUMER = "report-ck"
SERVICES = ["zpool-7%05d" % number for number in range(10)]
PARTITIONS = ["partition-%02d" % number for number in range(10)]
TYPES = [["hour-1"], ["hour-6", "day-1"], ["day-1", "day-7"], ["hour-1", "day-1", "day-7"], []]


def _iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _seed(now):
    services = {}
    for index, service in enumerate(SERVICES):
        partitions = {}
        for number, partition in enumerate(PARTITIONS):
            customs = []
            if number % 3 == 0:
                customs.append({"name": "soon-%d" % number, "expiration": _iso(now + datetime.timedelta(days=2, hours=number))})
            if number % 4 == 1:
                customs.append({"name": "quarterly-release-%d" % number, "expiration": _iso(now + datetime.timedelta(days=90))})
            if number % 5 == 2:
                customs.append({"name": "before-upgrade"})
            partitions[partition] = {"protocol": ("NFS", "CIFS", "NFS_CIFS")[number % 3], "size": 100 * (number + 1),
                                     "usedBySnapshots": (index * 7 + number * 3) % 40, "partitionCapacity": 50,
                                     "snapshot_types": TYPES[(index + number) % len(TYPES)] or ["hour-1"],
                                     "custom_snapshots": customs}
        services[service] = {"datacenter": ("rbx", "gra")[index % 2], "diskType": ("hdd", "ssd")[index % 2],
                             "ip": "10.7.0.%d" % (index + 1), "customName": "team-%d" % index if index % 3 == 0 else None,
                             "partitions": partitions}
    return {"credentials": [{"application_key": "report-ak", "application_secret": SECRET, "consumer_keys": [
        {"consumer_key": CONSUMER, "rules": [{"method": "GET", "path": "/*"}]}]}], "services": services}


def _chromium():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=environment)
        found = shutil.which("chromium")
    if not found:
        pytest.fail("HEADLESS CHROMIUM IS MISSING: this test needs Debian's chromium package "
                    "(apt-get install chromium, as root); the report page was NOT checked in a browser")
    return found


def _browse(chromium, page, *arguments):
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--mute-audio",
               "--no-first-run", "--user-data-dir=%s" % (OUTPUT / ".chromium-profile")] + list(arguments) + [page.as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=True).stdout


@pytest.fixture(scope="module")
def report():
    if not COLLECTIONS:
        pytest.fail("NASHA_REPORT_COLLECTIONS is not set: run tools/report_test.sh")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    server = make_server(SimConfig(), seed=_seed(now))
    server.start_background()
    try:
        if OUTPUT.exists():
            shutil.rmtree(OUTPUT)
        inventory = OUTPUT / "inventory"
        (inventory / "group_vars").mkdir(parents=True)
        (inventory / "fleet.nasha.yml").write_text(json.dumps({
            "plugin": "snapkeep.nasha.nasha", "endpoint": server.base_url, "application_key": "report-ak",
            "application_secret": SECRET, "consumer_key": CONSUMER,
            "keyed_groups": [{"key": "nasha_datacenter", "prefix": "nasha_datacenter"}],
            "groups": {"nasha_services": True}}))
        (inventory / "group_vars" / "nasha.yml").write_text(json.dumps({
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "nasha_snapshot_policy_endpoint": server.base_url, "nasha_snapshot_policy_application_key": "report-ak",
            "nasha_snapshot_policy_application_secret": SECRET, "nasha_snapshot_policy_consumer_key": CONSUMER}))
        # A policy for the Roubaix services only: the Gravelines ones show "no policy".
        (inventory / "group_vars" / "nasha_datacenter_rbx.yml").write_text(json.dumps({
            "nasha_snapshot_policy_all_partitions": True,
            "nasha_snapshot_policy_defaults": {"snapshot_types": ["hour-1", "day-1", "day-7"]}}))
        environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS, PATH="%s:%s" % (VENV_BIN, os.environ["PATH"]),
                           ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="true", ANSIBLE_FORCE_COLOR="0")
        playbook = pathlib.Path(COLLECTIONS) / "ansible_collections" / "snapkeep" / "nasha" / "playbooks" / "nasha_snapshot_report.yml"
        run = subprocess.run([str(VENV_BIN / "ansible-playbook"), "-i", str(inventory), str(playbook),
                              "-e", "nasha_report_dir=%s" % OUTPUT, "-e", "nasha_report_expiring_days=7"],
                             env=environment, capture_output=True, text=True, check=False, timeout=600)
        (OUTPUT / "playbook.log").write_text(run.stdout + run.stderr)
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        writes = [e for e in server.simulator.log.since(0)["entries"] if e["write"]]
        return {"html": OUTPUT / "nasha_snapshot_report.html", "md": OUTPUT / "nasha_snapshot_report.md",
                "log": run.stdout + run.stderr, "writes": writes}
    finally:
        server.stop()


def test_the_page_holds_every_service_and_partition(report):
    html = report["html"].read_text()
    assert html.count("<section id=") == 10
    assert len(re.findall(r"<tr>\s*<td><b>partition-", html)) == 100
    for service in SERVICES:
        assert 'id="%s"' % service in html
    # Expiring within 7 days: the soon-* snapshots (partitions 0, 3, 6, 9 of each service), and only them.
    assert len(re.findall(r'<li class="expiring">soon-\d', html)) == 40
    assert '<li class="expiring">quarterly' not in html
    assert "no expiration" in html
    # Drift for the five Roubaix services, "no policy" for the five others.
    assert html.count("policy holds") + html.count("off policy") == 5
    assert html.count("no policy declared") == 5
    assert "would</span> add" in html


def test_the_page_is_self_contained_and_holds_no_secret(report):
    html = report["html"].read_text()
    assert not re.search(r"<(script|link|img|iframe)\b|@import|url\(|src=", html, re.IGNORECASE)
    assert SECRET not in html and SECRET not in report["md"].read_text() and SECRET not in report["log"]
    assert report["writes"] == []


def test_the_markdown_twin_has_the_same_facts(report):
    text = report["md"].read_text()
    assert len(re.findall(r"^## zpool-", text, re.MULTILINE)) == 10
    assert len(re.findall(r"^\| partition-\d\d ", text, re.MULTILINE)) == 100
    assert len(re.findall(r"\*\*⚠ soon-\d", text)) == 40


@pytest.mark.parametrize("width", [1280, 1024])
def test_chromium_shows_it_without_horizontal_scroll_and_screenshots_it(report, width):
    chromium = _chromium()
    # A copy that reports its own layout in its title (the page itself runs no script).
    probe = OUTPUT / ("probe-%d.html" % width)
    probe.write_text(report["html"].read_text().replace(
        "</body>", "<script>document.title = 'layout ' + document.documentElement.scrollWidth + ' ' + "
                   "document.documentElement.clientWidth + ' ' + document.documentElement.scrollHeight;</script></body>"))
    dom = _browse(chromium, probe, "--window-size=%d,900" % width, "--dump-dom")
    scroll_width, client_width, height = (int(v) for v in re.search(r"<title>layout (\d+) (\d+) (\d+)</title>", dom).groups())
    assert scroll_width <= client_width, "the page scrolls sideways at %d px: %d > %d" % (width, scroll_width, client_width)
    top = OUTPUT / ("screenshot-%d-top.png" % width)
    full = OUTPUT / ("screenshot-%d-full.png" % width)
    _browse(chromium, report["html"], "--window-size=%d,1000" % width, "--screenshot=%s" % top)
    _browse(chromium, report["html"], "--window-size=%d,%d" % (width, height), "--screenshot=%s" % full)
    for shot in (top, full):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10000
    print("screenshots: %s %s" % (top, full))
