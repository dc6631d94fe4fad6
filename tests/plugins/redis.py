"""A real Redis for the suite: REDIS_URL, else 127.0.0.1:6379, else a private server.

Each test session claims a database of its own on that server: one no other run claims and
that holds no key when claimed (a developer's Redis may hold data of its own: such a database
is passed over, never emptied). ``DEBRIEF_TEST_REDIS_DB`` pins one, which must be empty too.
Everything in the claimed database was written by this session, so each test that asks for
Redis starts from it empty and leaves it empty.
"""

from __future__ import annotations

import os

import pytest
from redis import Redis

from sandbox.local_redis import NoFreeDatabase, NoRedis, claim_empty_database, ensure_redis

PINNED_DB = os.environ.get("DEBRIEF_TEST_REDIS_DB")


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
def redis_claim(redis_server):
    try:
        claim = claim_empty_database(redis_server.url, f"tests:{os.getpid()}",
                                     pinned=int(PINNED_DB) if PINNED_DB else None)
    except NoFreeDatabase as exc:
        pytest.exit(f"The suite needs an empty Redis database: {exc}", returncode=3)
    yield claim
    Redis.from_url(claim.url).flushdb()  # ours: empty when claimed, written only by this session
    claim.release()


@pytest.fixture(scope="session")
def redis_url(redis_claim):
    return redis_claim.url


@pytest.fixture
def redis_conn(redis_url):
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()
