"""Work accepted while its job runs is never lost: a submit that meets a running job gets exactly
one follow-up run after it ends (success or failure), seeing the state as it is then.

Real Redis, real ``debrief worker`` subprocesses. The job is a probe (named by dotted path, like
every kind) that records each run and the state it read, and holds while the test says so.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue, get_current_job
from rq.job import Job

from jobqueue.kinds import JobKind, JobKinds
from jobqueue.queue import QUEUE_NAME, STRANDED_AFTER_SECONDS, Submitted, WorkQueue
from tests.helpers import ROOT
from tests.test_draft_failures import faults
from tests.test_end_to_end import create_incident, postmortem_pages, wait_until

PROBES = JobKinds(JobKind("probe", "tests.test_jobs_rerun.probe_job", retry=None, timeout=120),
                  JobKind("slot", "tests.test_jobs_rerun.probe_job", retry=None, once_per_key=True))


def probe_job(name: str) -> str:
    """Record a run and the state it read; wait while ``probe:<name>:hold`` (or
    ``probe:<name>:hold:<job id>``) exists; fail once when ``probe:<name>:fail`` is set."""
    job = get_current_job()
    redis = job.connection
    state = (redis.get(f"probe:{name}:state") or b"-").decode()
    redis.rpush(f"probe:{name}:runs", f"{job.id} {state}")
    deadline = time.monotonic() + 60
    while redis.exists(f"probe:{name}:hold", f"probe:{name}:hold:{job.id}") and time.monotonic() < deadline:
        time.sleep(0.05)
    redis.rpush(f"probe:{name}:ended", job.id)
    if redis.getdel(f"probe:{name}:fail"):
        raise RuntimeError("the probe was told to fail")
    return state


def runs(redis, name: str) -> list[str]:
    return [r.decode() for r in redis.lrange(f"probe:{name}:runs", 0, -1)]


def ended(redis, name: str) -> int:
    return redis.llen(f"probe:{name}:ended")


def start_workers(service, count: int) -> list[subprocess.Popen]:
    return [subprocess.Popen([sys.executable, "-m", "debrief", "worker"], env=service.env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            for _ in range(count)]


def stop(workers: list[subprocess.Popen]) -> None:
    for proc in workers:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def workers(service, redis_conn):
    started: list[subprocess.Popen] = []

    def start(count: int = 2) -> list[subprocess.Popen]:
        started.extend(start_workers(service, count))
        return started

    yield start
    stop(started)


def settle(redis, name: str, count: int) -> None:
    """Wait for ``count`` ended runs, then long enough that one more run would show."""
    wait_until(lambda: ended(redis, name) >= count, f"{count} runs to end", timeout=60)
    queue = Queue(QUEUE_NAME, connection=redis)
    wait_until(lambda: not queue.deferred_job_registry.get_job_ids() and not any(
        j.startswith("probe-") for j in queue.get_job_ids()), "nothing pending", timeout=30)
    time.sleep(1.5)


def hold_running(redis, work: WorkQueue, name: str, state: str = "v1") -> str:
    redis.set(f"probe:{name}:state", state)
    redis.set(f"probe:{name}:hold", "1")
    first = work.submit("probe", name, key=name)
    assert not first.duplicate
    wait_until(lambda: runs(redis, name), "the probe to start", timeout=60)
    return first.job_id


@pytest.mark.e2e
def test_a_submit_during_a_run_gets_exactly_one_more_run_that_reads_the_new_state(redis_conn, workers):
    work = WorkQueue(redis_conn, kinds=PROBES)
    workers(2)
    job_id = hold_running(redis_conn, work, "p1")
    assert job_id == "probe-p1"

    redis_conn.set("probe:p1:state", "v2")  # the edit saved while the job runs
    during = work.submit("probe", "p1", key="p1", delivery_id="edit-1")
    assert during.duplicate and during.job_id == "probe-p1" and during.rerun == "probe-p1-again"
    assert during.as_dict() == {"job": "probe-p1", "action": "probe", "duplicate": True,
                                "rerun": "probe-p1-again"}
    assert Job.fetch("probe-p1-again", connection=redis_conn).get_status() == "deferred"
    assert work.submit("probe", "p1", key="p1", delivery_id="edit-1").repeated_delivery

    redis_conn.delete("probe:p1:hold")
    settle(redis_conn, "p1", 2)
    assert runs(redis_conn, "p1") == ["probe-p1 v1", "probe-p1-again v2"]


@pytest.mark.e2e
def test_many_submits_during_a_run_still_make_one_more_run_and_its_own_run_can_be_followed(redis_conn, workers):
    work = WorkQueue(redis_conn, kinds=PROBES)
    workers(2)
    hold_running(redis_conn, work, "p2")
    answers = [work.submit("probe", "p2", key="p2", delivery_id=f"d{n}") for n in range(5)]
    assert all(a.duplicate for a in answers)
    assert answers[0].rerun == "probe-p2-again"
    assert [a.job_id for a in answers[1:]] == ["probe-p2-again"] * 4  # the waiting follow-up absorbs them
    assert not any(a.rerun for a in answers[1:])

    # The follow-up starts (the hold still stands): a submit now follows it, under the first id.
    redis_conn.set("probe:p2:hold:probe-p2-again", "1")
    redis_conn.set("probe:p2:state", "v2")
    redis_conn.delete("probe:p2:hold")
    wait_until(lambda: len(runs(redis_conn, "p2")) >= 2, "the follow-up to start", timeout=30)
    redis_conn.set("probe:p2:state", "v3")
    during_follow_up = work.submit("probe", "p2", key="p2")
    assert during_follow_up.duplicate and during_follow_up.job_id == "probe-p2-again"
    assert during_follow_up.rerun == "probe-p2"
    redis_conn.delete("probe:p2:hold:probe-p2-again")
    settle(redis_conn, "p2", 3)
    assert runs(redis_conn, "p2") == ["probe-p2 v1", "probe-p2-again v2", "probe-p2 v3"]


@pytest.mark.e2e
def test_a_run_that_fails_is_still_followed_and_a_later_submit_replaces_the_parked_job(redis_conn, workers):
    work = WorkQueue(redis_conn, kinds=PROBES)
    workers(1)
    redis_conn.set("probe:p3:fail", "1")
    hold_running(redis_conn, work, "p3")
    redis_conn.set("probe:p3:state", "v2")
    assert work.submit("probe", "p3", key="p3").rerun == "probe-p3-again"
    redis_conn.delete("probe:p3:hold")
    settle(redis_conn, "p3", 2)
    assert runs(redis_conn, "p3") == ["probe-p3 v1", "probe-p3-again v2"]
    assert Job.fetch("probe-p3", connection=redis_conn).get_status() == "failed"

    # Nothing runs now: a submit is one plain run, the parked job replaced as before.
    later = work.submit("probe", "p3", key="p3")
    assert not later.duplicate and later.job_id == "probe-p3" and later.replaced == "it had failed"
    settle(redis_conn, "p3", 3)
    assert len(runs(redis_conn, "p3")) == 3


@pytest.mark.e2e
def test_a_submit_while_nothing_runs_is_one_run_and_a_queued_job_absorbs_without_rerun(redis_conn, service):
    work = WorkQueue(redis_conn, kinds=PROBES)
    first = work.submit("probe", "p4", key="p4")
    queued = work.submit("probe", "p4", key="p4")
    assert first == Submitted("probe-p4", "probe")
    assert queued.duplicate and queued.rerun is None and queued.job_id == "probe-p4"
    assert queued.as_dict() == {"job": "probe-p4", "action": "probe", "duplicate": True}
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    assert runs(redis_conn, "p4") == ["probe-p4 -"]
    assert not Queue(QUEUE_NAME, connection=redis_conn).deferred_job_registry.get_job_ids()


@pytest.mark.e2e
def test_a_once_per_key_job_is_never_followed(redis_conn, workers):
    work = WorkQueue(redis_conn, kinds=PROBES)
    workers(1)
    redis_conn.set("probe:s1:hold", "1")
    assert not work.submit("slot", "s1", key="s1").duplicate
    wait_until(lambda: runs(redis_conn, "s1"), "the slot job to start", timeout=60)
    during = work.submit("slot", "s1", key="s1")
    assert during.duplicate and during.rerun is None
    redis_conn.delete("probe:s1:hold")
    wait_until(lambda: ended(redis_conn, "s1") == 1, "the slot job to end", timeout=30)
    time.sleep(1.5)
    assert runs(redis_conn, "s1") == ["slot-s1 -"]


@pytest.mark.e2e
def test_a_dead_worker_s_job_is_taken_over_and_its_follow_up_still_runs_after(redis_conn, service):
    work = WorkQueue(redis_conn, kinds=PROBES)
    [doomed] = start_workers(service, 1)
    try:
        hold_running(redis_conn, work, "p5")
        assert work.submit("probe", "p5", key="p5").rerun == "probe-p5-again"
        os.killpg(doomed.pid, signal.SIGKILL)  # the worker and its work horse
        doomed.wait(timeout=10)
    finally:
        stop([doomed])
    redis_conn.set("probe:p5:state", "v2")
    redis_conn.delete("probe:p5:hold")
    # The waiting follow-up does not shield the dead job: the next submit takes it over.
    again = work.submit("probe", "p5", key="p5")
    assert again.job_id == "probe-p5" and not again.duplicate and again.replaced == "its worker is gone"
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    assert runs(redis_conn, "p5") == ["probe-p5 v1", "probe-p5 v2", "probe-p5-again v2"]


@pytest.mark.e2e
def test_a_follow_up_stranded_by_a_worker_dying_as_its_job_failed_is_queued_by_maintenance(redis_conn, service):
    work = WorkQueue(redis_conn, kinds=PROBES)
    [doomed] = start_workers(service, 1)
    try:
        hold_running(redis_conn, work, "p6")
        assert work.submit("probe", "p6", key="p6").rerun == "probe-p6-again"
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=10)
    finally:
        stop([doomed])
    redis_conn.delete("probe:p6:hold")
    # What the worker had recorded had it died just after writing the failure, before
    # releasing the follow-up: the job failed, its follow-up still deferred.
    queue = Queue(QUEUE_NAME, connection=redis_conn)
    redis_conn.zrem(queue.started_job_registry.key, *work._executions("probe-p6"))
    job = Job.fetch("probe-p6", connection=redis_conn)
    job.ended_at = datetime.now(UTC)
    job.set_status("failed")
    job.save()
    assert work.take_over_orphans() == []  # just ended: RQ is about to release it itself
    assert queue.deferred_job_registry.get_job_ids() == ["probe-p6-again"]
    job.ended_at = datetime.now(UTC) - timedelta(seconds=STRANDED_AFTER_SECONDS + 5)
    job.save()
    assert work.take_over_orphans() == ["probe-p6-again"]
    assert not queue.deferred_job_registry.get_job_ids()
    result = service.run_worker()
    assert result.returncode == 0, result.stderr[-3000:]
    assert runs(redis_conn, "p6") == ["probe-p6 v1", "probe-p6 v1"]  # once stranded, once released
    assert work.take_over_orphans() == []



@pytest.mark.e2e
def test_an_incident_update_during_its_draft_runs_the_job_once_more_after_it(sandbox, service, redis_conn):
    key = create_incident(sandbox)
    faults(sandbox, {"kind": "latency", "ms": 3000, "path": "/wiki/rest/api/search*"})
    work = WorkQueue(redis_conn)
    job_id = work.submit_incident(key, needed=True, reasons=["test"]).job_id
    worker = subprocess.Popen([sys.executable, "-m", "debrief", "worker", "--burst"], env=service.env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_until(lambda: Job.fetch(job_id, connection=redis_conn).get_status() == "started", "the draft to start",
                   timeout=30)
        update = work.submit_incident(key, needed=True, reasons=["updated"], delivery_id="update-1")
        assert update.duplicate and update.job_id == job_id and update.rerun == f"{job_id}-again"
        _, stderr = worker.communicate(timeout=120)
    finally:
        stop([worker])
    assert worker.returncode == 0, stderr[-3000:]
    assert Job.fetch(job_id, connection=redis_conn).get_status() == "finished"
    follow_up = Job.fetch(f"{job_id}-again", connection=redis_conn)
    assert follow_up.get_status() == "finished" and follow_up.args == (key, ["updated"])
    assert follow_up.started_at >= Job.fetch(job_id, connection=redis_conn).ended_at
    assert len(postmortem_pages(sandbox, key)) == 1
