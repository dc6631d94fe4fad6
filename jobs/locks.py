"""One worker at a time per incident."""

from __future__ import annotations

from contextlib import contextmanager

from redis import Redis

from connector.errors import TransientAtlassianError
from debrief.workqueue import PREFIX


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
        try:
            lock.release()
        except Exception:  # noqa: BLE001 - an expired lock is released by Redis already
            pass
