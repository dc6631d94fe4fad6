"""Debrief's work on RQ: which jobs exist, their ids, and the Redis keys intake relies on.

Job functions are named by dotted path, so the web process never imports job code.
Ids derive from the incident key, which makes a drafting job unique per incident however
many deliveries race for it.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass

from redis import Redis
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError, NoSuchJobError
from rq.job import Job, JobStatus

QUEUE_NAME = "debrief"
PREFIX = "debrief"
DRAFT_JOB = "jobs.draft.draft_postmortem"
UPDATE_JOB = "jobs.draft.refresh_postmortem"
CONSIDER_JOB = "jobs.intake.consider_issue"
# Back-off for Atlassian outages beyond what a job retries itself (seconds).
RETRY = Retry(max=5, interval=[10, 30, 60, 120, 300])
JOB_TIMEOUT = 300
RESULT_TTL = 7 * 24 * 3600


def job_slug(text: str) -> str:
    """RQ job ids allow only letters, digits, - and _."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


@dataclass(frozen=True)
class Submitted:
    job_id: str | None
    action: str | None  # "draft", "update", "consider" or None
    duplicate: bool = False  # a pending job already covers this
    repeated_delivery: bool = False  # this very delivery was seen before (Jira retried it)

    def as_dict(self) -> dict:
        return {"job": self.job_id, "action": self.action, "duplicate": self.duplicate}


class WorkQueue:
    def __init__(self, redis: Redis, *, queue_name: str = QUEUE_NAME, dedupe_seconds: int = 48 * 3600,
                 retry: Retry | None = RETRY):
        self.redis = redis
        self.queue = Queue(queue_name, connection=redis)
        self.dedupe_seconds = dedupe_seconds
        self.retry = retry

    # Deliveries -----------------------------------------------------------------------
    def forget_delivery(self, delivery_id: str) -> None:
        """Release a claimed delivery id when its work could not be stored, so Jira's retry is taken."""
        self.redis.delete(f"{PREFIX}:delivery:{delivery_id}")

    # Postmortems that exist -----------------------------------------------------------
    def record_postmortem(self, incident_key: str, page_id: str) -> None:
        self.redis.hset(f"{PREFIX}:postmortems", incident_key, page_id)

    def forget_postmortem(self, incident_key: str) -> None:
        self.redis.hdel(f"{PREFIX}:postmortems", incident_key)

    def postmortem_page(self, incident_key: str) -> str | None:
        value = self.redis.hget(f"{PREFIX}:postmortems", incident_key)
        return value.decode() if isinstance(value, bytes) else value

    # Jobs -----------------------------------------------------------------------------
    def submit_incident(self, incident_key: str, *, needed: bool, reasons: list[str],
                        delivery_id: str | None = None) -> Submitted:
        """Queue what an incident delivery calls for: a draft, an update of the page, or nothing."""
        slug = job_slug(incident_key)
        fresh, page, draft_status, refresh_status = self._claim_and_inspect(
            delivery_id, f"{PREFIX}:postmortems", incident_key,
            f"{Job.redis_job_namespace_prefix}draft-{slug}", f"{Job.redis_job_namespace_prefix}refresh-{slug}")
        if not fresh:
            return Submitted(None, None, repeated_delivery=True)
        if page:
            return self._enqueue_unique(UPDATE_JOB, f"refresh-{slug}", "update", refresh_status,
                                        incident_key, delivery_id=delivery_id)
        if not needed:
            return Submitted(None, None)
        return self._enqueue_unique(DRAFT_JOB, f"draft-{slug}", "draft", draft_status,
                                    incident_key, reasons, delivery_id=delivery_id)

    def _claim_and_inspect(self, delivery_id: str | None, pages_key: str | None, incident_key: str | None,
                           *job_keys: str) -> tuple:
        """In one round trip: claim the delivery id (False when seen before), read the page
        recorded for the incident and the status of each named job."""
        pipe = self.redis.pipeline(transaction=False)
        if delivery_id:
            pipe.set(f"{PREFIX}:delivery:{delivery_id}", 1, nx=True, ex=self.dedupe_seconds)
        if pages_key:
            pipe.hget(pages_key, incident_key)
        for key in job_keys:
            pipe.hget(key, "status")
        values = [v.decode() if isinstance(v, bytes) else v for v in pipe.execute()]
        fresh = bool(values.pop(0)) if delivery_id else True
        return (fresh, *values)

    def submit_consider(self, issue_id: str, comment: str, delivery_id: str | None = None) -> Submitted:
        """A comment names its issue only by id (Data Center): a job fetches it and decides."""
        job_id = f"consider-{job_slug(issue_id)}"
        fresh, status = self._claim_and_inspect(delivery_id, None, None, f"{Job.redis_job_namespace_prefix}{job_id}")
        if not fresh:
            return Submitted(None, None, repeated_delivery=True)
        return self._enqueue_unique(CONSIDER_JOB, job_id, "consider", status, issue_id, comment,
                                    delivery_id=delivery_id)

    def _enqueue_unique(self, func: str, job_id: str, action: str, status: str | None, *args,
                        delivery_id: str | None) -> Submitted:
        """One pending job per id: a queued or running one absorbs the delivery, a failed one is
        replayed, a finished one makes way for a new run (jobs re-read Jira, so one run suffices)."""
        if status == JobStatus.FAILED:
            # New evidence for a parked job: replay it rather than leave it parked.
            self.queue.failed_job_registry.requeue(job_id)
            return Submitted(job_id, action, duplicate=True)
        if status in (JobStatus.FINISHED, JobStatus.CANCELED, JobStatus.STOPPED):
            with contextlib.suppress(NoSuchJobError):
                Job.fetch(job_id, connection=self.redis).delete()
        elif status is not None:
            return Submitted(job_id, action, duplicate=True)
        try:
            self.queue.enqueue(func, *args, job_id=job_id, unique=True, retry=self.retry,
                               job_timeout=JOB_TIMEOUT, result_ttl=RESULT_TTL,
                               meta={"delivery": delivery_id, "action": action},
                               description=f"{action} {args[0]}")
        except DuplicateJobError:
            return Submitted(job_id, action, duplicate=True)
        return Submitted(job_id, action)

    def failed_jobs(self) -> list[Job]:
        registry = self.queue.failed_job_registry
        return [j for j in Job.fetch_many(registry.get_job_ids(), connection=self.redis) if j]

    def replay(self, job_id: str) -> None:
        self.queue.failed_job_registry.requeue(job_id)
