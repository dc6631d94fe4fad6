"""Prometheus metrics at /metrics, counted in Redis so every gunicorn and RQ worker adds to the
same numbers: deliveries by outcome, trigger rules fired, jobs by result, Atlassian calls by
product, status and latency, postmortem stages. Nothing secret reaches the text."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from config.environment import AtlassianAccess, read_environment
from config.settings import load_settings
from connector.clients import confluence_client, jira_client
from connector.errors import PermanentAtlassianError, TransientAtlassianError
from jobs import context as job_context
from jobs.entry import entry_point
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL
from telemetry import metrics
from telemetry.exposition import render
from tests.helpers import payload
from tests.test_intake import SECRET, TOKEN, make_app, post

ROOT = Path(__file__).resolve().parents[1]


def samples(text: str) -> dict[tuple, float]:
    """(sample name, sorted label pairs) -> value."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def value(text: str, name: str, **labels: str) -> float:
    return samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def recording(redis_conn):
    metrics.configure(redis_conn)
    yield redis_conn
    metrics.configure(None)


def test_every_metric_is_exposed_from_the_start(redis_conn):
    names = {f.name for f in text_string_to_metric_families(render(redis_conn).decode())}
    assert names == {"debrief_webhook_deliveries", "debrief_trigger_rules_fired", "debrief_jobs",
                     "debrief_atlassian_requests", "debrief_atlassian_request_duration_seconds",
                     "debrief_postmortems", "debrief_postmortem_stage_seconds"}


def test_counts_from_several_processes_add_up(redis_conn, redis_url):
    code = ("from redis import Redis; from telemetry import metrics; import sys; "
            "metrics.configure(Redis.from_url(sys.argv[1])); metrics.job('draft', 'done'); "
            "metrics.atlassian_call('jira', 200, 0.2)")
    for _ in range(3):  # separate processes, as gunicorn workers and RQ work horses are
        subprocess.run([sys.executable, "-c", code, redis_url], check=True, cwd=ROOT, timeout=60)
    text = render(redis_conn).decode()
    assert value(text, "debrief_jobs_total", kind="draft", result="done") == 3
    assert value(text, "debrief_atlassian_request_duration_seconds_count", product="jira") == 3
    assert value(text, "debrief_atlassian_request_duration_seconds_bucket", product="jira", le="0.25") == 3


def test_postmortem_stages_and_label_hygiene(recording):
    metrics.postmortem("drafted")
    metrics.postmortem_stage("draft", 5400)
    metrics.postmortem_stage("approval", 3 * 86400)
    metrics.rules_fired(["INC-7 Payment outage at mina.park@example.com"])  # free text never a label
    text = render(recording).decode()
    assert value(text, "debrief_postmortems_total", status="drafted") == 1
    assert value(text, "debrief_postmortem_stage_seconds_bucket", stage="draft", le="14400.0") == 1
    assert value(text, "debrief_postmortem_stage_seconds_bucket", stage="approval", le="86400.0") == 0
    assert value(text, "debrief_postmortem_stage_seconds_sum", stage="approval") == 3 * 86400
    assert value(text, "debrief_trigger_rules_fired_total", rule="other") == 1
    assert "mina" not in text and "INC-7" not in text
    with pytest.raises(ValueError):
        metrics.postmortem_stage("lunch", 1)


def test_recording_without_redis_never_fails():
    metrics.configure(Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2))
    try:
        metrics.job("draft", "done")  # dropped, not raised
    finally:
        metrics.configure(None)


def test_deliveries_by_outcome_and_rules_fired_at_metrics(redis_conn, redis_url):
    app = make_app(redis_url)
    client = app.test_client()
    resolved = payload("issue_updated.status_resolved.cloud.mattermost.json")
    assert post(client, resolved, delivery="d-1").status_code == 202
    assert post(client, resolved, delivery="d-1").status_code == 200  # the same delivery again
    assert post(client, resolved, delivery="d-1b").get_json()["duplicate"] is True  # job absorbed: accepted
    only_inc = make_app(redis_url, **{"incidents.projects": ["INC"]}).test_client()
    assert post(only_inc, payload("issue_created.cloud.mattermost.json"), delivery="d-2").get_json()["ignored"]
    assert post(client, resolved, secret="wrong", delivery="d-3").status_code == 401
    response = client.get("/metrics")
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    text = response.get_data(as_text=True)
    assert value(text, "debrief_webhook_deliveries_total", source="jira", outcome="accepted", status="202") == 2
    assert value(text, "debrief_webhook_deliveries_total", source="jira", outcome="duplicate", status="200") == 1
    assert value(text, "debrief_webhook_deliveries_total", source="jira", outcome="ignored", status="202") == 1
    assert value(text, "debrief_webhook_deliveries_total", source="jira", outcome="refused", status="401") == 1
    fired = {dict(k[1])["rule"]: v for k, v in samples(text).items() if k[0] == "debrief_trigger_rules_fired_total"}
    assert fired and all(v == 2 for v in fired.values())  # both accepted deliveries were assessed
    for secret in (SECRET, TOKEN, redis_url):
        assert secret not in text


def test_atlassian_calls_by_product_status_and_latency(recording, sandbox):
    access = AtlassianAccess(sandbox.url, f"{sandbox.url}/wiki", "cloud", DEMO_EMAIL, DEMO_API_TOKEN)
    jira_client(access).myself()
    confluence_client(access).get_space("PM")
    with pytest.raises(Exception):  # noqa: B017 - any error: only the count matters here
        jira_client(access).issue("NOPE-404")
    text = render(recording).decode()
    assert value(text, "debrief_atlassian_requests_total", product="jira", status="200") == 1
    assert value(text, "debrief_atlassian_requests_total", product="jira", status="404") == 1
    assert value(text, "debrief_atlassian_requests_total", product="confluence", status="200") == 1
    assert value(text, "debrief_atlassian_request_duration_seconds_count", product="jira") == 2
    assert DEMO_API_TOKEN not in text and sandbox.url not in text


def test_jobs_by_kind_and_result(recording, redis_url):
    env = read_environment({"REDIS_URL": redis_url, "JIRA_URL": "http://127.0.0.1:9",
                            "CONFLUENCE_URL": "http://127.0.0.1:9/wiki", "ATLASSIAN_USER": "u",
                            "ATLASSIAN_TOKEN": "t"}, need_atlassian=True)
    job_context.configure(job_context.JobContext(load_settings(ROOT / "app.yaml"), env, recording))

    def draft(ctx, now, outcome):
        assert isinstance(now, datetime) and now.tzinfo is UTC
        if outcome == "permanent":
            raise PermanentAtlassianError("create page: HTTP 400")
        if outcome == "transient":
            raise TransientAtlassianError("create page: HTTP 503")
        return {"ok": True}

    run = entry_point(draft)
    try:
        assert run("done") == {"ok": True}
        for outcome in ("permanent", "transient"):
            with pytest.raises((PermanentAtlassianError, TransientAtlassianError)):
                run(outcome)
    finally:
        job_context.configure(None)
    text = render(recording).decode()
    assert value(text, "debrief_jobs_total", kind="draft", result="done") == 1
    assert value(text, "debrief_jobs_total", kind="draft", result="parked") == 2  # outside RQ: no retries


def test_metrics_text_names_no_environment_secret(redis_conn, redis_url):
    app = make_app(redis_url)
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert not re.search(r"secret|token|password|redis://", text, re.IGNORECASE)
    assert os.environ.get("REDIS_URL", "redis://") not in text
