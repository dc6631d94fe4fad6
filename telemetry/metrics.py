"""Every metric Debrief exposes at ``/metrics``, defined once, and the calls that record them.

Where the numbers live: in Redis, not in process memory. Debrief runs as several gunicorn
workers and several RQ workers (each job in a forked work horse), often on more than one
host; all of them share one Redis, so each event is one HINCRBY there (hash
``debrief:metrics``) and ``/metrics`` reads the sums back (telemetry/exposition.py). This
needs no PROMETHEUS_MULTIPROC_DIR, survives restarts (counters stay monotonic) and sees the
workers of every host. A recording call never fails its caller: without a configured Redis,
or when Redis does not answer, the event is dropped (logged at debug level).

Nothing secret or personal reaches a metric: label values are fixed words, HTTP statuses or
job kinds, checked against ``_LABEL_VALUE``; anything else is recorded as ``other``.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger("debrief.telemetry")

KEY = "debrief:metrics"
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
    values = [label_value(labels[name]) for name in metric.labels]
    return json.dumps([metric.name + suffix, *values], separators=(",", ":"))


def inc(metric: Metric, amount: int = 1, *, into: Redis | None = None, **labels: object) -> None:
    """Add ``amount`` to a counter, in ``into`` or else the configured Redis."""
    if metric.kind != "counter":
        raise TypeError(f"{metric.name} is a {metric.kind}")
    field = _field(metric, labels)
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
