"""POST /webhooks/confluence: Data Center admin webhooks (signed), Cloud bodies (real captures)
and Confluence Automation bodies (token), against a real Redis."""

from __future__ import annotations

import json

import pytest
from rq import Queue

from config.environment import read_environment
from jobqueue.queue import QUEUE_NAME
from tests.helpers import FIXTURES
from tests.test_intake import TOKEN, fixture_settings
from webhooks import create_app
from webhooks.confluence_events import parse_confluence_event
from webhooks.payloads import PayloadError
from webhooks.signature import sign

CONF_SECRET = "confluence-secret-for-tests"


def confluence_body(name: str) -> dict:
    return json.loads((FIXTURES / "confluence" / name).read_text(encoding="utf-8"))


def make_app(redis_url, secret=CONF_SECRET, token=TOKEN, **env):
    from redis import Redis

    environment = read_environment({"REDIS_URL": redis_url, "CONFLUENCE_WEBHOOK_SECRET": secret or "",
                                    "DEBRIEF_AUTOMATION_TOKEN": token or "", **env})
    app = create_app(fixture_settings(), environment, Redis.from_url(redis_url))
    app.testing = True
    return app


@pytest.fixture
def client(redis_conn, redis_url):
    return make_app(redis_url).test_client()


def post(client, body, *, secret=CONF_SECRET, delivery=None, headers=None, query=""):
    data = json.dumps(body).encode()
    h = {"Content-Type": "application/json"}
    if secret:
        h["X-Hub-Signature"] = sign(data, secret)
    if delivery:
        h["X-Atlassian-Webhook-Identifier"] = delivery
    h.update(headers or {})
    return client.post(f"/webhooks/confluence{query}", data=data, headers=h)


def queued(redis_conn):
    return Queue(QUEUE_NAME, connection=redis_conn).get_job_ids()


def dc_body(event, **page):
    return {"event": event, "timestamp": 1788716539192, "userKey": "8a8b8c",
            "page": {"id": 98042, "title": "Postmortem INC-7", "spaceKey": "PM", "version": 3, **page}}


@pytest.mark.parametrize("event", ["page_created", "page_updated", "page_moved"])
def test_dc_page_events_queue_page_work(client, redis_conn, event):
    response = post(client, dc_body(event), delivery=f"d-{event}")
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["page"] == "98042" and body["event"] == event and body["job"] == "page-98042"
    assert queued(redis_conn) == ["page-98042"]


def test_cloud_bodies_from_real_captures(client, redis_conn):
    answers = {name: post(client, confluence_body(name)).get_json()
               for name in ("page_updated.cloud.crewlet.json", "comment_created.cloud.crewlet.json",
                            "comment_reply_created.cloud.crewlet.json")}
    assert answers["page_updated.cloud.crewlet.json"]["event"] == "page_updated"  # version 2
    assert answers["comment_created.cloud.crewlet.json"]["event"] == "comment_created"  # version 1
    assert {a["page"] for a in answers.values()} == {"10000001"}  # a reply finds its page up the chain
    assert queued(redis_conn) == ["page-10000001"]  # one pending job absorbs the rest
    assert [a["duplicate"] for a in answers.values()] == [False, True, True]


def test_event_named_in_the_url_wins_over_the_shape(client, redis_conn):
    body = confluence_body("page_updated.cloud.crewlet.json")
    assert post(client, body, query="?event=page_moved").get_json()["event"] == "page_moved"


def test_comment_events_name_the_comment_page(client, redis_conn):
    body = {"event": "comment_updated", "comment": {"id": "777", "contentType": "comment",
                                                    "container": {"id": "98042", "type": "page"}}}
    response = post(client, body)
    assert response.status_code == 202 and response.get_json()["page"] == "98042"


def test_repeated_delivery_is_200(client, redis_conn):
    first = post(client, dc_body("page_updated"), delivery="same")
    again = post(client, dc_body("page_updated"), delivery="same")
    assert first.status_code == 202 and again.status_code == 200 and again.get_json()["duplicate"] is True


def test_events_debrief_does_not_act_on_are_ignored(client, redis_conn):
    response = post(client, {"event": "space_created", "space": {"key": "X"}})
    assert response.status_code == 202 and "ignored" in response.get_json()
    assert queued(redis_conn) == []


def test_automation_body_with_token(client, redis_conn):
    body = {"event": "page_updated", "page": {"id": "98042"}}
    response = post(client, body, secret=None, headers={"X-Debrief-Token": TOKEN})
    assert response.status_code == 202 and response.get_json()["job"] == "page-98042"


@pytest.mark.parametrize(("secret", "headers"), [(None, {}), ("other", {}), (None, {"X-Debrief-Token": "nope"})],
                         ids=["unsigned", "wrong-signature", "wrong-token"])
def test_unauthenticated_is_401_and_queues_nothing(client, redis_conn, secret, headers):
    response = post(client, dc_body("page_updated"), secret=secret, headers=headers)
    assert response.status_code == 401 and queued(redis_conn) == []


def test_signed_with_the_jira_secret_is_refused(redis_conn, redis_url):
    app = make_app(redis_url, secret=None, JIRA_WEBHOOK_SECRET="jira-only")
    response = post(app.test_client(), dc_body("page_updated"), secret="jira-only")
    assert response.status_code == 401
    assert "CONFLUENCE_WEBHOOK_SECRET" in response.get_json()["detail"]


def test_unsigned_only_when_allowed(redis_conn, redis_url):
    app = make_app(redis_url, secret=None, DEBRIEF_ALLOW_UNSIGNED="1")
    assert post(app.test_client(), dc_body("page_updated"), secret=None).status_code == 202


@pytest.mark.parametrize("body", [
    [1], {"page": 5}, {"page": {"id": "not-digits"}}, {"event": "page_updated", "page": {"id": True}},
    {"comment": {"id": "1"}}, {"event": "x\ny", "page": {"id": "1"}}, {"comment": "x"},
])
def test_malformed_bodies_are_422(client, redis_conn, body):
    response = post(client, body)
    assert response.status_code == 422, response.get_json()
    assert queued(redis_conn) == []


def test_parse_is_pure_and_takes_number_or_string_ids():
    assert parse_confluence_event({"page": {"id": 42, "version": 1}}).name == "page_created"
    assert parse_confluence_event({"page": {"idAsString": "42"}}, "page_moved").page_id == "42"
    with pytest.raises(PayloadError):
        parse_confluence_event({"page": {"id": -1}})
