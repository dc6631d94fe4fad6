"""Whether a job RQ calls "started" is really being worked on.

A worker killed mid-job (kill -9, a lost machine) leaves its job ``started`` until RQ's own
registry cleanup notices the expired heartbeat, minutes later. Until then the job holds its
id, so a delivery for the same key would be absorbed by a job nobody runs. A started job is
orphaned when its worker is gone (its key expired), runs on this machine under a pid that no
longer exists, or has not sent a heartbeat for several monitoring intervals.
"""

from __future__ import annotations

import contextlib
import os
import socket
from datetime import UTC, datetime

from redis import Redis
from rq.utils import utcparse
from rq.worker import Worker

# How often a Debrief worker records a heartbeat for the job it runs (RQ's job_monitoring_interval).
HEARTBEAT_SECONDS = 10
# A started job whose last heartbeat is older than this is taken to be orphaned.
STALE_AFTER_SECONDS = 4 * HEARTBEAT_SECONDS


def _text(value) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def orphaned(redis: Redis, job_hash: dict, now: datetime | None = None) -> bool:
    """True when a ``started`` job (its raw Redis hash) has no live worker behind it."""
    now = now or datetime.now(UTC)
    name = _text(job_hash.get(b"worker_name") or job_hash.get("worker_name"))
    beat = _text(job_hash.get(b"last_heartbeat") or job_hash.get("last_heartbeat"))
    if beat:
        with contextlib.suppress(ValueError):
            last = utcparse(beat)
            if last.tzinfo is None:
                last = last.replace(tzinfo=UTC)
            if (now - last).total_seconds() > STALE_AFTER_SECONDS:
                return True
    if not name:
        return beat is None  # started but never claimed by a worker: nobody runs it
    worker = redis.hgetall(Worker.redis_worker_namespace_prefix + name)
    if not worker:
        return True
    host, pid = _text(worker.get(b"hostname")), _text(worker.get(b"pid"))
    if host == socket.gethostname() and pid and pid.isdigit():
        return not _pid_alive(int(pid))
    return False
