"""RQ entry points: thin wrappers that build the context and the clock for a job's logic.

A job's logic is ``def draft(ctx: JobContext, now: datetime, *args)``: testable without a
worker and without ``datetime.now``. ``entry_point(logic)`` is what RQ runs (named in
jobqueue/kinds.py): it passes the process's JobContext and the time, and decides how a
failure leaves the job:

- a 4xx, bad incident data or a broken template: parked at once in the failed registry;
- a Retry-After longer than the in-job back-off: the job is scheduled for then through RQ's
  scheduler, without blocking the worker and without using up a retry;
- anything else transient: RQ's retries (jobqueue/kinds.py BACKOFF).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime

from rq import get_current_job

from connector.errors import TransientAtlassianError
from connector.retry import RetryPolicy
from jobs.context import job_context
from jobs.failures import PERMANENT
from telemetry import metrics as telemetry

log = logging.getLogger("debrief.jobs")
# Waits longer than the in-job back-off allows are handed to the scheduler.
LONG_WAIT = RetryPolicy().max_delay


def _after_failure(job) -> str:
    """What RQ does with a job that raised: retries it while it has retries left, else parks it."""
    return "retried" if job is not None and (job.retries_left or 0) > 0 else "parked"


def _restore_backoff(job) -> None:
    """A run after a long Retry-After goes back to the kind's own back-off intervals."""
    saved = job.meta.pop("backoff", None)
    if saved is not None:
        job.retry_intervals = saved
        job.save()


def _park_until(job, wait: float, exc: Exception) -> None:
    """Have RQ schedule this job ``wait`` seconds from now, leaving its retry budget as it was."""
    job.meta.setdefault("backoff", job.retry_intervals)
    job.meta["waits"] = job.meta.get("waits", 0) + 1
    job.retries_left = job.retries_left + 1  # RQ takes one off as it schedules the retry
    job.retry_intervals = [max(1, math.ceil(wait))]
    job.save_meta()
    log.warning("%s: Atlassian asks to wait %.0fs; scheduled for then: %s", job.id, wait, exc,
                extra={"job": job.id})


def entry_point(logic: Callable) -> Callable:
    @functools.wraps(logic)
    def run(*args, **kwargs):
        job = get_current_job()
        if job is not None:
            _restore_backoff(job)
        ctx = job_context()
        try:
            result = logic(ctx, datetime.now(UTC), *args, **kwargs)
        except PERMANENT as exc:
            if job is not None:
                job.retries_left = 0
            log.error("%s failed and is parked for replay: %s", logic.__name__, exc,
                      extra={"job": job.id if job else None})
            telemetry.job(logic.__name__, "parked")
            raise
        except TransientAtlassianError as exc:
            if job is not None and job.retries_left is not None and (exc.retry_after or 0) > LONG_WAIT:
                _park_until(job, exc.retry_after, exc)
            telemetry.job(logic.__name__, _after_failure(job))
            raise
        except Exception:
            telemetry.job(logic.__name__, _after_failure(job))
            raise
        telemetry.job(logic.__name__, "done")
        return result

    run.logic = logic
    return run
