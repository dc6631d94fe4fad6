"""Reminder e-mails (``review.reminders.email``), in process against the sandbox, a real Redis
and a local SMTP server: the owner's reminder goes to the address the incident recorded, the
escalation to each ``escalate_to`` person (looked up in Jira by account id, or given as an
address), once per slot however often the sweep runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import requests

from config.environment import read_environment
from jobs.context import JobContext
from jobs.reminders import ReviewReminders, reminder_key
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL
from tests.helpers import settings_with
from tests.test_end_to_end import create_incident

AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)
TOM = "5b10ac8d82e05b22cc7d4ef9"  # tom.choi@example.com in the sandbox's directory
CREATED = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def context(sandbox, redis_conn, smtp_url: str, **overrides) -> JobContext:
    env = read_environment({"JIRA_URL": sandbox.url, "CONFLUENCE_URL": f"{sandbox.url}/wiki",
                            "ATLASSIAN_DEPLOYMENT": "cloud", "ATLASSIAN_USER": DEMO_EMAIL,
                            "ATLASSIAN_TOKEN": DEMO_API_TOKEN, "SMTP_URL": smtp_url}, need_atlassian=True)
    return JobContext(settings_with(**{"review.reminders.email": True, **overrides}), env, redis_conn)


def open_draft(sandbox, incident: str, owner: dict) -> str:
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH, json={
        "type": "page", "title": f"Postmortem: {incident} Checkout", "space": {"key": "PM"},
        "body": {"storage": {"value": "<p>Draft.</p>", "representation": "storage"}},
        "metadata": {"labels": [{"prefix": "global", "name": "postmortem"}]}})
    assert r.ok, r.text
    page_id = r.json()["id"]
    r = requests.put(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH, json={
        "key": "debrief", "version": {"number": 1},
        "value": {"incident": incident, "status": "in-review", "language": "en", "created": CREATED.isoformat(),
                  "gates": {"approved": {"ok": False, "reason": "0 of 1 approval(s)"}},
                  "review": {"owner": owner, "language": "en"}}})
    assert r.ok, r.text
    return page_id


def sweep(ctx: JobContext, at: datetime) -> list[str]:
    duty = ReviewReminders()
    return [duty.apply(ctx, at, step) for step in duty.plan(ctx, at)]


def test_the_owner_and_the_escalation_are_e_mailed_once_each(sandbox, redis_conn, smtp_server):
    incident = create_incident(sandbox)
    page_id = open_draft(sandbox, incident, {"account_id": "5b10ac8d82e05b22cc7d4ef5", "name": "Mina Park",
                                             "email": "mina.park@example.com"})
    ctx = context(sandbox, redis_conn, smtp_server.url,
                  **{"review.reminders.escalate_to": [TOM, "sre-leads@example.com"]})
    try:
        done = sweep(ctx, CREATED + timedelta(days=11))
        assert len(done) == 2 and all(f"commented on {incident}" in d for d in done), done
        mails = {tuple(m["To"].split(", ")): m for m in smtp_server.inbox.messages}
        assert set(mails) == {("mina.park@example.com",), ("tom.choi@example.com", "sre-leads@example.com")}
        owner = mails[("mina.park@example.com",)]
        assert "11 day" in owner["Subject"] and f"/pages/{page_id}" in owner.get_content()
        comments = requests.get(f"{sandbox.url}/rest/api/2/issue/{incident}/comment", auth=AUTH).json()["comments"]
        escalation = next(c["body"] for c in comments if TOM in c["body"])
        assert "sre-leads@example.com" not in escalation  # an address is e-mailed, not mentioned

        assert sweep(ctx, CREATED + timedelta(days=11, hours=1)) == []  # each slot once
        assert len(smtp_server.inbox.messages) == 2
    finally:
        for key in redis_conn.scan_iter(reminder_key(page_id, "*")):
            redis_conn.delete(key)


def test_an_owner_without_a_recorded_address_is_looked_up_and_mail_off_sends_none(sandbox, redis_conn,
                                                                                     smtp_server):
    incident = create_incident(sandbox)
    page_id = open_draft(sandbox, incident, {"account_id": "5b10ac8d82e05b22cc7d4ef6", "name": "Jun Seo"})
    try:
        quiet = context(sandbox, redis_conn, smtp_server.url, **{"review.reminders.email": False})
        assert sweep(quiet, CREATED + timedelta(days=4)) == [f"commented on {incident}"]
        assert smtp_server.inbox.messages == []
        for key in redis_conn.scan_iter(reminder_key(page_id, "*")):
            redis_conn.delete(key)
        done = sweep(context(sandbox, redis_conn, smtp_server.url), CREATED + timedelta(days=4))
        assert done == [f"commented on {incident}, e-mailed jun.seo@example.com"]
        (mail,) = smtp_server.inbox.messages
        assert mail["To"] == "jun.seo@example.com"
    finally:
        for key in redis_conn.scan_iter(reminder_key(page_id, "*")):
            redis_conn.delete(key)
