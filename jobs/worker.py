"""``debrief worker``: a real RQ worker on Debrief's queue, with RQ's scheduler for retries,
scheduled jobs and the periodic sweep.

On top of RQ's own maintenance (every ``MAINTENANCE_SECONDS``) the worker takes over jobs
whose worker died mid-job (kill -9, a lost machine) and keeps the next sweep scheduled. It
records a job heartbeat every ``HEARTBEAT_SECONDS``, so a dead job is recognised quickly.
"""

from __future__ import annotations

import logging
import sys
import time
from datetime import UTC, datetime

from rq import Queue, Worker
from rq.exceptions import StopRequested

from config.environment import EnvironmentProblem, redact_url
from config.settings import ConfigError
from debrief.logs import configure_logging
from jobqueue.liveness import HEARTBEAT_SECONDS
from jobqueue.queue import QUEUE_NAME, WorkQueue
from jobs.context import JobContext, configure, from_environment
from jobs.sweep import schedule_sweeps
from telemetry import metrics as telemetry

log = logging.getLogger("debrief.worker")
MAINTENANCE_SECONDS = 30
# RQ waits for a job this long per blocking read (worker_ttl - 15): maintenance runs in between.
WORKER_TTL = MAINTENANCE_SECONDS + 15


class DebriefWorker(Worker):
    debrief: JobContext | None = None
    schedules_sweeps = True

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        if self.debrief is None:
            return
        work = self.debrief.work
        try:
            for job_id in work.take_over_orphans():
                log.warning("took over %s: its worker is gone", job_id, extra={"job": job_id})
            if self.schedules_sweeps:
                schedule_sweeps(work, datetime.now(UTC), self.debrief.settings.sweep.every_seconds)
        except StopRequested:  # SIGTERM/SIGINT during maintenance: RQ's own way of stopping
            raise
        except Exception:  # noqa: BLE001 - maintenance must never stop the worker
            log.exception("worker maintenance failed")


def build_worker(context: JobContext, *, name: str | None = None, burst: bool = False) -> DebriefWorker:
    queue = Queue(QUEUE_NAME, connection=context.redis)
    worker = DebriefWorker([queue], connection=context.redis, name=name, worker_ttl=WORKER_TTL,
                           maintenance_interval=MAINTENANCE_SECONDS, job_monitoring_interval=HEARTBEAT_SECONDS)
    worker.debrief = context
    worker.schedules_sweeps = not burst  # a burst run takes what is queued and leaves
    return worker


def preload_korean() -> None:
    """Korean teams: load the Korean analyser in the worker itself, once, so that each review
    job (a forked work horse) shares it rather than spending about a second loading it."""
    started = time.monotonic()
    from postmortem.wording import korean  # noqa: PLC0415

    korean.warm()
    log.info("Korean analyser loaded in %.1f s", time.monotonic() - started)


def run_worker(*, burst: bool = False, name: str | None = None) -> int:
    try:
        context = from_environment()
    except (ConfigError, EnvironmentProblem) as exc:
        print(f"debrief worker: cannot start:\n{exc}", file=sys.stderr)
        return 1
    configure_logging(context.env.log_format)
    configure(context)
    telemetry.configure(context.redis)  # jobs and Atlassian calls count into Redis (/metrics)
    if context.settings.language == "ko" and not burst:
        preload_korean()
    worker = build_worker(context, name=name, burst=burst)
    print(f"Debrief worker {worker.name} on queue {QUEUE_NAME} ({redact_url(context.env.redis_url)})", flush=True)
    worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
    return 0


__all__ = ["DebriefWorker", "WorkQueue", "build_worker", "run_worker"]
