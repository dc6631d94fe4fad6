"""Redis keys of the action-item tickets: which page lists a ticket (so a Jira update of the
ticket reaches its page without asking Atlassian), and the per-page row claims that keep a
row from getting two tickets."""

from __future__ import annotations

from redis import Redis

from jobqueue.queue import PREFIX

TICKETS_KEY = f"{PREFIX}:action-items:tickets"  # hash: ticket key -> page id


def claims_key(page_id: str) -> str:
    """Hash: row id -> {"at": ISO time the creation was started, "key": ticket key or ""}."""
    return f"{PREFIX}:action-items:claims:{page_id}"


def page_of_ticket(redis: Redis, key: str) -> str | None:
    value = redis.hget(TICKETS_KEY, key)
    return value.decode() if isinstance(value, bytes) else value
