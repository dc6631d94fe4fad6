"""Debrief's work on RQ: submitting any kind of job, and the Redis keys intake relies on.

``WorkQueue.submit(kind, *args, key=...)`` is the one way work is queued. Claiming the
delivery id and queueing the job are one MULTI/EXEC transaction under WATCH: either both
happen or neither does, whatever Redis does to the connection (a stall past the client
timeout, a reset, a half-sent pipeline), so Jira's retry of a delivery answered 503 is never
mistaken for a duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis
from redis.exceptions import WatchError
from rq import Queue
from rq.job import Job, JobStatus

from jobqueue.kinds import KINDS, JobKind, job_slug
from jobqueue.liveness import orphaned

QUEUE_NAME = "debrief"
PREFIX = "debrief"
log = logging.getLogger("debrief.queue")

PENDING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED)
_WATCH_ATTEMPTS = 8

__all__ = ["PREFIX", "QUEUE_NAME", "Submitted", "WorkQueue", "job_slug"]


@dataclass(frozen=True)
class Submitted:
    job_id: str | None
    action: str | None  # the job kind queued ("draft", "refresh", ...) or None
    duplicate: bool = False  # a pending job already covers this
    repeated_delivery: bool = False  # this very delivery was seen before (Jira retried it)
    replaced: str | None = None  # why an existing job of this id was replaced, if one was

    def as_dict(self) -> dict:
        return {"job": self.job_id, "action": self.action, "duplicate": self.duplicate}


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class WorkQueue:
    def __init__(self, redis: Redis, *, queue_name: str = QUEUE_NAME, dedupe_seconds: int = 48 * 3600,
                 kinds=KINDS):
        self.redis = redis
        self.queue = Queue(queue_name, connection=redis)
        self.dedupe_seconds = dedupe_seconds
        self.kinds = kinds

    # Keys ------------------------------------------------------------------------------
    @staticmethod
    def delivery_key(delivery_id: str) -> str:
        return f"{PREFIX}:delivery:{delivery_id}"

    @staticmethod
    def job_key(job_id: str) -> str:
        return f"{Job.redis_job_namespace_prefix}{job_id}"

    def forget_delivery(self, delivery_id: str) -> None:
        """Release a claimed delivery id (operators; intake no longer needs it: a failed
        submit leaves no claim behind)."""
        self.redis.delete(self.delivery_key(delivery_id))

    def claim_delivery(self, delivery_id: str | None) -> bool:
        """Remember a delivery that queues nothing; False when it was seen before."""
        if not delivery_id:
            return True
        return bool(self.redis.set(self.delivery_key(delivery_id), "-", nx=True, ex=self.dedupe_seconds))

    # Postmortems that exist -------------------------------------------------------------
    def record_postmortem(self, incident_key: str, page_id: str) -> None:
        self.redis.hset(f"{PREFIX}:postmortems", incident_key, page_id)
        self.redis.srem(f"{PREFIX}:wanted", incident_key)

    def forget_postmortem(self, incident_key: str) -> None:
        self.redis.hdel(f"{PREFIX}:postmortems", incident_key)
        self.redis.srem(f"{PREFIX}:wanted", incident_key)

    def postmortem_page(self, incident_key: str) -> str | None:
        return _text(self.redis.hget(f"{PREFIX}:postmortems", incident_key))

    # A page being created: recorded before the create, so a retry of a job that died between
    # the create and record_postmortem looks for that title (search may not see the page yet).
    def record_creating(self, incident_key: str, title: str) -> None:
        self.redis.hset(f"{PREFIX}:creating", incident_key, title)

    def creating_title(self, incident_key: str) -> str | None:
        return _text(self.redis.hget(f"{PREFIX}:creating", incident_key))

    def forget_creating(self, incident_key: str) -> None:
        self.redis.hdel(f"{PREFIX}:creating", incident_key)

    # A drafting failure told on the incident (one Jira comment per episode; see jobs/draft_notices.py)
    def record_failure_notice(self, incident_key: str, reference: str) -> bool:
        """True when this starts an episode (no notice was recorded for the incident yet)."""
        return bool(self.redis.hsetnx(f"{PREFIX}:failure-notices", incident_key, reference))

    def failure_notice(self, incident_key: str) -> str | None:
        return _text(self.redis.hget(f"{PREFIX}:failure-notices", incident_key))

    def forget_failure_notice(self, incident_key: str) -> None:
        self.redis.hdel(f"{PREFIX}:failure-notices", incident_key)

    def wanted_drafts(self) -> list[str]:
        """Incidents a draft was asked for that have no page recorded yet."""
        return sorted(_text(k) for k in self.redis.smembers(f"{PREFIX}:wanted"))

    # Submitting -------------------------------------------------------------------------
    def submit(self, kind: str, *args, key: str, delivery_id: str | None = None,
               at: datetime | None = None, meta: dict | None = None) -> Submitted:
        """Queue (or, with ``at``, schedule) one job of ``kind`` for ``key``, with ``args``.

        One pending job per kind and key: a queued, scheduled or running one absorbs the
        submission; a failed one is replaced by this run (new evidence for parked work); a
        finished one makes way for a new run unless the kind runs once per key; a started job
        whose worker is gone is taken over. With ``delivery_id``, the delivery is claimed in
        the same transaction, and a delivery seen before queues nothing.
        """
        job_kind = self.kinds[kind]
        job_id = job_kind.job_id(key)
        for _ in range(_WATCH_ATTEMPTS):
            try:
                return self._submit_once(job_kind, job_id, key, args, delivery_id, at, meta)
            except WatchError:
                continue  # someone touched the delivery or the job meanwhile: look again
        raise RuntimeError(f"could not submit {job_id}: it kept changing under us")

    def _submit_once(self, kind: JobKind, job_id: str, key: str, args: tuple, delivery_id: str | None,
                     at: datetime | None, meta: dict | None) -> Submitted:
        job_key = self.job_key(job_id)
        watched = [job_key] + ([self.delivery_key(delivery_id)] if delivery_id else [])
        with self.redis.pipeline(transaction=True) as pipe:
            pipe.watch(*watched)
            if delivery_id and pipe.exists(self.delivery_key(delivery_id)):
                return Submitted(None, None, repeated_delivery=True)
            current = pipe.hgetall(job_key)
            status = _text(current.get(b"status")) if current else None
            replaced = None
            if status == JobStatus.STARTED and orphaned(self.redis, current):
                replaced = "its worker is gone"
            elif status in PENDING or (status is not None and kind.once_per_key):
                if delivery_id:
                    pipe.multi()
                    pipe.set(self.delivery_key(delivery_id), job_id, ex=self.dedupe_seconds)
                    pipe.execute()
                return Submitted(job_id, kind.name, duplicate=True)
            elif status is not None:
                replaced = f"it had {status}"
            stale_executions = self._executions(job_id) if replaced else []

            job = self.queue.create_job(
                kind.func, args=args, job_id=job_id, retry=kind.retry, timeout=kind.timeout,
                result_ttl=kind.result_ttl,
                meta={"delivery": delivery_id, "kind": kind.name, "key": key, **(meta or {})},
                description=f"{kind.name} {' '.join(str(a) for a in args[:1])}".strip())
            pipe.multi()
            if delivery_id:
                pipe.set(self.delivery_key(delivery_id), job_id, ex=self.dedupe_seconds)
            if replaced:
                pipe.delete(job_key)
                for registry in (self.queue.failed_job_registry, self.queue.finished_job_registry,
                                 self.queue.canceled_job_registry):
                    pipe.zrem(registry.key, job_id)
                if stale_executions:
                    pipe.zrem(self.queue.started_job_registry.key, *stale_executions)
            if at is not None and at > datetime.now(UTC):
                self.queue.schedule_job(job, at, pipeline=pipe)
            else:
                self.queue.enqueue_job(job, pipeline=pipe)
            pipe.execute()
        if replaced:
            log.info("replaced job %s: %s", job_id, replaced, extra={"job": job_id})
        return Submitted(job_id, kind.name, replaced=replaced)

    def _executions(self, job_id: str) -> list[str]:
        """The started-registry entries of a job (``job_id:execution_id``)."""
        registry = self.queue.started_job_registry
        return [f"{j}:{e}" for j, e in registry.get_job_and_execution_ids(cleanup=False) if j == job_id]

    def take_over_orphans(self) -> list[str]:
        """Resubmit every started job whose worker is gone (see jobqueue/liveness.py)."""
        taken = []
        for job_id in dict.fromkeys(self.queue.started_job_registry.get_job_ids(cleanup=False)):
            current = self.redis.hgetall(self.job_key(job_id))
            if _text(current.get(b"status")) != JobStatus.STARTED or not orphaned(self.redis, current):
                continue
            try:
                job = Job.fetch(job_id, connection=self.redis)
            except Exception:  # noqa: BLE001 - an unreadable job cannot be resubmitted
                continue
            kind, key = job.meta.get("kind"), job.meta.get("key")
            if kind not in self.kinds.names() or key is None:
                continue
            submitted = self.submit(kind, *job.args, key=key, meta={"taken_over": True})
            if submitted.replaced:
                taken.append(job_id)
        return taken

    # Incidents ---------------------------------------------------------------------------
    def submit_incident(self, incident_key: str, *, needed: bool, reasons: list[str],
                        delivery_id: str | None = None) -> Submitted:
        """What an incident delivery calls for: a refresh when the incident has a page, a
        draft when one is needed, otherwise nothing (the delivery is still remembered)."""
        if self.postmortem_page(incident_key):
            return self.submit("refresh", incident_key, key=incident_key, delivery_id=delivery_id)
        if not needed:
            if not self.claim_delivery(delivery_id):
                return Submitted(None, None, repeated_delivery=True)
            return Submitted(None, None)
        submitted = self.submit("draft", incident_key, list(reasons), key=incident_key, delivery_id=delivery_id)
        if not submitted.repeated_delivery:
            self.redis.sadd(f"{PREFIX}:wanted", incident_key)
        return submitted

    # Operators -----------------------------------------------------------------------------
    def failed_jobs(self) -> list[Job]:
        registry = self.queue.failed_job_registry
        return [j for j in Job.fetch_many(registry.get_job_ids(), connection=self.redis) if j]

    def replay(self, job_id: str) -> None:
        self.queue.failed_job_registry.requeue(job_id)

    def job_status(self, job_id: str) -> str | None:
        return _text(self.redis.hget(self.job_key(job_id), "status"))
