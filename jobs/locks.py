"""One worker at a time per incident."""

from __future__ import annotations

from contextlib import contextmanager, suppress

from redis import Redis
from redis.exceptions import LockError

from connector.errors import TransientAtlassianError
from jobqueue.queue import PREFIX


@contextmanager
def incident_lock(redis: Redis, incident_key: str, *, timeout: int = 300, wait: float = 120):
    """Hold ``debrief:lock:<key>`` while working on an incident; give up (retry later) after ``wait``."""
    lock = redis.lock(f"{PREFIX}:lock:{incident_key}", timeout=timeout, blocking_timeout=wait)
    if not lock.acquire():
        raise TransientAtlassianError(f"{incident_key} is being worked on by another worker; retrying later",
                                      operation="lock")
    try:
        yield
    finally:
        with suppress(LockError):  # an expired lock was released by Redis already
            lock.release()
