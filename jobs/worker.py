"""``debrief worker``: a real RQ worker on Debrief's queue, with RQ's scheduler for retries."""

from __future__ import annotations

import logging
import sys

from rq import Queue, Worker

from config.environment import EnvironmentProblem
from config.settings import ConfigError
from debrief.logs import configure_logging
from jobqueue.queue import QUEUE_NAME
from jobs.context import configure, from_environment

log = logging.getLogger("debrief.worker")


def run_worker(*, burst: bool = False, name: str | None = None) -> int:
    try:
        context = from_environment()
    except (ConfigError, EnvironmentProblem) as exc:
        print(f"debrief worker: cannot start:\n{exc}", file=sys.stderr)
        return 1
    configure_logging(context.env.log_format)
    configure(context)
    queue = Queue(QUEUE_NAME, connection=context.redis)
    worker = Worker([queue], connection=context.redis, name=name)
    print(f"Debrief worker {worker.name} on queue {QUEUE_NAME} ({context.env.redis_url})", flush=True)
    worker.work(with_scheduler=True, burst=burst, logging_level="INFO")
    return 0
