"""The request journal at /_sandbox/journal."""

from __future__ import annotations

import requests

DEMO = ("demo@example.com", "demo-token")


def journal(sandbox, **params):
    return requests.get(f"{sandbox.url}/_sandbox/journal", params=params, auth=DEMO).json()


def test_records_every_request(sandbox):
    requests.get(f"{sandbox.url}/rest/api/2/issue/INC-1?fields=summary", auth=DEMO)
    requests.get(f"{sandbox.url}/rest/api/2/issue/INC-1")
    requests.get(f"{sandbox.url}/wiki/rest/api/space", auth=DEMO)
    entries = journal(sandbox)
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/rest/api/2/issue/INC-1", 200), ("GET", "/rest/api/2/issue/INC-1", 401),
        ("GET", "/wiki/rest/api/space", 200)]
    first = entries[0]
    assert first["query"] == "fields=summary" and first["user"] == "5b10a2844c20165700ede21g"
    assert first["duration_ms"] >= 0 and first["time"].endswith("Z")
    assert entries[1]["user"] is None


def test_filters_and_clear(sandbox):
    requests.get(f"{sandbox.url}/rest/api/2/myself", auth=DEMO)
    mark = journal(sandbox)[-1]["id"]
    requests.post(f"{sandbox.url}/rest/api/2/issue/INC-1/comment", json={"body": "hi"}, auth=DEMO)
    requests.get(f"{sandbox.url}/wiki/rest/api/space", auth=DEMO)
    newer = journal(sandbox, since=str(mark))
    assert [e["path"] for e in newer] == ["/rest/api/2/issue/INC-1/comment", "/wiki/rest/api/space"]
    assert [e["path"] for e in journal(sandbox, path_prefix="/wiki")] == ["/wiki/rest/api/space"]
    assert [e["status"] for e in journal(sandbox, method="POST")] == [201]
    since_time = journal(sandbox, since=newer[0]["time"])
    assert all(e["time"] > newer[0]["time"] for e in since_time)
    assert requests.delete(f"{sandbox.url}/_sandbox/journal", auth=DEMO).status_code == 204
    assert journal(sandbox) == []


def test_faulted_requests_are_marked(sandbox):
    requests.put(f"{sandbox.url}/_sandbox/faults", auth=DEMO,
                 json=[{"kind": "status", "status": 503, "path": "/rest/api/2/myself", "times": 1}])
    requests.get(f"{sandbox.url}/rest/api/2/myself", auth=DEMO)
    [entry] = journal(sandbox, path_prefix="/rest")
    assert (entry["status"], entry["fault"]) == (503, "status")


def test_reset_clears_journal_and_data(sandbox):
    requests.post(f"{sandbox.url}/rest/api/2/issue", auth=DEMO, json={
        "fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "temp"}})
    assert requests.post(f"{sandbox.url}/_sandbox/reset", auth=DEMO).status_code == 204
    assert requests.get(f"{sandbox.url}/rest/api/2/issue/ACT-2", auth=DEMO).status_code == 404
    assert [e["path"] for e in journal(sandbox)] == ["/rest/api/2/issue/ACT-2"]
