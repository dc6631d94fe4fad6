"""POST /webhooks/jira with real Jira bodies, against a real Redis."""

from __future__ import annotations

import json
import threading

import pytest
from redis import Redis
from rq import Queue

from config.environment import EnvironmentProblem, read_environment
from jobqueue.queue import QUEUE_NAME
from tests.helpers import FIXTURES, payload, settings_with
from webhooks import create_app
from webhooks.signature import sign

PROJECTS = ["TES", "KT", "PRJX", "PRJA", "HEY", "IDT"]
SECRET = "s3cret-for-tests"
TOKEN = "automation-token-for-tests"


def fixture_settings(**extra):
    return settings_with(**{"incidents.projects": PROJECTS, "incidents.issue_types": [],
                            "incidents.fields": {"severity": "priority", "started": None, "detected": None,
                                                 "mitigated": None, "resolved": "resolutiondate",
                                                 "service": "components", "detection_method": None,
                                                 "impact": None},
                            **extra})


def make_app(redis_url, secret=SECRET, token=TOKEN, *, env_extra=None, **extra):
    env = read_environment({"REDIS_URL": redis_url, "JIRA_WEBHOOK_SECRET": secret or "",
                            "DEBRIEF_AUTOMATION_TOKEN": token or "", **(env_extra or {})})
    app = create_app(fixture_settings(**extra), env, Redis.from_url(redis_url))
    app.testing = True
    return app


@pytest.fixture
def app(redis_conn, redis_url):
    return make_app(redis_url)


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, body, *, secret=SECRET, delivery=None, headers=None, raw=None, content_type="application/json"):
    data = raw if raw is not None else json.dumps(body).encode()
    h = {"Content-Type": content_type}
    if secret:
        h["X-Hub-Signature"] = sign(data, secret)
    if delivery:
        h["X-Atlassian-Webhook-Identifier"] = delivery
    h.update(headers or {})
    return client.post("/webhooks/jira", data=data, headers=h)


def queued_ids(redis_conn) -> list[str]:
    return Queue(QUEUE_NAME, connection=redis_conn).get_job_ids()


EXPECTED = {
    "comment_created.cloud.mattermost.json": (202, "decision"),
    "comment_created.datacenter.mattermost.json": (202, "ignored"),
    "comment_deleted.cloud.mattermost.json": (202, "ignored"),
    "comment_updated.server.mattermost.json": (202, "ignored"),
    "issue_deleted.no_type-cloud.mattermost.json": (202, "ignored"),
    "version_released.cloud.putit.json": (202, "ignored"),
}


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "jira").glob("*.json")))
def test_every_real_body_is_answered(client, redis_conn, name):
    status, key = EXPECTED.get(name, (202, "decision"))
    response = post(client, payload(name), delivery=f"d-{name}")
    assert response.status_code == status, response.get_json()
    assert key in response.get_json()


def test_high_priority_incident_queues_one_draft(client, redis_conn):
    response = post(client, payload("issue_updated.status_resolved.cloud.mattermost.json"), delivery="d1")
    body = response.get_json()
    assert response.status_code == 202
    assert body["incident"] == "TES-41"
    assert body["decision"]["postmortem"] is True
    assert "severity SEV-2 >= SEV-2" in body["decision"]["reasons"]
    assert body["job"] == "draft-TES-41" and body["action"] == "draft" and not body["duplicate"]
    assert queued_ids(redis_conn) == ["draft-TES-41"]


def test_medium_incident_queues_nothing(client, redis_conn):
    body = post(client, payload("issue_created.cloud.mattermost.json"), delivery="d2").get_json()
    assert body["incident"] == "KT-22" and body["decision"]["postmortem"] is False and body["job"] is None
    assert queued_ids(redis_conn) == []


def test_not_an_incident_project_is_ignored(redis_conn, redis_url):
    app = make_app(redis_url, **{"incidents.projects": ["INC"]})
    body = post(app.test_client(), payload("issue_created.cloud.mattermost.json")).get_json()
    assert body == {"ignored": "KT-22 is not an incident (project KT, type Task)"}


def test_comment_postmortem_command_fires_explicit_request(client, redis_conn):
    body = payload("issue_created.cloud.mattermost.json")
    body["webhookEvent"] = "comment_created"
    body["comment"] = {"id": "1", "body": "/postmortem please", "self": "https://x/rest/api/2/issue/1/comment/1"}
    result = post(client, body).get_json()
    assert "comment /postmortem" in result["decision"]["reasons"]
    assert result["job"] == "draft-KT-22"


def test_dc_comment_with_command_queues_a_fetch(client, redis_conn):
    body = payload("comment_created.datacenter.mattermost.json")
    body["comment"]["body"] = "/postmortem"
    result = post(client, body).get_json()
    assert result["action"] == "consider" and result["issue"] == "10013"
    assert queued_ids(redis_conn) == ["consider-10013"]


# Trust ---------------------------------------------------------------------------------
def test_missing_signature_is_401_and_nothing_queued(client, redis_conn):
    response = post(client, payload("issue_updated.status_resolved.cloud.mattermost.json"), secret=None)
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert "missing X-Hub-Signature" in response.get_json()["detail"]
    assert queued_ids(redis_conn) == []


def test_wrong_signature_is_401(client, redis_conn):
    response = post(client, payload("issue_updated.status_resolved.cloud.mattermost.json"), secret="other")
    assert response.status_code == 401 and queued_ids(redis_conn) == []


def test_signature_checked_before_json(client):
    response = post(client, None, raw=b"{not json", secret="other")
    assert response.status_code == 401


def test_uppercase_hex_signature_accepted(client):
    data = json.dumps(payload("issue_created.cloud.mattermost.json")).encode()
    signature = "sha256=" + sign(data, SECRET).split("=", 1)[1].upper()
    response = client.post("/webhooks/jira", data=data, headers={"Content-Type": "application/json",
                                                                  "X-Hub-Signature": signature})
    assert response.status_code == 202


@pytest.mark.parametrize("token", [None, TOKEN], ids=["nothing-set", "token-only"])
def test_unsigned_refused_when_no_secret_configured(redis_conn, redis_url, token):
    app = make_app(redis_url, secret=None, token=token)
    response = post(app.test_client(), payload("issue_updated.status_resolved.cloud.mattermost.json"), secret=None)
    assert response.status_code == 401
    assert "DEBRIEF_ALLOW_UNSIGNED=1" in response.get_json()["detail"]
    assert queued_ids(redis_conn) == []


def test_nothing_configured_is_not_ready(redis_conn, redis_url):
    ready = make_app(redis_url, secret=None, token=None).test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["checks"]["intake"]["ok"] is False
    assert "every delivery is refused" in ready.get_json()["checks"]["intake"]["detail"]


def test_unsigned_accepted_only_when_allowed_and_shown(redis_conn, redis_url, caplog):
    with caplog.at_level("WARNING", logger="debrief.web"):
        app = make_app(redis_url, secret=None, token=None, env_extra={"DEBRIEF_ALLOW_UNSIGNED": "1"})
    assert any("DEBRIEF_ALLOW_UNSIGNED=1" in r.getMessage() for r in caplog.records)
    response = post(app.test_client(), payload("issue_created.cloud.mattermost.json"), secret=None)
    assert response.status_code == 202
    ready = app.test_client().get("/readyz").get_json()
    assert ready["status"] == "ready"
    assert ready["checks"]["intake"]["jira"] == "unsigned accepted"
    assert "DEBRIEF_ALLOW_UNSIGNED=1" in ready["checks"]["intake"]["warning"]


def test_allow_unsigned_does_not_waive_a_configured_secret(redis_conn, redis_url):
    app = make_app(redis_url, env_extra={"DEBRIEF_ALLOW_UNSIGNED": "1"})
    response = post(app.test_client(), payload("issue_created.cloud.mattermost.json"), secret=None)
    assert response.status_code == 401


def test_allow_unsigned_must_be_a_flag():
    with pytest.raises(EnvironmentProblem, match="DEBRIEF_ALLOW_UNSIGNED"):
        read_environment({"DEBRIEF_ALLOW_UNSIGNED": "maybe"})


@pytest.mark.parametrize("wrap", [False, True], ids=["automation-format", "jira-format"])
def test_automation_bodies_with_token(client, redis_conn, wrap):
    issue = payload("issue_updated.status_resolved.cloud.mattermost.json")["issue"]
    body = {"issue": issue} if wrap else issue
    response = post(client, body, secret=None, headers={"X-Debrief-Token": TOKEN})
    assert response.status_code == 202
    assert response.get_json()["job"] == "draft-TES-41"


def test_automation_wrong_token(client, redis_conn):
    issue = payload("issue_updated.status_resolved.cloud.mattermost.json")["issue"]
    response = post(client, issue, secret=None, headers={"X-Debrief-Token": "nope"})
    assert response.status_code == 401 and queued_ids(redis_conn) == []


def test_automation_token_not_configured(redis_conn, redis_url):
    app = make_app(redis_url, token=None)
    response = post(app.test_client(), {"key": "TES-1"}, secret=None, headers={"X-Debrief-Token": "x"})
    assert response.status_code == 401
    assert "DEBRIEF_AUTOMATION_TOKEN is not set" in response.get_json()["detail"]


# Duplicates and races ------------------------------------------------------------------
def test_duplicate_delivery_answered_200_and_not_queued_twice(client, redis_conn):
    body = payload("issue_updated.status_resolved.cloud.mattermost.json")
    first = post(client, body, delivery="same-id")
    second = post(client, body, delivery="same-id")
    assert first.status_code == 202
    assert second.status_code == 200 and second.get_json()["duplicate"] is True
    assert queued_ids(redis_conn) == ["draft-TES-41"]
    assert redis_conn.ttl("debrief:delivery:same-id") > 24 * 3600


def test_different_deliveries_for_one_incident_make_one_draft_job(client, redis_conn):
    body = payload("issue_updated.status_resolved.cloud.mattermost.json")
    answers = [post(client, body, delivery=f"d{i}").get_json() for i in range(3)]
    assert [a["duplicate"] for a in answers] == [False, True, True]
    assert queued_ids(redis_conn) == ["draft-TES-41"]


def test_racing_deliveries_from_threads_make_one_job(redis_conn, redis_url):
    body = payload("issue_updated.status_resolved.cloud.mattermost.json")
    barrier = threading.Barrier(8)
    results: list[int] = []

    def deliver(i: int) -> None:
        client = make_app(redis_url).test_client()
        barrier.wait()
        results.append(post(client, body, delivery=f"race-{i % 4}").status_code)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count(200) == 4  # each delivery id twice: one is a duplicate
    assert queued_ids(redis_conn) == ["draft-TES-41"]


def test_existing_postmortem_gets_an_update_job(client, redis_conn, app):
    app.extensions["debrief"].work.record_postmortem("KT-22", "98001")
    body = post(client, payload("issue_created.cloud.mattermost.json")).get_json()
    assert body["action"] == "refresh" and body["job"] == "refresh-KT-22"


# Redis down ----------------------------------------------------------------------------
def test_redis_down_is_503_so_jira_retries():
    dead = "redis://127.0.0.1:1/0"
    app = make_app(dead)
    response = post(app.test_client(), payload("issue_updated.status_resolved.cloud.mattermost.json"),
                    delivery="d-dead")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json()["error"] == "service_unavailable"
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["redis"]["ok"] is False


# Bad input -----------------------------------------------------------------------------
def test_non_json_is_400(client):
    response = post(client, None, raw=b"{not json")
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"


def test_wrong_content_type_is_415(client):
    response = post(client, None, raw=b"a=b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415


def test_body_over_limit_is_413(redis_conn, redis_url):
    app = make_app(redis_url, **{"intake.max_body_kib": 1})
    response = post(app.test_client(), {"pad": "x" * 2000})
    assert response.status_code == 413 and response.get_json()["error"] == "request_entity_too_large"


def test_missing_fields_is_422_naming_them(client):
    body = payload("issue_created.cloud.mattermost.json")
    del body["issue"]["key"]
    del body["issue"]["fields"]["summary"]
    response = post(client, body)
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"issue.key", "issue.fields.summary"}


def test_missing_webhook_event_is_422(client):
    response = post(client, {"issue": {}})
    assert response.status_code == 422 and "webhookEvent" in response.get_json()["fields"]


def test_malformed_mapped_date_is_422(client):
    body = payload("issue_created.cloud.mattermost.json")
    body["issue"]["fields"]["created"] = "yesterday"
    response = post(client, body, delivery="d-date")
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"issue.fields.created": ["not a date: 'yesterday'"]}


def test_json_array_body_is_422(client):
    assert post(client, [1, 2]).status_code == 422


def test_errors_are_json(client):
    assert client.get("/nope").get_json()["error"] == "not_found"
    response = client.get("/webhooks/jira")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"


def test_health_and_ready(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready"

