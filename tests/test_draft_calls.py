"""How many Atlassian calls a draft and each refresh make, counted from the sandbox journal, on
Cloud and Data Center: the incident is one read (fields, changelog and comments together); a
refresh that changes nothing reads only that; a refresh that writes reads the page by its
recorded id first; Confluence facts that do not change are not read again."""

from __future__ import annotations

import pytest
import requests

from jobqueue.queue import WorkQueue
from tests.test_end_to_end import AUTH, JUN, create_incident

pytestmark = pytest.mark.e2e
WRITES = ("POST", "PUT", "DELETE")


def mark(sandbox) -> int:
    entries = requests.get(f"{sandbox.url}/_sandbox/journal", auth=AUTH).json()
    entries = entries if isinstance(entries, list) else entries.get("entries", [])
    return entries[-1]["id"] if entries else 0


def calls_since(sandbox, since: int) -> tuple[list[str], list[str]]:
    entries = requests.get(f"{sandbox.url}/_sandbox/journal", auth=AUTH, params={"since": str(since)}).json()
    entries = entries if isinstance(entries, list) else entries.get("entries", [])
    reads = [f"GET {e['path']}" for e in entries if e["method"] not in WRITES]
    writes = [f"{e['method']} {e['path']}" for e in entries if e["method"] in WRITES]
    return reads, writes


def run(sandbox, service, redis_conn, key: str) -> tuple[list[str], list[str]]:
    """Submit what a delivery about ``key`` calls for (a draft, or a refresh once it has a page)
    and run it; the calls it made."""
    since = mark(sandbox)
    WorkQueue(redis_conn).submit_incident(key, needed=True, reasons=["test"])
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    return calls_since(sandbox, since)


def edit(sandbox, key: str, fields: dict) -> None:
    r = requests.put(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH, json={"fields": fields})
    assert r.status_code == 204, r.text


@pytest.mark.parametrize("service", ["cloud", "datacenter"], indirect=True)
def test_draft_and_refresh_make_the_fewest_calls(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    requests.post(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH,
                  json={"body": "Rolled back payments-api to 2.30."})
    issue = f"GET /rest/api/2/issue/{key}"

    reads, writes = run(sandbox, service, redis_conn, key)
    # Cold caches: the space's home page, and on Data Center each person's Confluence user key.
    lookups = [r for r in reads if r == "GET /wiki/rest/api/space/PM" or r == "GET /wiki/rest/api/user"]
    assert [r for r in reads if r not in lookups] == [issue, "GET /wiki/rest/api/search"]
    assert lookups.count("GET /wiki/rest/api/space/PM") == 1
    if service.env["ATLASSIAN_DEPLOYMENT"] == "cloud":
        assert lookups == ["GET /wiki/rest/api/space/PM"]
    watches = [w for w in writes if w.startswith("POST /wiki/rest/api/user/watch/content/")]
    assert watches
    page = watches[0].rsplit("/", 1)[1]
    assert sorted(w for w in writes if w not in watches) == sorted([
        "POST /wiki/rest/api/content", f"POST /rest/api/2/issue/{key}/remotelink",
        f"POST /rest/api/2/issue/{key}/comment", f"PUT /wiki/rest/api/content/{page}/property/debrief"])

    # Nothing changed: the incident is the one read, nothing is written.
    assert run(sandbox, service, redis_conn, key) == ([issue], [])

    # Severity raised: the page is read by its id, then exactly the label swap and the state.
    edit(sandbox, key, {"customfield_10100": {"value": "SEV-1"}})
    reads, writes = run(sandbox, service, redis_conn, key)
    assert reads == [issue, f"GET /wiki/rest/api/content/{page}"]
    assert sorted(writes) == sorted([f"POST /wiki/rest/api/content/{page}/label",
                                     f"DELETE /wiki/rest/api/content/{page}/label",
                                     f"PUT /wiki/rest/api/content/{page}/property/debrief"])
    labels = {x["name"] for x in requests.get(f"{sandbox.url}/wiki/rest/api/content/{page}/label",
                                              auth=AUTH).json()["results"]}
    assert "sev-1" in labels and "sev-2" not in labels

    # A new person joins: one watch and the state; then quiet again.
    requests.post(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH, json={"body": "Pinging Jun."})
    edit(sandbox, key, {"assignee": {"accountId": JUN}})  # people act in Jira as themselves
    reads, writes = run(sandbox, service, redis_conn, key)
    assert reads == [issue, f"GET /wiki/rest/api/content/{page}"]
    assert sorted(writes) == [f"POST /wiki/rest/api/user/watch/content/{page}",
                              f"PUT /wiki/rest/api/content/{page}/property/debrief"]
    assert run(sandbox, service, redis_conn, key) == ([issue], [])

    # A second draft: the space's home page and the user keys are remembered.
    other = create_incident(sandbox)
    reads, writes = run(sandbox, service, redis_conn, other)
    assert reads == [f"GET /rest/api/2/issue/{other}", "GET /wiki/rest/api/search"]
    assert "POST /wiki/rest/api/content" in writes
