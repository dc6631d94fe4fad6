"""The draft job against a slow and lagging Atlassian: a write whose answer was lost is looked
for before it is sent again, a title clash with our own page is that page, a retry inside the
search lag finds the page it made, and a parked job says so on the incident (once)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests
from rq.job import Job

from tests.helpers import ROOT
from tests.test_draft_failures import faults, journal, queue_draft
from tests.test_end_to_end import AUTH, create_incident

pytestmark = pytest.mark.e2e
SUMMARY = "Checkout returns <b>500</b> & fails {{ 7*7 }}"
FAILED_TEXT = "could not draft the postmortem"
RECOVERED_TEXT = "has now drafted the postmortem"


def comments(sandbox, key: str) -> list[str]:
    r = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/comment", auth=AUTH)
    return [c["body"] for c in r.json()["comments"]]


def pages_titled(sandbox, title: str) -> list[dict]:
    """Not search (the search-lag fault does not apply): every current page of that title in PM."""
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH,
                     params={"spaceKey": "PM", "title": title, "expand": "metadata.labels"})
    return r.json()["results"]


def pages_of(sandbox, key: str) -> list[str]:
    """Every page in PM carrying the incident's label (read without search)."""
    r = requests.get(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH,
                     params={"spaceKey": "PM", "type": "page", "limit": 200, "expand": "metadata.labels"})
    return [p["id"] for p in r.json()["results"]
            if key.lower() in {x["name"] for x in p["metadata"]["labels"]["results"]}]


def run_until_done(service, redis_conn, job_id: str, timeout: float = 60) -> str:
    """Run burst workers (their scheduler takes due retries) until the job has finished or failed."""
    deadline = time.monotonic() + timeout
    while True:
        result = service.run_worker()
        assert result.returncode == 0, result.stderr[-3000:]
        status = Job.fetch(job_id, connection=redis_conn).get_status()
        if status in ("finished", "failed") or time.monotonic() > deadline:
            return status
        time.sleep(1)


def test_a_slow_comment_post_is_checked_before_it_is_repeated(sandbox, service, redis_conn):
    service.env["DEBRIEF_ATLASSIAN_TIMEOUT"] = "1"
    key = create_incident(sandbox)
    # Every comment POST answers after 2.5 s: past the client's timeout, but it lands.
    faults(sandbox, {"kind": "latency", "ms": 2500, "method": "POST", "path": f"/rest/api/2/issue/{key}/comment"})
    job_id = queue_draft(redis_conn, key)
    assert run_until_done(service, redis_conn, job_id) == "finished"
    assert sum("postmortem draft" in c for c in comments(sandbox, key)) == 1
    assert len(journal(sandbox, "POST", f"/rest/api/2/issue/{key}/comment")) == 1


def test_a_slow_page_create_is_not_parked_and_makes_one_page(sandbox, service, redis_conn):
    service.env["DEBRIEF_ATLASSIAN_TIMEOUT"] = "1"
    key = create_incident(sandbox)
    # The create lands after 1.1 s, after the client gave up: a blind retry meets "title exists".
    faults(sandbox, {"kind": "latency", "ms": 1100, "method": "POST", "path": "/wiki/rest/api/content", "times": 1})
    job_id = queue_draft(redis_conn, key)
    assert run_until_done(service, redis_conn, job_id) == "finished"
    assert len(pages_of(sandbox, key)) == 1
    assert sum("postmortem draft" in c for c in comments(sandbox, key)) == 1
    assert not any(FAILED_TEXT in c for c in comments(sandbox, key))


def test_a_retry_inside_the_search_lag_does_not_make_a_second_page(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox,
           {"kind": "search_lag", "seconds": 120},  # search will not show the new page for the whole test
           # The job dies after creating the page, before it records it: adding watchers fails.
           {"kind": "status", "status": 503, "method": "POST", "path": "/wiki/rest/api/user/watch/content/*",
            "times": 4})
    job_id = queue_draft(redis_conn, key)
    assert service.run_worker().returncode == 0
    assert Job.fetch(job_id, connection=redis_conn).get_status() == "scheduled"
    assert len(pages_of(sandbox, key)) == 1
    # Meanwhile the incident is renamed: this run's title differs from the one created.
    requests.put(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH,
                 json={"fields": {"summary": "Checkout outage, renamed"}}).raise_for_status()
    assert run_until_done(service, redis_conn, job_id) == "finished"
    assert len(pages_of(sandbox, key)) == 1
    assert sum("postmortem draft" in c for c in comments(sandbox, key)) == 1


def test_a_title_taken_by_another_page_is_told_once_and_its_fix_is_told_too(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    title = f"Postmortem: {key} {SUMMARY}"
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH, json={
        "type": "page", "title": title, "space": {"key": "PM"},
        "body": {"storage": {"value": "<p>Someone else's notes</p>", "representation": "storage"}}})
    assert r.ok, r.text
    other = r.json()["id"]
    job_id = queue_draft(redis_conn, key)
    assert service.run_worker().returncode == 0
    job = Job.fetch(job_id, connection=redis_conn)
    assert job.get_status() == "failed"  # parked: the same title will clash again
    error = job.latest_result().exc_string
    assert "already exists in space PM" in error and "not this incident's postmortem" in error
    told = [c for c in comments(sandbox, key) if FAILED_TEXT in c]
    assert len(told) == 1
    assert "another page in Confluence already has the title" in told[0]
    assert f"debrief jobs replay {job_id}".replace("-", "\\-") in told[0]
    assert "Traceback" not in told[0]

    def replay() -> None:
        done = subprocess.run([sys.executable, "-m", "debrief", "jobs", "replay", job_id], env=service.env,
                              capture_output=True, text=True, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        assert service.run_worker().returncode == 0

    replay()  # nothing fixed yet: the same episode, no second notice
    assert Job.fetch(job_id, connection=redis_conn).get_status() == "failed"
    assert sum(FAILED_TEXT in c for c in comments(sandbox, key)) == 1

    page = requests.get(f"{sandbox.url}/wiki/rest/api/content/{other}", auth=AUTH).json()
    requests.put(f"{sandbox.url}/wiki/rest/api/content/{other}", auth=AUTH, json={
        "type": "page", "title": "Someone else's notes", "version": {"number": page["version"]["number"] + 1},
        "body": {"storage": {"value": "<p>Someone else's notes</p>", "representation": "storage"}}}
    ).raise_for_status()
    replay()
    assert Job.fetch(job_id, connection=redis_conn).get_status() == "finished"
    assert len(pages_titled(sandbox, title)) == 1
    after = comments(sandbox, key)
    assert sum(FAILED_TEXT in c for c in after) == 1 and sum(RECOVERED_TEXT in c for c in after) == 1


def test_a_title_clash_with_our_own_page_is_that_page(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    title = f"Postmortem: {key} {SUMMARY}"
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH, json={
        "type": "page", "title": title, "space": {"key": "PM"},
        "body": {"storage": {"value": "<p>made by an earlier run</p>", "representation": "storage"}},
        "metadata": {"labels": [{"prefix": "global", "name": n} for n in ("postmortem", key.lower())]}})
    assert r.ok, r.text
    faults(sandbox, {"kind": "search_lag", "seconds": 120})  # search does not show it
    job_id = queue_draft(redis_conn, key)
    assert service.run_worker().returncode == 0
    assert Job.fetch(job_id, connection=redis_conn).get_status() == "finished"
    assert [p["id"] for p in pages_titled(sandbox, title)] == [r.json()["id"]]
