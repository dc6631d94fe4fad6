"""Injected faults: 429 with rate-limit headers, 5xx, latency, token bucket, edit conflicts."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
import requests
from atlassian import Jira

DEMO = ("demo@example.com", "demo-token")


def set_faults(sandbox, *rules):
    response = requests.put(f"{sandbox.url}/_sandbox/faults", json=list(rules), auth=DEMO)
    assert response.status_code == 200, response.text
    return response.json()


def get(sandbox, path, **kwargs):
    return requests.get(f"{sandbox.url}{path}", auth=DEMO, **kwargs)


def test_429_carries_rate_limit_headers_and_jira_body(sandbox):
    set_faults(sandbox, {"kind": "status", "status": 429, "path": "/rest/api/2/issue/*", "retry_after": 3,
                         "times": 1})
    limited = get(sandbox, "/rest/api/2/issue/INC-1")
    assert limited.status_code == 429
    h = limited.headers
    assert h["Retry-After"] == "3" and h["X-RateLimit-Remaining"] == "0" and int(h["X-RateLimit-Limit"]) > 0
    assert h["RateLimit-Reason"] == "jira-burst-based"
    reset = datetime.strptime(h["X-RateLimit-Reset"], "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    assert -60 <= (reset - datetime.now(UTC)).total_seconds() < 240  # minute precision
    assert limited.json() == {"errorMessages": ["Rate limit exceeded."], "errors": {}}
    assert get(sandbox, "/rest/api/2/issue/INC-1").status_code == 200  # times=1: expired
    assert get(sandbox, "/_sandbox/faults").json() == []


def test_429_on_confluence_uses_confluence_body(sandbox):
    set_faults(sandbox, {"kind": "status", "status": 429, "path": "/wiki/*"})
    limited = get(sandbox, "/wiki/rest/api/space")
    assert limited.status_code == 429 and limited.json()["statusCode"] == 429
    assert limited.headers["RateLimit-Reason"].startswith("confluence")


def test_library_honours_retry_after_once(sandbox):
    set_faults(sandbox, {"kind": "status", "status": 429, "path": "/rest/api/2/myself", "retry_after": 1,
                         "times": 1})
    client = Jira(url=sandbox.url, username=DEMO[0], password=DEMO[1])
    started = time.monotonic()
    assert client.myself()["accountId"]
    assert time.monotonic() - started >= 0.9


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(sandbox, status):
    rule = {"kind": "status", "status": status, "method": "POST", "path": "/rest/api/*/issue"}
    if status == 503:
        rule["retry_after"] = 2
    set_faults(sandbox, rule)
    body = {"fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "x"}}
    failed = requests.post(f"{sandbox.url}/rest/api/2/issue", json=body, auth=DEMO)
    assert failed.status_code == status and failed.json()["errorMessages"]
    assert (failed.headers.get("Retry-After") == "2") == (status == 503)
    assert get(sandbox, "/rest/api/2/issue/ACT-1").status_code == 200  # GET not matched
    assert get(sandbox, "/rest/api/2/issue/ACT-2").status_code == 404  # nothing was created


def test_latency(sandbox):
    set_faults(sandbox, {"kind": "latency", "ms": 300, "path": "/rest/api/2/serverInfo"})
    started = time.monotonic()
    assert requests.get(f"{sandbox.url}/rest/api/2/serverInfo").status_code == 200
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    get(sandbox, "/rest/api/2/myself")
    assert time.monotonic() - started < 0.3


def test_token_bucket(sandbox):
    set_faults(sandbox, {"kind": "rate_limit", "rate": 2, "burst": 3, "path": "/rest/api/2/priority"})
    statuses = [get(sandbox, "/rest/api/2/priority").status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
    limited = get(sandbox, "/rest/api/2/priority")
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert limited.headers["X-RateLimit-Limit"] == "3"
    time.sleep(0.6)  # refills at 2 tokens/s
    assert get(sandbox, "/rest/api/2/priority").status_code == 200


def test_conflict_on_put(sandbox):
    set_faults(sandbox, {"kind": "conflict", "method": "PUT", "path": "re:^/rest/api/[23]/issue/[A-Z]+-\\d+$"})
    conflict = requests.put(f"{sandbox.url}/rest/api/2/issue/INC-2", json={"fields": {"summary": "x"}}, auth=DEMO)
    assert conflict.status_code == 409 and conflict.json()["errorMessages"]
    assert get(sandbox, "/rest/api/2/issue/INC-2").json()["fields"]["summary"] != "x"
    other = requests.put(f"{sandbox.url}/rest/api/2/issue/INC-2/assignee", json={"accountId": None}, auth=DEMO)
    assert other.status_code == 204  # the regex must match the whole path


def test_probability_and_seed(sandbox):
    set_faults(sandbox, {"kind": "status", "status": 500, "path": "/rest/api/2/myself", "probability": 0.5,
                         "seed": 7})
    first = [get(sandbox, "/rest/api/2/myself").status_code for _ in range(20)]
    set_faults(sandbox, {"kind": "status", "status": 500, "path": "/rest/api/2/myself", "probability": 0.5,
                         "seed": 7})
    second = [get(sandbox, "/rest/api/2/myself").status_code for _ in range(20)]
    assert first == second and 200 in first and 500 in first


def test_sandbox_hooks_are_never_faulted(sandbox):
    set_faults(sandbox, {"kind": "status", "status": 503, "path": "*"})
    assert get(sandbox, "/_sandbox/journal").status_code == 200
    assert requests.delete(f"{sandbox.url}/_sandbox/faults", auth=DEMO).status_code == 204
    assert get(sandbox, "/rest/api/2/myself").status_code == 200


def test_add_and_list_rules(sandbox):
    added = requests.post(f"{sandbox.url}/_sandbox/faults", json={"kind": "latency", "ms": 5}, auth=DEMO)
    assert added.status_code == 201 and added.json()["id"]
    rules = get(sandbox, "/_sandbox/faults").json()
    assert rules[0]["kind"] == "latency" and rules[0]["method"] == "*" and rules[0]["path"] == "*"


@pytest.mark.parametrize("rule", [
    {"kind": "explode"}, {"kind": "status", "status": 404}, {"kind": "latency"},
    {"kind": "rate_limit", "rate": 0}, {"kind": "status", "status": 500, "times": 0},
    {"kind": "status", "status": 500, "path": "re:("}, {"kind": "latency", "ms": 5, "colour": "red"},
])
def test_bad_rules_are_rejected(sandbox, rule):
    response = requests.put(f"{sandbox.url}/_sandbox/faults", json=[rule], auth=DEMO)
    assert response.status_code == 400 and response.json()["error"]
