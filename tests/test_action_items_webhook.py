"""A Jira update of an action-item ticket queues its page's job (beside the incident handler)."""

from __future__ import annotations

import json

from redis import Redis
from rq import Queue

from config.environment import read_environment
from config.settings import load_settings
from jobqueue.queue import QUEUE_NAME
from jobqueue.tickets import TICKETS_KEY
from tests.helpers import ROOT
from webhooks import create_app
from webhooks.signature import sign

SECRET = "s3cret-for-tests"


def ticket_event(key: str, project: str = "ACT", labels=()) -> dict:
    return {"timestamp": 1764590000000, "webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_generic",
            "issue": {"id": "10050", "key": key, "fields": {
                "summary": "Add a canary stage", "project": {"key": project, "name": "Action items"},
                "issuetype": {"name": "Task"}, "labels": list(labels),
                "status": {"name": "Done", "statusCategory": {"key": "done"}}}},
            "changelog": {"items": [{"field": "status", "fromString": "To Do", "toString": "Done"}]}}


def post(client, body: dict, delivery: str):
    data = json.dumps(body).encode()
    return client.post("/webhooks/jira", data=data, headers={
        "Content-Type": "application/json", "X-Hub-Signature": sign(data, SECRET),
        "X-Atlassian-Webhook-Identifier": delivery})


def client_for(redis_url):
    env = read_environment({"REDIS_URL": redis_url, "JIRA_WEBHOOK_SECRET": SECRET})
    app = create_app(load_settings(ROOT / "app.yaml"), env, Redis.from_url(redis_url))
    app.testing = True
    return app.test_client()


def handled(response) -> dict:
    body = response.get_json()
    return next(h for h in body.get("handled", [body]) if h.get("handler", "").endswith("ticket_updated")
                or "ticket" in h)


def test_an_update_of_a_ticket_queues_the_page_that_lists_it(redis_conn, redis_url):
    redis_conn.hset(TICKETS_KEY, "ACT-7", "98001")
    response = post(client_for(redis_url), ticket_event("ACT-7"), "d-1")
    assert response.status_code == 202, response.get_json()
    assert handled(response)["page"] == "98001"
    assert Queue(QUEUE_NAME, connection=redis_conn).get_job_ids() == ["page-98001"]


def test_a_ticket_not_recorded_is_found_by_its_incident_label(redis_conn, redis_url):
    redis_conn.hset("debrief:postmortems", "INC-3", "98002")
    response = post(client_for(redis_url), ticket_event("ACT-8", labels=["postmortem", "INC-3", "debrief"]), "d-2")
    assert handled(response)["page"] == "98002"
    assert Queue(QUEUE_NAME, connection=redis_conn).get_job_ids() == ["page-98002"]


def test_other_projects_and_unknown_tickets_queue_nothing(redis_conn, redis_url):
    client = client_for(redis_url)
    for delivery, event in (("d-3", ticket_event("OPS-1", project="OPS")), ("d-4", ticket_event("ACT-99"))):
        assert post(client, event, delivery).status_code == 202
    assert Queue(QUEUE_NAME, connection=redis_conn).get_job_ids() == []
