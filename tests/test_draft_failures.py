"""The draft job against Atlassian trouble: rate limits and outages are retried, a 4xx is
parked in the failed registry with its message, and a replay finishes the work."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest
import requests
import yaml
from rq import Queue
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

from jobqueue.queue import QUEUE_NAME, WorkQueue
from tests.helpers import ROOT, shipped_config
from tests.test_end_to_end import AUTH, create_incident, postmortem_pages

pytestmark = pytest.mark.e2e


def faults(sandbox, *rules) -> None:
    r = requests.put(f"{sandbox.url}/_sandbox/faults", auth=AUTH, json=list(rules))
    assert r.ok, r.text


def journal(sandbox, method: str, path: str) -> list[dict]:
    entries = requests.get(f"{sandbox.url}/_sandbox/journal", auth=AUTH, params={"method": method}).json()
    entries = entries if isinstance(entries, list) else entries.get("entries", [])
    return [e for e in entries if e["path"] == path]


def queue_draft(redis_conn, key: str) -> str:
    submitted = WorkQueue(redis_conn).submit_incident(key, needed=True, reasons=["test"])
    return submitted.job_id


def test_rate_limits_and_5xx_are_retried_honouring_retry_after(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox,
           {"kind": "status", "status": 429, "method": "POST", "path": "/wiki/rest/api/content",
            "retry_after": 1, "times": 2},
           {"kind": "status", "status": 503, "method": "GET", "path": f"/rest/api/2/issue/{key}", "times": 1})
    queue_draft(redis_conn, key)
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(postmortem_pages(sandbox, key)) == 1
    posts = journal(sandbox, "POST", "/wiki/rest/api/content")
    assert [e["status"] for e in posts] == [429, 429, 200]
    # Retry-After: 1 was honoured between the attempts.
    times = [datetime.fromisoformat(e["time"].replace("Z", "+00:00")) for e in posts]
    assert (times[1] - times[0]).total_seconds() >= 0.9
    assert "retrying in 1.0s" in result.stderr


def test_long_outage_leaves_the_job_scheduled_for_retry_not_lost(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox, {"kind": "status", "status": 503, "path": "/wiki/*"})
    job_id = queue_draft(redis_conn, key)
    assert service.run_worker().returncode == 0
    queue = Queue(QUEUE_NAME, connection=redis_conn)
    assert job_id in ScheduledJobRegistry(queue=queue).get_job_ids()
    assert job_id not in FailedJobRegistry(queue=queue).get_job_ids()
    assert Job.fetch(job_id, connection=redis_conn).retries_left == 4


def test_client_error_parks_the_job_with_its_message_and_replay_finishes(sandbox, service, redis_conn, tmp_path):
    broken = shipped_config()
    broken["confluence"]["drafts"]["space"] = "NOPE"
    config = tmp_path / "app.yaml"
    config.write_text(yaml.safe_dump(broken), encoding="utf-8")
    key = create_incident(sandbox)
    job_id = queue_draft(redis_conn, key)
    service.env["DEBRIEF_CONFIG"] = str(config)
    assert service.run_worker().returncode == 0

    failed = FailedJobRegistry(queue=Queue(QUEUE_NAME, connection=redis_conn))
    assert failed.get_job_ids() == [job_id]  # parked at once: no retries for a 4xx
    job = Job.fetch(job_id, connection=redis_conn)
    error = job.latest_result().exc_string
    assert "PermanentAtlassianError" in error and "NOPE" in error
    listing = subprocess.run([sys.executable, "-m", "debrief", "jobs", "failed"], env=service.env,
                             capture_output=True, text=True, cwd=ROOT)
    assert job_id in listing.stdout and "1 failed job(s)" in listing.stdout

    service.env["DEBRIEF_CONFIG"] = str(ROOT / "app.yaml")  # the operator fixes the cause ...
    replay = subprocess.run([sys.executable, "-m", "debrief", "jobs", "replay", job_id], env=service.env,
                            capture_output=True, text=True, cwd=ROOT)
    assert replay.returncode == 0, replay.stderr
    assert service.run_worker().returncode == 0  # ... and the replay finishes the work
    assert len(postmortem_pages(sandbox, key)) == 1
    assert failed.get_job_ids() == []
