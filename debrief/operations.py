"""``debrief jobs``: what an operator needs to see and replay parked work."""

from __future__ import annotations

import argparse
import os
import sys

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

from config.environment import redact_text, redact_url
from jobqueue.queue import QUEUE_NAME, WorkQueue


def jobs_command(args: argparse.Namespace, out=sys.stdout) -> int:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    work = WorkQueue(Redis.from_url(url, socket_connect_timeout=2))
    try:
        if args.jobs_command == "status":
            workers = Worker.all(connection=work.redis)
            print(f"queue {QUEUE_NAME}: {work.queue.count} waiting, "
                  f"{work.queue.started_job_registry.count} running, "
                  f"{work.queue.scheduled_job_registry.count} scheduled for retry, "
                  f"{work.queue.failed_job_registry.count} failed; {len(workers)} worker(s)", file=out)
            return 0
        if args.jobs_command == "failed":
            failed = work.failed_jobs()
            for job in failed:
                result = job.latest_result()
                last = ((result.exc_string if result else "") or "").strip().splitlines()
                print(f"{job.id}\t{job.description}\tfailed {job.ended_at:%Y-%m-%d %H:%M:%S}\t"
                      f"{last[-1] if last else ''}", file=out)
            print(f"{len(failed)} failed job(s)", file=out)
            return 0
        if args.jobs_command == "replay":
            ids = args.job_ids or [j.id for j in work.failed_jobs()]
            for job_id in ids:
                work.replay(job_id)
                print(f"requeued {job_id}", file=out)
            print(f"{len(ids)} job(s) requeued", file=out)
            return 0
    except RedisError as exc:
        print(f"debrief jobs: Redis at {redact_url(url)} is not answering: "
              f"{redact_text(str(exc))}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - e.g. an unknown job id: say so plainly
        print(f"debrief jobs: {redact_text(str(exc))}", file=sys.stderr)
        return 1
    return 2


def sweep_command(args: argparse.Namespace, out=sys.stdout) -> int:
    """``debrief sweep [--dry-run] [--at ISO]``: run the sweep once, print each step."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from jobs.sweep import run_sweep  # noqa: PLC0415

    now = datetime.now(UTC)
    if args.at:
        try:
            now = datetime.fromisoformat(args.at)
        except ValueError:
            print(f"debrief sweep: --at must be an ISO 8601 time such as 2026-11-25T09:00:00+09:00, "
                  f"got {args.at!r}", file=sys.stderr)
            return 2
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
    context = command_context("sweep")
    if context is None:
        return 1
    try:
        report = run_sweep(context, now, dry_run=args.dry_run)
    except RedisError as exc:
        print(f"debrief sweep: Redis is not answering: {redact_text(str(exc))}", file=sys.stderr)
        return 1
    for line in report.lines():
        print(line, file=out)
    return 1 if report.failed else 0


def command_context(command: str):
    """The job context for a one-off command (``debrief sweep``, ``debrief archive``), set up for
    this process; None, with the reason on stderr, when app.yaml or the environment is wrong."""
    from config.environment import EnvironmentProblem  # noqa: PLC0415
    from config.settings import ConfigError  # noqa: PLC0415
    from jobs.context import configure, from_environment  # noqa: PLC0415

    try:
        context = from_environment()
    except (ConfigError, EnvironmentProblem) as exc:
        print(f"debrief {command}: cannot start:\n{exc}", file=sys.stderr)
        return None
    configure(context)
    return context
