"""What a sweep reads (the sandbox's journal, over real HTTP): with nothing changed, one CQL
search over the drafts space and one JQL search, whatever the number of open drafts; a page
someone comments on is read again, and only that page."""

from __future__ import annotations

import pytest
import requests

from tests.test_draft_failures import queue_draft
from tests.test_end_to_end import AUTH, create_incident, postmortem_pages
from tests.test_sweep import clear_journal, entries, sweep, writes

pytestmark = pytest.mark.e2e


def reads(sandbox) -> list[str]:
    return [f"{e['method']} {e['path']}" for e in entries(sandbox) if e["method"] in ("GET", "HEAD")]


def test_a_quiet_sweep_reads_one_search_of_each_kind_and_writes_nothing(sandbox, service, redis_conn):
    keys = [create_incident(sandbox) for _ in range(3)]
    for key in keys:
        queue_draft(redis_conn, key)
    assert service.run_worker().returncode == 0
    pages = {key: postmortem_pages(sandbox, key)[0]["id"] for key in keys}

    for _ in range(2):  # the first sweep settles the new drafts; the second records them quiet
        settle = sweep(service)
        assert settle.returncode == 0, settle.stderr[-2000:]

    clear_journal(sandbox)
    quiet = sweep(service)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert writes(sandbox) == [], quiet.stdout
    assert sorted(reads(sandbox)) == ["GET /rest/api/3/search/jql", "GET /wiki/rest/api/search"], quiet.stdout
    search = next(e for e in entries(sandbox) if e["path"] == "/wiki/rest/api/search")
    assert "PMARCHIVE" not in str(search.get("query"))  # the drafts space only: cost follows open drafts

    # Someone comments on one page: that page is read again (its comments among it), no other
    # (the review may record what it read in that page's state).
    commented = pages[keys[1]]
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH, json={
        "type": "comment", "container": {"id": commented, "type": "page"},
        "body": {"storage": {"value": "<p>Looks right to me.</p>", "representation": "storage"}}})
    assert r.ok, r.text
    clear_journal(sandbox)
    after = sweep(service)
    assert after.returncode == 0, after.stderr[-2000:]
    others = [p for k, p in pages.items() if k != keys[1]]
    assert not [w for w in writes(sandbox) for p in others if f"/content/{p}" in w], after.stdout
    seen = reads(sandbox)
    assert f"GET /wiki/rest/api/content/{commented}/child/comment" in seen
    assert not [path for path in seen for p in others if f"/content/{p}" in path], seen
