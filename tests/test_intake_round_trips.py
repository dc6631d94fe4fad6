"""The intake's cost, pinned. Redis round trips per delivery: a new incident costs two (one read, one atomic write),
a repeated delivery one, a delivery that is not an incident none. Counted on the app's own
connections (every ``send_packed_command`` is one round trip: a pipeline sends all its commands
at once); the metrics' background flush runs on its own thread and is counted apart. And the
quick payload check that spares valid bodies the schemas is never laxer than they are."""

from __future__ import annotations

import threading
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redis import Redis
from redis.connection import Connection

from config.environment import read_environment
from jobqueue.queue import QUEUE_NAME
from telemetry import metrics
from tests.helpers import payload
from tests.test_intake import SECRET, fixture_settings, post
from tests.test_intake_hostile import _COMMENT_PATHS, _PATHS, _VALUES, BASE, COMMENT, mutated
from webhooks import create_app, payloads

RESOLVED = "issue_updated.status_resolved.cloud.mattermost.json"


class Trips:
    def __init__(self) -> None:
        self.count = 0
        self.thread = threading.get_ident()


@pytest.fixture
def counted(redis_conn, redis_url):
    trips = Trips()

    class CountingConnection(Connection):
        def send_packed_command(self, command, check_health=True):
            if threading.get_ident() == trips.thread:
                trips.count += 1
            return super().send_packed_command(command, check_health)

    def app(**extra):
        env = read_environment({"REDIS_URL": redis_url, "JIRA_WEBHOOK_SECRET": SECRET})
        redis = Redis.from_url(redis_url, connection_class=CountingConnection)
        return create_app(fixture_settings(**extra), env, redis).test_client()

    return trips, app


def trips_for(trips: Trips, send) -> tuple[int, object]:
    before = trips.count
    response = send()
    return trips.count - before, response


def with_key(body: dict, key: str) -> dict:
    return {**body, "issue": {**body["issue"], "key": key}}


def test_a_new_incident_costs_one_read_and_one_write(counted, redis_conn):
    trips, app = counted
    client = app()
    body = payload(RESOLVED)
    post(client, with_key(body, "TES-1"), delivery="warm-up")  # loads the write script once per server
    n, response = trips_for(trips, lambda: post(client, with_key(body, "TES-2"), delivery="new-1"))
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["job"] == "draft-TES-2"
    assert n == 2
    assert b"TES-2" in redis_conn.smembers("debrief:wanted")
    assert b"draft-TES-2" in redis_conn.lrange(f"rq:queue:{QUEUE_NAME}", 0, -1)
    assert redis_conn.get("debrief:delivery:new-1") == b"draft-TES-2"


def test_a_repeated_delivery_costs_one_read(counted):
    trips, app = counted
    client = app()
    body = payload(RESOLVED)
    assert post(client, body, delivery="d-1").status_code == 202
    n, response = trips_for(trips, lambda: post(client, body, delivery="d-1"))
    assert response.status_code == 200 and response.get_json()["duplicate"] is True
    assert n == 1


def test_a_new_delivery_for_a_queued_job_costs_one_read_and_one_write(counted, redis_conn):
    trips, app = counted
    client = app()
    body = payload(RESOLVED)
    assert post(client, body, delivery="a-1").status_code == 202
    n, response = trips_for(trips, lambda: post(client, body, delivery="a-2"))
    assert response.status_code == 202 and response.get_json()["duplicate"] is True
    assert n == 2
    assert redis_conn.get("debrief:delivery:a-2") is not None


def test_a_delivery_that_is_not_an_incident_costs_none(counted):
    trips, app = counted
    client = app(**{"incidents.projects": ["INC"]})
    n, response = trips_for(trips, lambda: post(client, payload("issue_created.cloud.mattermost.json"),
                                                delivery="other-1"))
    assert response.status_code == 202 and "ignored" in response.get_json()
    assert n == 0


def test_delivery_counts_reach_redis_in_one_pipeline(counted, redis_conn, monkeypatch):
    trips, app = counted
    client = app()
    body = payload(RESOLVED)
    metrics.flush()
    # This process's counts go to a key of the test's own: a service process still running from
    # another test flushes its counts into the shared key whenever its timer says.
    monkeypatch.setattr(metrics, "KEY", f"{metrics.KEY}:test-{uuid.uuid4().hex}")

    def delivered() -> int:
        return sum(int(v) for k, v in redis_conn.hgetall(metrics.KEY).items() if b"deliveries" in k)

    try:
        for i in range(5):
            post(client, body, delivery=f"m-{i}")
        n, _ = trips_for(trips, metrics.flush)
        assert n <= 1  # the background thread may have sent them already
        assert delivered() == 5
    finally:
        redis_conn.delete(metrics.KEY)


# The cheap parse: a body it lets through is one the schemas load unchanged -----------------
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_quick_payload_check_is_never_laxer_than_the_schemas(data):
    comment = data.draw(st.booleans())
    body, paths = (COMMENT, _COMMENT_PATHS) if comment else (BASE, _PATHS)
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3)):
        try:
            body = mutated(path, data.draw(_VALUES), body)
        except (KeyError, TypeError):
            continue
    if payloads._admin_event_fine(body):
        payloads._ADMIN_EVENT.load(body)  # raises when the quick check let a bad body through
    issue = body.get("issue")
    if payloads._issue_fine(issue):
        payloads._ISSUE.load(issue)


def test_the_quick_payload_check_passes_real_deliveries():
    for name in (RESOLVED, "issue_created.cloud.mattermost.json", "comment_created.cloud.mattermost.json"):
        assert payloads._admin_event_fine(payload(name)), name
