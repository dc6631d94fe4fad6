"""``make test`` and ``make bench`` never empty a Redis database holding keys they did not
write: they claim only a database that is empty under the claim. Runs against a private
redis-server started for this module, so filling its databases harms no one."""

from __future__ import annotations

import pytest
from redis import Redis

from sandbox.local_redis import NoFreeDatabase, claim_empty_database, start_private


@pytest.fixture(scope="module")
def private_server():
    handle = start_private()
    yield handle.url
    handle.stop()


@pytest.fixture
def server(private_server):
    for db in range(16):
        Redis.from_url(private_server.rsplit("/", 1)[0] + f"/{db}").flushdb()
    return private_server


def db_conn(server: str, db: int) -> Redis:
    return Redis.from_url(server.rsplit("/", 1)[0] + f"/{db}")


def test_a_database_holding_someone_elses_keys_is_passed_over(server):
    db_conn(server, 15).set("their:data", "precious")
    db_conn(server, 14).set("more:data", "precious")
    with claim_empty_database(server, "run-a") as claim:
        assert claim.db == 13 and claim.url.endswith("/13")
        assert db_conn(server, 13).dbsize() == 0
    assert db_conn(server, 15).get("their:data") == b"precious"
    assert db_conn(server, 14).get("more:data") == b"precious"


def test_two_runs_claim_different_databases_and_release_them(server):
    a = claim_empty_database(server, "run-a")
    b = claim_empty_database(server, "run-b")
    assert (a.db, b.db) == (15, 14)
    a.release()
    assert claim_empty_database(server, "run-c").db == 15
    b.release()


def test_release_keeps_a_claim_that_is_no_longer_ours(server):
    a = claim_empty_database(server, "run-a", seconds=60)
    db_conn(server, 0).set(f"debrief-tests:db:{a.db}", "run-z")  # expired and taken meanwhile
    a.release()
    assert db_conn(server, 0).get(f"debrief-tests:db:{a.db}") == b"run-z"


def test_a_pinned_database_must_be_empty(server):
    db_conn(server, 9).set("their:data", "x")
    with pytest.raises(NoFreeDatabase, match="9: holds 1 key"):
        claim_empty_database(server, "run-a", pinned=9)
    assert db_conn(server, 0).get("debrief-tests:db:9") is None  # the failed claim is withdrawn
    with claim_empty_database(server, "run-a", pinned=8) as claim:
        assert claim.db == 8


def test_no_empty_database_is_a_clear_error(server):
    for db in range(1, 16):
        db_conn(server, db).set("k", "v")
    with pytest.raises(NoFreeDatabase) as caught:
        claim_empty_database(server, "run-a")
    message = str(caught.value)
    assert "no empty, unclaimed Redis database" in message and "15: holds 1 key(s)" in message
    assert all(db_conn(server, db).dbsize() == 1 for db in range(1, 16))
