"""One worker at a time per incident, and per page."""

from __future__ import annotations

from contextlib import contextmanager, suppress

from redis import Redis
from redis.exceptions import LockError

from connector.errors import TransientAtlassianError
from jobqueue.queue import PREFIX


@contextmanager
def held(redis: Redis, name: str, what: str, *, timeout: int, wait: float):
    """Hold the Redis lock ``debrief:lock:<name>``; give up (the job is retried later) after ``wait``."""
    lock = redis.lock(f"{PREFIX}:lock:{name}", timeout=timeout, blocking_timeout=wait)
    if not lock.acquire():
        raise TransientAtlassianError(f"{what} is being worked on by another worker; retrying later",
                                      operation="lock")
    try:
        yield
    finally:
        with suppress(LockError):  # an expired lock was released by Redis already
            lock.release()


def incident_lock(redis: Redis, incident_key: str, *, timeout: int = 300, wait: float = 120):
    """While working on an incident (its draft and refresh)."""
    return held(redis, incident_key, incident_key, timeout=timeout, wait=wait)


def page_lock(redis: Redis, page_id: str, *, timeout: int = 300, wait: float = 60):
    """While working on a page (its action items, review and archive)."""
    return held(redis, f"page:{page_id}", f"page {page_id}", timeout=timeout, wait=wait)
