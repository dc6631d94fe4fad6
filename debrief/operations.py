"""``debrief jobs``: what an operator needs to see and replay parked work."""

from __future__ import annotations

import argparse
import os
import sys

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

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
        print(f"debrief jobs: Redis at {url} is not answering: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - e.g. an unknown job id: say so plainly
        print(f"debrief jobs: {exc}", file=sys.stderr)
        return 1
    return 2
