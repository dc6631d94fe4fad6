"""The periodic sweep against the sandbox over real HTTP: an unchanged incident costs no
Atlassian write at all, a changed one is refreshed with only the writes that differ, and
--dry-run never writes."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import requests

from jobqueue.queue import WorkQueue
from jobs.sweep import schedule_sweeps, slot_start
from tests.helpers import ROOT
from tests.test_draft_failures import queue_draft
from tests.test_end_to_end import AUTH, create_incident, postmortem_pages

pytestmark = pytest.mark.e2e


def entries(sandbox) -> list[dict]:
    data = requests.get(f"{sandbox.url}/_sandbox/journal", auth=AUTH).json()
    return data if isinstance(data, list) else data.get("entries", [])


def writes(sandbox) -> list[str]:
    return [f"{e['method']} {e['path']}" for e in entries(sandbox) if e["method"] not in ("GET", "HEAD")]


def clear_journal(sandbox) -> None:
    assert requests.delete(f"{sandbox.url}/_sandbox/journal", auth=AUTH).ok


def sweep(service, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "debrief", "sweep", *args], env=service.env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def labels_of(sandbox, page_id: str) -> set[str]:
    data = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/label", auth=AUTH).json()
    return {label["name"] for label in data["results"]}


def test_sweep_writes_nothing_for_an_unchanged_incident_and_refreshes_a_changed_one(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    queue_draft(redis_conn, key)
    assert service.run_worker().returncode == 0
    [page] = postmortem_pages(sandbox, key)
    page_id = page["id"]
    requests.post(f"{sandbox.url}/wiki/rest/api/content/{page_id}/label", auth=AUTH,
                  json=[{"prefix": "global", "name": "team-payments"}])  # a person's label

    settle = sweep(service)  # other duties may record their own state on a page's first sweep
    assert settle.returncode == 0, settle.stderr[-2000:]
    assert "refresh-changed" not in settle.stdout  # the draft recorded the incident's fingerprint

    clear_journal(sandbox)
    quiet = sweep(service)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert writes(sandbox) == []  # nothing changed: zero Atlassian writes
    searches = [e for e in entries(sandbox) if e["path"] == "/wiki/rest/api/search"]
    assert searches and all("PMARCHIVE" not in str(e.get("query")) for e in searches)  # drafts space only
    assert "refresh-changed" not in quiet.stdout

    # The incident becomes SEV-1.
    r = requests.put(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH,
                     json={"fields": {"customfield_10100": {"value": "SEV-1"}}})
    assert r.status_code in (200, 204), r.text
    clear_journal(sandbox)
    dry = sweep(service, "--dry-run", "--at", datetime.now(UTC).isoformat())
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert f"refresh-changed: refresh page {page_id} of {key}" in dry.stdout and "would" in dry.stdout
    assert writes(sandbox) == []  # a dry run never writes

    done = sweep(service)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "add label sev-1" in done.stdout and "remove label sev-2" in done.stdout
    made = writes(sandbox)
    assert sorted(set(made)) == sorted([f"POST /wiki/rest/api/content/{page_id}/label",
                                   f"DELETE /wiki/rest/api/content/{page_id}/label",
                                   f"PUT /wiki/rest/api/content/{page_id}/property/debrief"])
    names = labels_of(sandbox, page_id)
    assert "sev-1" in names and "sev-2" not in names and "team-payments" in names

    clear_journal(sandbox)
    assert sweep(service).returncode == 0
    assert writes(sandbox) == []  # up to date again


def test_one_sweep_per_slot_however_many_workers_schedule_it(redis_conn):
    work = WorkQueue(redis_conn)
    now = datetime.now(UTC)
    this, nxt = (slot_start(now, 600) + timedelta(seconds=s) for s in (0, 600))
    ids = [f"sweep-{t:%Y%m%dT%H%M%SZ}" for t in (this, nxt)]
    assert schedule_sweeps(work, now, 600) == ids
    for _ in range(3):  # other workers, later ticks in the same slot
        assert schedule_sweeps(work, now, 600) == []
    assert work.queue.get_job_ids() == ids[:1]  # this slot's, due now
    assert work.queue.scheduled_job_registry.get_job_ids() == ids[1:]  # the next, for its start
