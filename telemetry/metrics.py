"""Every metric Debrief exposes at ``/metrics``, defined once, and the calls that record them.

Where the numbers live: in Redis, not in process memory. Debrief runs as several gunicorn
workers and several RQ workers (each job in a forked work horse), often on more than one
host; all of them share one Redis, so each event is one HINCRBY there (hash
``debrief:metrics``) and ``/metrics`` reads the sums back (telemetry/exposition.py). This
needs no PROMETHEUS_MULTIPROC_DIR, survives restarts (counters stay monotonic) and sees the
workers of every host. A recording call never fails its caller: without a configured Redis,
or when Redis does not answer, the event is dropped (logged at debug level).

The web app's counters (``into=`` a Redis: deliveries, trigger rules) stay off the request's
path: they are summed in process memory and added to Redis in one pipeline at most every
FLUSH_SECONDS by a background thread, at exit, and before this process renders ``/metrics``
(so another process's counts show up within FLUSH_SECONDS). The worker's (the configured
Redis) are written at once: a job's work horse ends without running exit handlers.

Nothing secret or personal reaches a metric: label values are fixed words, HTTP statuses or
job kinds, checked against ``_LABEL_VALUE``; anything else is recorded as ``other``.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import math
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("debrief.telemetry")

KEY = "debrief:metrics"
FLUSH_SECONDS = 1.0
_LABEL_VALUE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")


@dataclass(frozen=True)
class Metric:
    name: str  # without the _total / _seconds suffix conventions added by the exposition
    kind: str  # "counter" or "histogram"
    help: str
    labels: tuple[str, ...]
    buckets: tuple[float, ...] = ()


# Seconds: from a tenth of a second (an HTTP call) up to a few weeks (a postmortem's approval).
_CALL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 75.0)
_DAY = 86400.0
_STAGE_BUCKETS = (600.0, 3600.0, 4 * 3600.0, _DAY, 2 * _DAY, 5 * _DAY, 7 * _DAY, 14 * _DAY,
                  30 * _DAY, 60 * _DAY)

DELIVERIES = Metric(
    "debrief_webhook_deliveries_total", "counter",
    "Webhook deliveries by outcome (accepted, duplicate, ignored, refused) and HTTP status",
    ("source", "outcome", "status"))
TRIGGER_RULES = Metric(
    "debrief_trigger_rules_fired_total", "counter",
    "Trigger rules that fired when an incident was assessed, by rule", ("rule",))
JOBS = Metric(
    "debrief_jobs_total", "counter",
    "Jobs run by kind and result (done, retried, parked)", ("kind", "result"))
ATLASSIAN_CALLS = Metric(
    "debrief_atlassian_requests_total", "counter",
    "HTTP requests to Atlassian by product (jira, confluence) and status", ("product", "status"))
ATLASSIAN_LATENCY = Metric(
    "debrief_atlassian_request_duration_seconds", "histogram",
    "Time Atlassian took to answer, by product", ("product",), _CALL_BUCKETS)
POSTMORTEMS = Metric(
    "debrief_postmortems_total", "counter",
    "Postmortems reaching a status (drafted, in_review, approved, archived, ...)", ("status",))
POSTMORTEM_STAGE = Metric(
    "debrief_postmortem_stage_seconds", "histogram",
    "Time from the incident's resolution to its postmortem's draft, approval or archive",
    ("stage",), _STAGE_BUCKETS)

METRICS = (DELIVERIES, TRIGGER_RULES, JOBS, ATLASSIAN_CALLS, ATLASSIAN_LATENCY, POSTMORTEMS,
           POSTMORTEM_STAGE)
STAGES = ("draft", "approval", "archive")

_redis: Redis | None = None


def configure(redis: Redis | None) -> None:
    """Record into ``redis`` from now on (None: record nothing): the worker's process-wide
    Redis. The web app passes its own Redis with each call (``into=``) instead, so several
    apps in one process (tests) stay apart."""
    global _redis
    _redis = redis


def label_value(value: object) -> str:
    text = str(value).strip().lower().replace(" ", "_")
    return text if _LABEL_VALUE.fullmatch(text) else "other"


def _field(metric: Metric, labels: dict[str, object], suffix: str = "") -> str:
    if set(labels) != set(metric.labels):
        raise ValueError(f"{metric.name} takes labels {metric.labels}, got {tuple(labels)}")
    return _field_text(metric.name + suffix, tuple(str(labels[name]) for name in metric.labels))


@functools.lru_cache(maxsize=4096)
def _field_text(name: str, raw_values: tuple[str, ...]) -> str:
    """The hash field of a series (the same few recur: statuses, outcomes, rules)."""
    return json.dumps([name, *(label_value(v) for v in raw_values)], separators=(",", ":"))


def inc(metric: Metric, amount: int = 1, *, into: Redis | None = None, **labels: object) -> None:
    """Add ``amount`` to a counter, in ``into`` or else the configured Redis."""
    if metric.kind != "counter":
        raise TypeError(f"{metric.name} is a {metric.kind}")
    field = _field(metric, labels)
    if into is not None:
        _PENDING.add(into, field, amount)
        return
    _write(lambda pipe: pipe.hincrby(KEY, field, amount), into)


def observe(metric: Metric, seconds: float, *, into: Redis | None = None, **labels: object) -> None:
    if metric.kind != "histogram":
        raise TypeError(f"{metric.name} is a {metric.kind}")
    if not math.isfinite(seconds) or seconds < 0:
        return
    bucket = next((b for b in metric.buckets if seconds <= b), math.inf)
    fields = (_field(metric, labels, f"|le={bucket}"), _field(metric, labels, "|count"))
    total = _field(metric, labels, "|sum")

    def write(pipe) -> None:
        for field in fields:
            pipe.hincrby(KEY, field, 1)
        pipe.hincrbyfloat(KEY, total, seconds)

    _write(write, into)


def _write(commands, into: Redis | None) -> None:
    redis = into if into is not None else _redis
    if redis is None:
        return
    try:
        pipe = redis.pipeline(transaction=False)
        commands(pipe)
        pipe.execute()
    except (RedisError, OSError) as exc:
        log.debug("metric not recorded: %s", exc)


class _Pending:
    """Counter increments not yet in Redis, by the Redis they go to; flushed by one daemon
    thread per process (started on first use, again after a fork)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[int, tuple[Redis, dict[str, int]]] = {}
        self.flusher_pid: int | None = None
        self.wake = threading.Event()

    def add(self, redis: Redis, field: str, amount: int) -> None:
        with self.lock:
            if self.flusher_pid != os.getpid():
                self.counts = {}  # a forked child starts with its parent's unsent counts: not its own
                self.flusher_pid = os.getpid()
                threading.Thread(target=self._run, name="debrief-metrics-flush", daemon=True).start()
            fields = self.counts.setdefault(id(redis), (redis, {}))[1]
            fields[field] = fields.get(field, 0) + amount

    def _run(self) -> None:
        pid = os.getpid()
        while self.flusher_pid == pid:
            self.wake.wait(FLUSH_SECONDS)
            self.flush()

    def flush(self, redis: Redis | None = None) -> None:
        """Add what is pending (for ``redis`` only, when given) to Redis, one pipeline per Redis."""
        with self.lock:
            if self.flusher_pid != os.getpid():
                return
            if redis is None:
                taken, self.counts = list(self.counts.values()), {}
            else:
                entry = self.counts.pop(id(redis), None)
                taken = [entry] if entry else []
        for target, fields in taken:
            _write(lambda pipe, fields=fields: [pipe.hincrby(KEY, f, n) for f, n in fields.items()], target)


_PENDING = _Pending()
atexit.register(_PENDING.flush)


def flush(redis: Redis | None = None) -> None:
    """Write this process's pending counters now (for ``redis`` only, when given)."""
    _PENDING.flush(redis)


# The calls the rest of Debrief makes ----------------------------------------------------
def delivery(source: str, outcome: str, status: int, *, into: Redis | None = None) -> None:
    """One webhook delivery: ``outcome`` is accepted, duplicate, ignored or refused."""
    inc(DELIVERIES, source=source, outcome=outcome, status=status, into=into)


def rules_fired(rules: Iterable[str], *, into: Redis | None = None) -> None:
    for rule in rules:
        inc(TRIGGER_RULES, rule=rule, into=into)


def job(kind: str, result: str) -> None:
    """A job run ended: ``result`` is done, retried or parked."""
    inc(JOBS, kind=kind, result=result)


def atlassian_call(product: str, status: int | str, seconds: float) -> None:
    inc(ATLASSIAN_CALLS, product=product, status=status)
    observe(ATLASSIAN_LATENCY, seconds, product=product)


def postmortem(status: str) -> None:
    inc(POSTMORTEMS, status=status)


def postmortem_stage(stage: str, seconds_since_resolution: float) -> None:
    """``stage`` is draft, approval or archive; the time since the incident was resolved."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    observe(POSTMORTEM_STAGE, seconds_since_resolution, stage=stage)
