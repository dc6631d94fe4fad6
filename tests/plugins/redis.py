"""A real Redis for the suite: REDIS_URL, else 127.0.0.1:6379, else a private server.

Tests use database 13 of that server (``DEBRIEF_TEST_REDIS_DB`` changes it) and empty it
before and after each test that asks for Redis.
"""

from __future__ import annotations

import os

import pytest
from redis import Redis

from debrief.local_redis import NoRedis, ensure_redis

TEST_DB = int(os.environ.get("DEBRIEF_TEST_REDIS_DB", "13"))


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
def redis_url(redis_server) -> str:
    base = redis_server.url.rsplit("/", 1)[0]
    return f"{base}/{TEST_DB}"


@pytest.fixture
def redis_conn(redis_url):
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()
