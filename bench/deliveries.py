"""Signed Jira deliveries for the benchmark: a real Cloud webhook body from tests/fixtures/jira/,
recast as an incident of the shipped app.yaml, each with its own issue, delivery id and signature."""

from __future__ import annotations

import copy
import json
import uuid
from pathlib import Path

from webhooks.signature import sign

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "jira" / "issue_updated.status_resolved.cloud.mattermost.json"
PATH = "/webhooks/jira"


def fixture_body() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def as_incident(body: dict, number: int) -> dict:
    """The fixture as issue INC-<number>: a SEV-2 downtime of 47 minutes with a rollback, which
    the shipped trigger rules say needs a postmortem."""
    event = copy.deepcopy(body)
    issue = event["issue"]
    issue["key"], issue["id"] = f"INC-{number}", str(100000 + number)
    issue["self"] = issue["self"].rsplit("/", 1)[0] + f"/{issue['id']}"
    fields = issue["fields"]
    fields["project"].update(key="INC", name="Incidents")
    fields["issuetype"].update(name="Incident")
    fields["labels"] = ["rollback"]
    fields["components"] = [{"id": "10000", "name": "checkout"}]
    fields["customfield_10100"] = {"value": "SEV-2"}
    fields["customfield_10101"] = "2019-02-15T18:28:00.000-0800"
    fields["customfield_10102"] = "2019-02-15T18:40:00.000-0800"
    fields["customfield_10103"] = "2019-02-15T19:15:00.000-0800"
    fields["customfield_10104"] = {"value": "Monitoring alert"}
    fields["customfield_10105"] = {"value": "Downtime"}
    return event


def not_an_incident(body: dict, number: int) -> dict:
    """The fixture as it is (a Story in project TES), numbered so every body differs."""
    event = copy.deepcopy(body)
    event["issue"]["key"], event["issue"]["id"] = f"TES-{number}", str(200000 + number)
    return event


def signed(body: dict | bytes, secret: str, delivery_id: str | None = None) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "X-Hub-Signature": sign(raw, secret),
                 "X-Atlassian-Webhook-Identifier": delivery_id or str(uuid.uuid4()),
                 "User-Agent": "Atlassian Webhook HTTP Client"}


def issue_event(issue: dict, event: str = "jira:issue_updated") -> dict:
    """A webhook body around an issue as the Jira REST API returns it (for sandbox issues)."""
    type_name = "issue_created" if event == "jira:issue_created" else "issue_generic"
    return {"timestamp": 0, "webhookEvent": event, "issue_event_type_name": type_name,
            "user": {"accountId": "5b10ac8d82e05b22cc7d4ef5"}, "issue": issue, "changelog": {"id": "1", "items": []}}
