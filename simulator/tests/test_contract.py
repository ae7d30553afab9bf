"""Every answer the simulator gives, checked against OVHcloud's OpenAPI description of /dedicated/nasha."""
from __future__ import annotations

import json
import urllib.parse

import ovh
import pytest
from conftest import BACKUPS, BASE, REPOSITORY
from openapi_validator import AUTH_ERROR, BUSINESS_ERROR, OpenApi

# OVHcloud's description, kept in the repository (simulator/contract/README.md says where it comes from)
SPEC_PATH = REPOSITORY / "simulator" / "contract" / "dedicated-nasha.openapi.json"

# The README's routes (method, template): each must be exercised with a success and an error.
ROUTES = [
    ("GET", "/dedicated/nasha"),
    ("GET", "/dedicated/nasha/{serviceName}"),
    ("GET", "/dedicated/nasha/{serviceName}/partition"),
    ("GET", "/dedicated/nasha/{serviceName}/partition/{partitionName}"),
    ("GET", "/dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot"),
    ("POST", "/dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot"),
    ("GET", "/dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot/{snapshotType}"),
    ("DELETE", "/dedicated/nasha/{serviceName}/partition/{partitionName}/snapshot/{snapshotType}"),
    ("GET", "/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot"),
    ("POST", "/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot"),
    ("GET", "/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot/{name}"),
    ("DELETE", "/dedicated/nasha/{serviceName}/partition/{partitionName}/customSnapshot/{name}"),
    ("GET", "/dedicated/nasha/{serviceName}/task"),
    ("GET", "/dedicated/nasha/{serviceName}/task/{taskId}"),
    ("GET", "/dedicated/nasha/{serviceName}/partition/{partitionName}/access"),
    ("POST", "/dedicated/nasha/{serviceName}/partition/{partitionName}/access"),
    ("GET", "/dedicated/nasha/{serviceName}/partition/{partitionName}/access/{ip}"),
    ("DELETE", "/dedicated/nasha/{serviceName}/partition/{partitionName}/access/{ip}"),
]


@pytest.fixture(scope="module")
def spec():
    # a missing description fails every test of the contract: none of them can pass without it
    assert SPEC_PATH.is_file(), f"OVHcloud's OpenAPI description is missing: {SPEC_PATH} (see simulator/contract/README.md)"
    return OpenApi.load(SPEC_PATH)


class Recorder:
    """Keeps every exchange seen by the requests sessions it is attached to."""

    def __init__(self, base_url):
        self.base_url = base_url
        self.exchanges = []

    def attach(self, session):
        session.hooks["response"].append(self._record)

    def _record(self, response, *args, **kwargs):
        request = response.request
        if not request.url.startswith(self.base_url + "/"):
            return  # control routes are outside the contract
        body = request.body.decode() if isinstance(request.body, bytes) else (request.body or "")
        self.exchanges.append((request.method, request.url, body, response.status_code, response.headers, response.text))


def _exercise(sim):
    client = sim.client()
    readonly = sim.client(consumer_key="demo-ck-readonly")
    recorder = Recorder(sim.base_url)
    recorder.attach(client._session)  # pylint: disable=protected-access
    recorder.attach(readonly._session)  # pylint: disable=protected-access
    recorder.attach(sim.http)

    def attempt(call, *args, **kwargs):
        try:
            return call(*args, **kwargs)
        except ovh.exceptions.APIError:
            return None

    other = "/dedicated/nasha/zpool-100002/partition/db"
    attempt(client.get, "/dedicated/nasha")
    attempt(client.get, BASE)
    attempt(client.get, "/dedicated/nasha/zpool-100002")
    attempt(client.get, f"{BASE}/partition")
    attempt(client.get, BACKUPS)
    attempt(client.get, f"{BACKUPS}/snapshot")
    attempt(client.get, f"{BACKUPS}/snapshot/hour-1")
    attempt(client.get, f"{BACKUPS}/customSnapshot")
    attempt(client.get, f"{BACKUPS}/customSnapshot/before-upgrade")
    attempt(client.get, f"{BASE}/partition/projects/customSnapshot/release-2026.10")
    schedule_task = attempt(client.post, f"{BACKUPS}/snapshot", snapshotType="day-1")
    attempt(client.delete, f"{other}/snapshot/hour-6")
    attempt(client.post, f"{BACKUPS}/customSnapshot", name="contract-1", expiration="2099-06-30T12:00:00+02:00")
    attempt(client.post, f"{BACKUPS}/customSnapshot", name="contract-2")
    attempt(client.delete, f"{other}/customSnapshot/pre-migration")
    attempt(client.get, f"{BASE}/task")
    attempt(client.get, f"{BASE}/task", operation="clusterLeclercSnapshotUpdate", status="todo")
    attempt(client.get, f"{BASE}/task/{schedule_task['taskId']}")
    sim.clock.advance(0.5)
    attempt(client.get, f"{BASE}/task/{schedule_task['taskId']}")
    sim.clock.advance(1)
    attempt(client.get, f"{BASE}/task/{schedule_task['taskId']}")
    attempt(client.get, f"{BACKUPS}/snapshot/day-1")
    access_task = attempt(client.post, f"{BACKUPS}/access", ip="203.0.113.4/32", type="readonly", aclDescription="contract")
    attempt(client.post, f"{BACKUPS}/access", ip="198.51.100.0/24", type="readwrite")
    attempt(client.get, f"{BASE}/task/{access_task['taskId']}")
    sim.clock.advance(1.5)
    attempt(client.get, f"{BACKUPS}/access")
    attempt(client.get, f"{BACKUPS}/access/203.0.113.4%2F32")
    attempt(client.delete, f"{BACKUPS}/access/198.51.100.0%2F24")
    attempt(client.get, f"{BACKUPS}/access/192.0.2.1%2F32")
    attempt(client.delete, f"{BACKUPS}/access/192.0.2.1%2F32")
    attempt(client.get, f"{BASE}/partition/missing/access")
    attempt(client.post, f"{BACKUPS}/access", ip="not-an-ip", type="readwrite")
    sim.configure(expiration_format="echo")
    attempt(client.get, f"{BACKUPS}/customSnapshot/contract-1")
    # Errors, one or more per route.
    attempt(client.get, "/dedicated/nasha/zpool-000000")
    attempt(client.get, "/dedicated/nasha/zpool-000000/partition")
    attempt(client.get, f"{BASE}/partition/missing")
    attempt(client.get, f"{BASE}/partition/missing/snapshot")
    attempt(client.get, f"{BACKUPS}/snapshot/day-7")
    attempt(client.get, f"{BACKUPS}/snapshot/week-1")
    attempt(client.post, f"{BACKUPS}/snapshot", snapshotType="hour-1")
    attempt(client.post, f"{BACKUPS}/snapshot", snapshotType="week-1")
    attempt(client.delete, f"{BACKUPS}/snapshot/day-3")
    attempt(client.delete, f"{BASE}/partition/scratch/snapshot/day-1")
    attempt(client.get, f"{BASE}/partition/missing/customSnapshot")
    attempt(client.post, f"{BACKUPS}/customSnapshot", name="before-upgrade")
    attempt(client.post, f"{BACKUPS}/customSnapshot", name="bad name")
    attempt(client.post, f"{BACKUPS}/customSnapshot", name="late", expiration="2000-01-01")
    attempt(client.get, f"{BACKUPS}/customSnapshot/missing")
    attempt(client.delete, f"{BACKUPS}/customSnapshot/missing")
    attempt(client.get, "/dedicated/nasha/zpool-000000/task")
    attempt(client.get, f"{BASE}/task", status="finished")
    attempt(client.get, f"{BASE}/task/1")
    attempt(readonly.post, f"{BACKUPS}/snapshot", snapshotType="day-2")
    attempt(sim.client(application_secret="wrong").get, "/dedicated/nasha")
    attempt(sim.client(application_key="wrong").get, "/dedicated/nasha")
    attempt(sim.client(consumer_key="wrong").get, "/dedicated/nasha")
    attempt(sim.client(consumer_key="test-ck-pending").get, "/dedicated/nasha")
    sim.signed("GET", "/dedicated/nasha", drop=("X-Ovh-Signature",))
    sim.signed("GET", "/dedicated/nasha", timestamp="1")
    sim.signed("GET", f"{BACKUPS}/quota/0")
    sim.signed("POST", f"{BACKUPS}/snapshot", body="{oops")
    sim.configure(busy="conflict")
    attempt(client.post, f"{BACKUPS}/customSnapshot", name="contract-3")
    attempt(client.post, f"{BASE}/partition/scratch/snapshot", snapshotType="day-7")
    attempt(client.post, f"{BASE}/partition/scratch/snapshot", snapshotType="day-2")
    sim.configure(busy="accept", rate_limit=1)
    for dummy in range(3):  # the third is beyond the burst of 1 + 1
        attempt(client.get, "/dedicated/nasha")
    sim.configure(rate_limit=None)
    sim.add_faults({"match": {"method": "GET"}, "status": 503, "retry_after": 1})
    attempt(client.get, "/dedicated/nasha")
    for number in range(3, 12):
        attempt(client.post, f"{BASE}/partition/scratch/customSnapshot", name=f"fill-{number}")
    return recorder.exchanges


def test_every_answer_fits_the_contract(sim, spec):
    exchanges = _exercise(sim)
    problems = []
    outcomes = {route: set() for route in ROUTES}
    for method, url, body, status, headers, text in exchanges:
        parsed = urllib.parse.urlsplit(url)
        path = parsed.path[len("/1.0"):]
        label = f"{method} {path} -> {status}"
        if "X-OVH-QUERYID" not in headers or not headers["Content-Type"].startswith("application/json"):
            problems.append(f"{label}: missing X-OVH-QUERYID or JSON content type")
        answer = json.loads(text)
        if path == "/auth/time":
            if not isinstance(answer, int):
                problems.append(f"{label}: /auth/time must be a bare integer")
            continue
        template, operation = spec.operation(method, path)
        if status >= 300:
            shape = AUTH_ERROR if "errorCode" in answer else BUSINESS_ERROR
            problems += [f"{label}: {p}" for p in spec.errors(shape, answer)]
            if template is None and answer.get("message") != "Got an invalid (or empty) URL":
                problems.append(f"{label}: an unknown route must say 'Got an invalid (or empty) URL'")
        else:
            if template is None:
                problems.append(f"{label}: success on a route the description does not have")
                continue
            schema = spec.response_schema(operation, status)
            problems += [f"{label}: {p}" for p in spec.errors(schema, answer)]
            request_schema = spec.request_schema(operation)
            if body:
                problems += [f"{label} request: {p}" for p in spec.errors(request_schema, json.loads(body))]
            elif request_schema is not None:
                problems.append(f"{label}: a write without a body was accepted")
            query_parameters = spec.parameters(operation, "query")
            for name, values in urllib.parse.parse_qs(parsed.query).items():
                if name not in query_parameters:
                    problems.append(f"{label}: query parameter {name} is not in the description")
                else:
                    problems += [f"{label} query: {p}" for p in spec.errors(query_parameters[name]["schema"], values[-1])]
        if (method, template) in outcomes:
            outcomes[(method, template)].add("success" if status < 300 else "error")
    assert problems == []
    missing = {f"{m} {t}": sorted({"success", "error"} - seen) for (m, t), seen in outcomes.items() if seen != {"success", "error"}}
    assert missing == {}
    statuses = {e[3] for e in exchanges}
    assert {200, 400, 401, 403, 404, 409, 429, 503} <= statuses
    # A 429 of the rate limit says when to try again, in whole seconds, as OVHcloud's gateways may.
    too_many = [e for e in exchanges if e[3] == 429]
    assert too_many and all(e[4].get("Retry-After", "").isdigit() and int(e[4]["Retry-After"]) >= 1 for e in too_many)
    assert all(json.loads(e[5])["class"] == "Client::TooManyRequests" for e in too_many)


def test_every_route_of_the_table_is_in_the_description(spec):
    for method, template in ROUTES:
        assert method.lower() in spec.document["paths"][template], (method, template)


@pytest.mark.parametrize("value,schema_name,fits", [
    ({"snapshotType": "day-1"}, "dedicated.nasha.Snapshot", True),
    ({"snapshotType": "week-1"}, "dedicated.nasha.Snapshot", False),
    ({"snapshotType": "day-1", "extra": 1}, "dedicated.nasha.Snapshot", False),
    ({"name": "a", "expiration": None}, "dedicated.nasha.customSnap", True),
    ({"name": None, "expiration": None}, "dedicated.nasha.customSnap", False),
    ({"taskId": 1, "status": "done", "doneDate": "2026-11-27T10:00:00+01:00"}, "dedicated.nasTask.Task", True),
    ({"taskId": 1, "status": "error"}, "dedicated.nasTask.Task", False),
    ({"taskId": "1"}, "dedicated.nasTask.Task", False),
    ({"doneDate": "2026-11-27 10:00"}, "dedicated.nasTask.Task", False),
    ({"doneDate": "2026-11-27T10:00:00"}, "dedicated.nasTask.Task", False),
    ({"ip": None, "iam": {"id": "not-a-uuid"}}, "dedicated.nasha.StorageWithIAM", False),
    ({"ip": "10.0.0.300"}, "dedicated.nasha.StorageWithIAM", False),
    ({"iam": {"tags": {"a": "b"}}}, "dedicated.nasha.StorageWithIAM", True),
    ({"iam": {"tags": {"a": 1}}}, "dedicated.nasha.StorageWithIAM", False),
])
def test_the_validator_can_fail(spec, value, schema_name, fits):
    errors = spec.errors({"$ref": f"#/components/schemas/{schema_name}"}, value)
    assert (errors == []) is fits, errors


def _expanded_schema(spec, operation):
    """The schema of one listed object of an expanded list: x-expanded-response names it without dots."""
    name = operation["x-expanded-response"]
    matches = [key for key in spec.document["components"]["schemas"]
               if key.replace(".", "").lower() == name.lower()]
    assert len(matches) == 1, (name, matches)
    return {"$ref": f"#/components/schemas/{matches[0]}"}


def test_expanded_lists_and_the_iam_tags_filter_fit_the_contract(sim, spec):
    client = sim.client()
    client._session.headers["X-Pagination-Mode"] = "CachedObjectList-Pages"  # pylint: disable=protected-access
    recorder = Recorder(sim.base_url)
    recorder.attach(client._session)  # pylint: disable=protected-access
    services = client.get("/dedicated/nasha")
    partitions = client.get(f"{BASE}/partition")
    schedules = client.get(f"{BACKUPS}/snapshot")
    customs = client.get(f"{BACKUPS}/customSnapshot")
    production = {"environment": [{"operator": "EQ", "value": "production"}]}
    filtered = client.get("/dedicated/nasha", iamTags=json.dumps(production))
    assert [s["serviceName"] for s in services] == ["zpool-100001", "zpool-100002"]
    assert services[0]["iam"]["tags"] == {"environment": "production", "team": "storage"}
    assert {p["partitionName"] for p in partitions} == {"backups", "projects", "scratch"}
    assert schedules == [{"snapshotType": "hour-1"}]
    assert [c["name"] for c in customs] == ["before-upgrade"]
    assert [s["serviceName"] for s in filtered] == ["zpool-100001"]
    problems = []
    for method, url, _body, status, _headers, text in recorder.exchanges:
        parsed = urllib.parse.urlsplit(url)
        path = parsed.path[len("/1.0"):]
        if path == "/auth/time":
            continue
        assert status == 200, (path, text)
        dummy, operation = spec.operation(method, path)
        item_schema = _expanded_schema(spec, operation)
        problems += [f"{path}: {p}" for p in spec.errors({"type": "array", "items": item_schema}, json.loads(text))]
        query_parameters = spec.parameters(operation, "query")
        for name, values in urllib.parse.parse_qs(parsed.query).items():
            problems += [f"{path} query {name}: {p}" for p in spec.errors(query_parameters[name]["schema"], json.loads(values[-1]))]
    assert problems == []


@pytest.mark.parametrize("iam_filter,expected", [
    ({"environment": [{"value": "production"}]}, ["zpool-100001"]),
    ({"environment": [{"operator": "NEQ", "value": "production"}]}, ["zpool-100002"]),
    ({"team": [{"operator": "EXISTS"}]}, ["zpool-100001"]),
    ({"team": [{"operator": "NEXISTS"}]}, ["zpool-100002"]),
    ({"environment": [{"operator": "LIKE", "value": "stag%"}]}, ["zpool-100002"]),
    ({"environment": [{"operator": "ILIKE", "value": "PROD%"}]}, ["zpool-100001"]),
    ({"environment": [{"operator": "LIKE", "value": "PROD%"}]}, []),
    ({"environment": [{"operator": "EXISTS"}], "team": [{"value": "storage"}]}, ["zpool-100001"]),
])
def test_the_iam_tags_filter_selects_services(client, iam_filter, expected):
    assert client.get("/dedicated/nasha", iamTags=json.dumps(iam_filter)) == expected


@pytest.mark.parametrize("text", ['not json', '["a"]', '{"a": {"value": "x"}}', '{"a": [{"operator": "IS"}]}',
                                  '{"a": [{"operator": "EQ"}]}', '{"a": [{"value": "x", "other": 1}]}'])
def test_a_bad_iam_tags_filter_is_refused(client, text):
    with pytest.raises(ovh.exceptions.BadParametersError):
        client.get("/dedicated/nasha", iamTags=text)


def test_a_server_that_ignores_the_expanded_header_answers_names(sim):
    sim.configure(expanded_lists="off")
    client = sim.client()
    client._session.headers["X-Pagination-Mode"] = "CachedObjectList-Pages"  # pylint: disable=protected-access
    assert client.get(f"{BACKUPS}/customSnapshot") == ["before-upgrade"]
    assert client.get(f"{BACKUPS}/snapshot") == ["hour-1"]
