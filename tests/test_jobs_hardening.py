"""Queue hardening against real processes: a stalled Redis, a stale version (409), a long
Retry-After, and a worker killed mid-job."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job

from config.environment import read_environment
from jobqueue.queue import QUEUE_NAME, WorkQueue
from sandbox.local_redis import start_private
from tests.helpers import ROOT, payload
from tests.test_draft_failures import faults, journal, queue_draft
from tests.test_end_to_end import AUTH, create_incident, postmortem_pages, wait_until
from tests.test_intake import SECRET, fixture_settings, post
from webhooks import create_app


@pytest.fixture
def private_redis():
    handle = start_private()
    yield handle
    if handle.process and handle.process.poll() is None:
        os.kill(handle.process.pid, signal.SIGCONT)
    handle.stop()


def test_a_redis_stall_past_the_client_timeout_loses_no_delivery(private_redis):
    redis = Redis.from_url(private_redis.url, socket_timeout=1, socket_connect_timeout=1)
    env = read_environment({"REDIS_URL": private_redis.url, "JIRA_WEBHOOK_SECRET": SECRET})
    app = create_app(fixture_settings(), env, redis)
    client = app.test_client()
    body = payload("issue_updated.status_resolved.cloud.mattermost.json")
    redis.ping()  # a pooled connection exists before the stall

    os.kill(private_redis.process.pid, signal.SIGSTOP)
    try:
        first = post(client, body, delivery="stalled-1")
    finally:
        os.kill(private_redis.process.pid, signal.SIGCONT)
    assert first.status_code == 503
    time.sleep(0.5)  # whatever the stalled server had buffered has now run

    retry = post(client, body, delivery="stalled-1")
    assert retry.status_code == 202, retry.get_json()
    check = Redis.from_url(private_redis.url)
    assert Queue(QUEUE_NAME, connection=check).get_job_ids() == ["draft-TES-41"]
    assert post(client, body, delivery="stalled-1").get_json()["duplicate"] is True


@pytest.mark.e2e
def test_a_stale_state_version_is_read_again_not_resent(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox, {"kind": "conflict", "method": "PUT", "path": "re:^/wiki/rest/api/content/\\d+/property/debrief$",
                     "times": 2})
    queue_draft(redis_conn, key)
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    [page] = postmortem_pages(sandbox, key)
    puts = journal(sandbox, "PUT", f"/wiki/rest/api/content/{page['id']}/property/debrief")
    assert [e["status"] for e in puts][:3] == [409, 409, 200]
    assert "reading again" in result.stderr
    gets = journal(sandbox, "GET", f"/wiki/rest/api/content/{page['id']}/property/debrief")
    assert len(gets) >= 2  # each conflict re-read the state before writing again


@pytest.mark.e2e
def test_a_long_retry_after_schedules_the_job_for_then_without_using_a_retry(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox, {"kind": "status", "status": 429, "method": "POST", "path": "/wiki/rest/api/content",
                     "retry_after": 120})
    job_id = queue_draft(redis_conn, key)
    started = time.monotonic()
    assert service.run_worker().returncode == 0
    assert time.monotonic() - started < 60  # the worker did not sit out the two minutes
    queue = Queue(QUEUE_NAME, connection=redis_conn)
    assert job_id in queue.scheduled_job_registry.get_job_ids()
    job = Job.fetch(job_id, connection=redis_conn)
    assert job.retries_left == 5  # the budget is untouched
    when = queue.scheduled_job_registry.get_scheduled_time(job_id)
    assert 100 <= (when - job.ended_at.replace(tzinfo=when.tzinfo)).total_seconds() <= 130
    assert len(journal(sandbox, "POST", "/wiki/rest/api/content")) == 1  # asked once, then left alone


@pytest.mark.e2e
def test_a_killed_worker_s_job_is_taken_over_and_never_blocks_a_delivery(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox, {"kind": "latency", "ms": 60000, "path": "/wiki/rest/api/search*"})
    job_id = queue_draft(redis_conn, key)
    worker = subprocess.Popen([sys.executable, "-m", "debrief", "worker"], env=service.env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until(lambda: Job.fetch(job_id, connection=redis_conn).get_status() == "started", "the job to start",
                   timeout=30)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its work horse
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    assert Job.fetch(job_id, connection=redis_conn).get_status() == "started"  # a dead job holds the slot

    requests_delete_faults(sandbox)
    # A new delivery for the incident is queued, not absorbed by the dead job.
    again = WorkQueue(redis_conn).submit_incident(key, needed=True, reasons=["test"], delivery_id="after-kill")
    assert again.job_id == job_id and not again.duplicate and again.replaced == "its worker is gone"
    assert service.run_worker().returncode == 0
    assert len(postmortem_pages(sandbox, key)) == 1


@pytest.mark.e2e
def test_a_new_worker_takes_over_a_dead_job_by_itself(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox, {"kind": "latency", "ms": 60000, "path": "/wiki/rest/api/search*"})
    job_id = queue_draft(redis_conn, key)
    first = subprocess.Popen([sys.executable, "-m", "debrief", "worker"], env=service.env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    second = None
    try:
        wait_until(lambda: Job.fetch(job_id, connection=redis_conn).get_status() == "started", "the job to start",
                   timeout=30)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        requests_delete_faults(sandbox)
        second = subprocess.Popen([sys.executable, "-m", "debrief", "worker"], env=service.env, cwd=ROOT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        wait_until(lambda: len(postmortem_pages(sandbox, key)) == 1, "the new worker to finish the draft",
                   timeout=120)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


def requests_delete_faults(sandbox) -> None:
    import requests  # noqa: PLC0415

    assert requests.delete(f"{sandbox.url}/_sandbox/faults", auth=AUTH).ok
