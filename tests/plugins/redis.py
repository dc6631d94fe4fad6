"""A real Redis for the suite: REDIS_URL, else 127.0.0.1:6379, else a private server.

Each test session claims a database of its own on that server (``DEBRIEF_TEST_REDIS_DB``
pins one), so two suites on one machine never share queues, and empties it before and after
each test that asks for Redis.
"""

from __future__ import annotations

import os

import pytest
from redis import Redis

from sandbox.local_redis import NoRedis, ensure_redis

PINNED_DB = os.environ.get("DEBRIEF_TEST_REDIS_DB")
CLAIM_SECONDS = 3600


def _claim_database(server_url: str) -> tuple[int, Redis | None]:
    """The highest free database from 15 down to 1; the claim is a key in database 0."""
    if PINNED_DB:
        return int(PINNED_DB), None
    base = Redis.from_url(server_url.rsplit("/", 1)[0] + "/0")
    for db in range(15, 0, -1):
        if base.set(f"debrief-tests:db:{db}", os.getpid(), nx=True, ex=CLAIM_SECONDS):
            return db, base
    pytest.exit("every Redis database 1-15 is claimed by other test runs (debrief-tests:db:* keys)", returncode=3)


@pytest.fixture(scope="session")
def redis_server():
    try:
        handle = ensure_redis()
    except NoRedis as exc:
        pytest.exit(f"The suite needs a real Redis server: {exc}", returncode=3)
    print(f"\n[tests] Redis: {handle.how}")
    yield handle
    handle.stop()


@pytest.fixture(scope="session")
def redis_url(redis_server):
    db, claim = _claim_database(redis_server.url)
    yield f"{redis_server.url.rsplit('/', 1)[0]}/{db}"
    if claim is not None:
        claim.delete(f"debrief-tests:db:{db}")
        claim.close()


@pytest.fixture
def redis_conn(redis_url):
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()
