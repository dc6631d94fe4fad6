"""Debrief's work on RQ: submitting any kind of job, and the Redis keys intake relies on.

``WorkQueue.submit(kind, *args, key=...)`` is the one way work is queued, in two Redis round
trips: one pipelined read (the delivery's claim, both job slots, for an incident its page) and
one Lua script call that writes the job (RQ's own commands, collected from a pipeline) and the
claim, last, only if the claim is still absent and the jobs are as read (else it writes
nothing, and the submit reads and decides again). Nothing runs between a script's commands,
a script the server never received writes nothing, and the claim is its last write, so a claim
never outlives a failed enqueue, whatever Redis does to the connection (a stall past the
client timeout, a reset), and Jira's retry of a delivery answered 503 is never mistaken for a
duplicate.

Work accepted while its job runs is never lost: the running job may already have read the old
state, so a submit that meets it queues one follow-up run (job id ``<job id>-again``) that RQ
holds back until the running one ends, whether it succeeds or fails (an RQ dependency with
``allow_failure``). A submit's write checks the running job is as read, so it either lands before RQ records
the end (and RQ releases the follow-up: in that transaction on success, just after on
failure; worker maintenance queues one a dying worker stranded) or sees the job ended and
queues a plain run. The follow-up absorbs further submits while it waits; a submit during the
follow-up's own run queues the next one under the first id, and so on, alternating.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis
from rq import Queue
from rq.job import Dependency, Job, JobStatus
from rq.utils import utcparse

from jobqueue.kinds import KINDS, JobKind, job_slug
from jobqueue.liveness import orphaned

QUEUE_NAME = "debrief"
PREFIX = "debrief"
log = logging.getLogger("debrief.queue")

PENDING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.READY_TO_ENQUEUE,
           JobStatus.STARTED)
# A job in one of these will still run (or is running): a follow-up deferred on it is alive.
_ACTIVE = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.READY_TO_ENQUEUE, JobStatus.STARTED)
# Waiting to run: it will read the state when it runs, so it absorbs a submit as it is.
_WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.READY_TO_ENQUEUE)
AGAIN_SUFFIX = "-again"
# RQ releases a follow-up just after it records the end of a failed run; a follow-up still
# deferred this long after its job ended was stranded there (the worker died in between).
STRANDED_AFTER_SECONDS = 60
_WATCH_ATTEMPTS = 8
# A job is taken to be as read when these fields are: what the decision reads (status, worker,
# heartbeat) and what changes whenever a job is replaced or moves on.
_GUARDED_FIELDS = ("status", "worker_name", "last_heartbeat", "created_at", "enqueued_at", "started_at",
                   "ended_at")
_FIELD_NAMES = tuple(f.encode() for f in _GUARDED_FIELDS)
_MISSING = b"\x00"
_APPLIED, _REPEATED, _CHANGED = 1, 0, -1
_LUA_FIELDS = "{" + ", ".join(f"'{f}'" for f in _GUARDED_FIELDS) + "}"
# KEYS: the delivery claim ("" for none), the postmortems hash, the job hashes. ARGV: the incident
# whose page to read ("" for none). Answers: claimed (0/1), the page, each job's guarded fields.
_READ_SCRIPT = """
local out = {0, false}
if KEYS[1] ~= '' then out[1] = redis.call('EXISTS', KEYS[1]) end
if ARGV[1] ~= '' then out[2] = redis.call('HGET', KEYS[2], ARGV[1]) end
local fields = @FIELDS@
for k = 3, #KEYS do
  local now = redis.call('HMGET', KEYS[k], unpack(fields))
  for i = 1, #fields do out[#out + 1] = now[i] end
end
return out
""".replace("@FIELDS@", _LUA_FIELDS)
# KEYS: the delivery claim (when ARGV[1] is 1), then the job hashes read. ARGV: that flag; per job
# its guarded fields as read (\0: absent); then the writes, each as its length and words.
# Nothing is written unless the claim is still absent and every job is as read.
_APPLY_SCRIPT = """
local claim = tonumber(ARGV[1])
if claim == 1 and redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = @FIELDS@
local a = 2
for k = claim + 1, #KEYS do
  local now = redis.call('HMGET', KEYS[k], unpack(fields))
  for i = 1, #fields do
    if (now[i] or '\0') ~= ARGV[a + i - 1] then return -1 end
  end
  a = a + #fields
end
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  redis.call(unpack(ARGV, a + 1, a + n))
  a = a + n + 1
end
return 1
""".replace("@FIELDS@", _LUA_FIELDS)

__all__ = ["PREFIX", "QUEUE_NAME", "Submitted", "WorkQueue", "job_slug"]


@dataclass(frozen=True)
class Submitted:
    job_id: str | None
    action: str | None  # the job kind queued ("draft", "refresh", ...) or None
    duplicate: bool = False  # a pending job already covers this
    repeated_delivery: bool = False  # this very delivery was seen before (Jira retried it)
    replaced: str | None = None  # why an existing job of this id was replaced, if one was
    # With duplicate: the job was running, so this follow-up (its id) runs once it ends.
    rerun: str | None = None

    def as_dict(self) -> dict:
        answer = {"job": self.job_id, "action": self.action, "duplicate": self.duplicate}
        if self.rerun:
            answer["rerun"] = self.rerun
        return answer


@dataclass(frozen=True)
class _Slot:
    """One of the two job ids a kind and key alternate between, as Redis holds it now."""
    job_id: str
    current: dict  # its raw Redis hash
    status: str | None


@dataclass(frozen=True)
class _State:
    """What a submit read in its one round trip."""
    claimed: bool  # the delivery id was seen before
    slots: dict[str, _Slot]
    page: str | None = None


@dataclass(frozen=True)
class _Todo:
    """What a submit asks for."""
    kind: JobKind
    key: str
    args: tuple
    delivery_id: str | None
    at: datetime | None
    meta: dict | None


def _pair(job_id: str) -> str:
    """The other id of a kind and key: a job and its follow-up alternate between the two."""
    return job_id.removesuffix(AGAIN_SUFFIX) if job_id.endswith(AGAIN_SUFFIX) else job_id + AGAIN_SUFFIX


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


class WorkQueue:
    def __init__(self, redis: Redis, *, queue_name: str = QUEUE_NAME, dedupe_seconds: int = 48 * 3600,
                 kinds=KINDS):
        self.redis = redis
        self.queue = Queue(queue_name, connection=redis)
        self.dedupe_seconds = dedupe_seconds
        self.kinds = kinds
        self._registered = None  # the read and the write script, registered on first use

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
        self.forget_page_snapshot(incident_key)

    # What the last upkeep of an incident's page left there (its id, labels, state and the
    # state's version), so a refresh that changes nothing reads only the incident.
    @staticmethod
    def _snapshot_key(incident_key: str) -> str:
        return f"{PREFIX}:page-snapshot:{incident_key}"

    def record_page_snapshot(self, incident_key: str, snapshot: str, *, ttl_seconds: int) -> None:
        self.redis.set(self._snapshot_key(incident_key), snapshot, ex=ttl_seconds)

    def page_snapshot(self, incident_key: str) -> str | None:
        return _text(self.redis.get(self._snapshot_key(incident_key)))

    def forget_page_snapshot(self, incident_key: str) -> None:
        self.redis.delete(self._snapshot_key(incident_key))

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

        One pending job per kind and key: a queued or scheduled one absorbs the submission (it
        will read the state when it runs); a running one absorbs it too but gets one follow-up
        run, queued for when it ends (``Submitted.rerun``; further submits meanwhile are
        absorbed by that follow-up); a failed one is replaced by this run (new evidence for
        parked work); a finished one makes way for a new run unless the kind runs once per key
        (those never get a follow-up); a started job whose worker is gone is taken over. With
        ``delivery_id``, the delivery is claimed in the same atomic write, and a delivery seen
        before queues nothing.
        """
        job_kind = self.kinds[kind]
        return self._submit(_Todo(job_kind, key, args, delivery_id, at, meta))

    def _read(self, job_ids: list[str], delivery_id: str | None, page_of: str | None = None) -> _State:
        """One round trip: whether the delivery was claimed, each job's guarded fields, the
        incident's page."""
        keys = [self.delivery_key(delivery_id) if delivery_id else "", f"{PREFIX}:postmortems",
                *(self.job_key(i) for i in job_ids)]
        reply = self._scripts()[0](keys=keys, args=[page_of or ""])
        claimed, page, values = bool(reply[0]), _text(reply[1]) or None, reply[2:]
        width = len(_GUARDED_FIELDS)
        slots = {}
        for n, job_id in enumerate(job_ids):
            current = {f: v for f, v in zip(_FIELD_NAMES, values[n * width:(n + 1) * width], strict=True)
                       if v is not None}
            slots[job_id] = _Slot(job_id, current, _text(current.get(b"status")))
        return _State(claimed, slots, page)

    def _scripts(self):
        if self._registered is None:
            self._registered = (self.redis.register_script(_READ_SCRIPT), self.redis.register_script(_APPLY_SCRIPT))
        return self._registered

    def _submit(self, todo: _Todo, state: _State | None = None, also=None) -> Submitted:
        """Decide on what was read, then write it all in one script call that first checks the
        claim is still absent and the jobs as read (else: read again and decide again)."""
        job_id = todo.kind.job_id(todo.key)
        ids = [job_id, job_id + AGAIN_SUFFIX]
        for _ in range(_WATCH_ATTEMPTS):
            state = state or self._read(ids, todo.delivery_id)
            if state.claimed:
                return Submitted(None, None, repeated_delivery=True)
            plan = self.redis.pipeline(transaction=True)  # collects the writes; never executed itself
            plan.multi()
            submitted = self._decide(plan, todo, state.slots[ids[0]], state.slots[ids[1]])
            if also is not None:
                also(plan)
            if todo.delivery_id:  # last: a write that fails before it leaves no claim
                plan.set(self.delivery_key(todo.delivery_id), submitted.job_id, ex=self.dedupe_seconds)
            applied = self._apply(plan, todo.delivery_id, [state.slots[i] for i in ids])
            state = None
            if applied == _REPEATED:
                return Submitted(None, None, repeated_delivery=True)
            if applied == _CHANGED:
                continue  # someone touched the delivery or the job meanwhile: look again
            if submitted.rerun:
                log.info("%s runs again as %s once its current run ends", submitted.job_id, submitted.rerun,
                         extra={"job": submitted.job_id})
            elif submitted.replaced:
                log.info("replaced job %s: %s", submitted.job_id, submitted.replaced, extra={"job": submitted.job_id})
            return submitted
        raise RuntimeError(f"could not submit {job_id}: it kept changing under us")

    def _apply(self, plan, delivery_id: str | None, slots: list[_Slot]) -> int:
        commands = plan.command_stack
        if not commands:
            return _APPLIED
        keys = ([self.delivery_key(delivery_id)] if delivery_id else []) + [self.job_key(s.job_id) for s in slots]
        argv: list = [1 if delivery_id else 0]
        for slot in slots:
            argv.extend(slot.current.get(f, _MISSING) for f in _FIELD_NAMES)
        for args, _options in commands:
            argv.append(len(args))
            argv.extend(args)
        plan.reset()
        return int(self._scripts()[1](keys=keys, args=argv))

    def _decide(self, plan, todo: _Todo, first: _Slot, second: _Slot) -> Submitted:
        kind = todo.kind
        other = {first.job_id: second, second.job_id: first}
        for slot in (first, second):
            if slot.status == JobStatus.STARTED and orphaned(self.redis, slot.current):
                return self._queue(plan, todo, slot, replaced="its worker is gone")
        if kind.once_per_key:
            if first.status is not None:
                return Submitted(first.job_id, kind.name, duplicate=True)
            return self._queue(plan, todo, first)
        for slot in (first, second):
            if slot.status in _WAITING or (slot.status == JobStatus.DEFERRED
                                           and other[slot.job_id].status in _ACTIVE):
                return Submitted(slot.job_id, kind.name, duplicate=True)
        running = [slot for slot in (first, second) if slot.status == JobStatus.STARTED]
        if len(running) == 2:  # both running (an operator requeued one): the later one covers this
            log.warning("%s and %s both run; no follow-up queued", first.job_id, second.job_id,
                        extra={"job": first.job_id})
            return Submitted(second.job_id, kind.name, duplicate=True)
        if running:
            return self._queue(plan, todo, other[running[0].job_id], after=running[0])
        # Nothing pending. A deferred slot whose job ended without releasing it is stale.
        stale = second if second.status == JobStatus.DEFERRED else None
        return self._queue(plan, todo, first, discard=stale,
                           replaced=f"it had {first.status}" if first.status else None)

    def _queue(self, pipe, todo: _Todo, slot: _Slot, *, replaced: str | None = None, after: _Slot | None = None,
               discard: _Slot | None = None) -> Submitted:
        """Put a new job in ``slot`` (replacing what it held): queued, scheduled, or with ``after``
        deferred until that running job ends. The writes go to ``pipe``."""
        kind = todo.kind
        stale_executions = self._executions(slot.job_id) if slot.status == JobStatus.STARTED else []
        job = self.queue.create_job(
            kind.func, args=todo.args, job_id=slot.job_id, retry=kind.retry, timeout=kind.timeout,
            result_ttl=kind.result_ttl,
            depends_on=Dependency(jobs=[after.job_id], allow_failure=True) if after else None,
            meta={"delivery": todo.delivery_id, "kind": kind.name, "key": todo.key,
                  **({"follows": after.job_id} if after else {}), **(todo.meta or {})},
            description=f"{kind.name} {' '.join(str(a) for a in todo.args[:1])}".strip())
        if slot.status is not None:
            self._forget_job(pipe, slot.job_id, job.dependencies_key)
            if slot.status == JobStatus.DEFERRED:  # a stranded follow-up: its job must not release it now
                pipe.srem(Job.dependents_key_for(_pair(slot.job_id)), slot.job_id)
            if stale_executions:
                pipe.zrem(self.queue.started_job_registry.key, *stale_executions)
        if discard is not None:
            self._forget_job(pipe, discard.job_id, Job(discard.job_id, connection=self.redis).dependencies_key)
            pipe.srem(Job.dependents_key_for(slot.job_id), discard.job_id)
        if after is not None:
            job.set_status(JobStatus.DEFERRED, pipeline=pipe)
            job.register_dependency(pipeline=pipe)  # RQ queues it as ``after`` ends, however it ends
            job.save(pipeline=pipe)
        elif todo.at is not None and todo.at > datetime.now(UTC):
            self.queue.schedule_job(job, todo.at, pipeline=pipe)
        else:
            self.queue.enqueue_job(job, pipeline=pipe)
        if after is not None:
            return Submitted(after.job_id, kind.name, duplicate=True, rerun=slot.job_id)
        return Submitted(slot.job_id, kind.name, replaced=replaced)

    def _forget_job(self, pipe, job_id: str, dependencies_key: str) -> None:
        pipe.delete(self.job_key(job_id), dependencies_key)
        for registry in (self.queue.failed_job_registry, self.queue.finished_job_registry,
                         self.queue.canceled_job_registry, self.queue.deferred_job_registry):
            pipe.zrem(registry.key, job_id)

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
        return taken + self._release_stranded()

    def _release_stranded(self) -> list[str]:
        """Queue each follow-up whose job ended long ago without releasing it."""
        released = []
        now = datetime.now(UTC)
        for job_id in self.queue.deferred_job_registry.get_job_ids(cleanup=False):
            try:
                job = Job.fetch(job_id, connection=self.redis)
            except Exception:  # noqa: BLE001 - an unreadable job cannot be resubmitted
                continue
            follows, kind, key = job.meta.get("follows"), job.meta.get("kind"), job.meta.get("key")
            if not follows or kind not in self.kinds.names() or key is None:
                continue
            parent = self.redis.hgetall(self.job_key(follows))
            if _text(parent.get(b"status")) in _ACTIVE:
                continue
            ended = _text(parent.get(b"ended_at"))
            if ended:
                ended_at = utcparse(ended)
                ended_at = ended_at if ended_at.tzinfo else ended_at.replace(tzinfo=UTC)
                if (now - ended_at).total_seconds() < STRANDED_AFTER_SECONDS:
                    continue
            submitted = self.submit(kind, *job.args, key=key, meta={"taken_over": True})
            if not submitted.duplicate:
                log.warning("%s was left waiting after %s ended: queued as %s", job_id, follows,
                            submitted.job_id, extra={"job": job_id})
                released.append(job_id)
        return released

    # Incidents ---------------------------------------------------------------------------
    def submit_incident(self, incident_key: str, *, needed: bool, reasons: list[str],
                        delivery_id: str | None = None) -> Submitted:
        """What an incident delivery calls for: a refresh when the incident has a page, a
        draft when one is needed, otherwise nothing (the delivery is still remembered).

        One read round trip (the page, the claim, both kinds' jobs) and one write."""
        draft, refresh = (self.kinds[k].job_id(incident_key) for k in ("draft", "refresh"))
        ids = [draft, draft + AGAIN_SUFFIX, refresh, refresh + AGAIN_SUFFIX]
        state = self._read(ids, delivery_id, page_of=incident_key)
        if state.page:
            return self._submit(_Todo(self.kinds["refresh"], incident_key, (incident_key,), delivery_id, None, None),
                                state)
        if not needed:
            if state.claimed or not self.claim_delivery(delivery_id):
                return Submitted(None, None, repeated_delivery=True)
            return Submitted(None, None)
        wanted = f"{PREFIX}:wanted"
        return self._submit(_Todo(self.kinds["draft"], incident_key, (incident_key, list(reasons)), delivery_id,
                                  None, None), state, also=lambda plan: plan.sadd(wanted, incident_key))

    # Operators -----------------------------------------------------------------------------
    def failed_jobs(self) -> list[Job]:
        registry = self.queue.failed_job_registry
        return [j for j in Job.fetch_many(registry.get_job_ids(), connection=self.redis) if j]

    def replay(self, job_id: str) -> None:
        self.queue.failed_job_registry.requeue(job_id)

    def job_status(self, job_id: str) -> str | None:
        return _text(self.redis.hget(self.job_key(job_id), "status"))
