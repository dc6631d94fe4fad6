"""The Jira calls action items rely on, against the sandbox over HTTP: create metadata with the
project's required fields, bulk create with partial success, user and label look-ups."""

from __future__ import annotations

import pytest
from atlassian import Jira

from connector.jira import JiraGateway
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL

MINA = "5b10ac8d82e05b22cc7d4ef5"
TASK = "10001"


@pytest.fixture
def gateway(sandbox) -> JiraGateway:
    return JiraGateway(Jira(url=sandbox.url, username=DEMO_EMAIL, password=DEMO_API_TOKEN, cloud=True), cloud=True)


def task(summary: str, **fields) -> dict:
    return {"fields": {"project": {"key": "ACT"}, "issuetype": {"id": TASK}, "summary": summary,
                       "assignee": {"accountId": MINA}, "labels": ["debrief", "debrief-row-abc"], **fields}}


def test_create_metadata_lists_the_issue_types_and_the_required_fields(gateway):
    assert gateway.create_issue_type_id("ACT", "task") == TASK
    assert gateway.create_issue_type_id("ACT", "Incident") is None
    fields = {f["fieldId"]: f for f in gateway.create_fields("ACT", TASK)}
    assert {k for k, f in fields.items() if f["required"]} == {"project", "issuetype", "summary", "reporter"}
    assert fields["reporter"]["hasDefaultValue"] and {"priority", "duedate", "assignee", "labels"} <= set(fields)
    assert not any(k.startswith("customfield_") for k in fields)  # the incident fields are INC's only


def test_a_field_the_screen_requires_is_listed_and_enforced_per_element(sandbox, gateway):
    sandbox.state.jira.screens[f"ACT/{TASK}"] = {"required": ["customfield_10106"], "absent": ["duedate"]}
    fields = {f["fieldId"]: f for f in gateway.create_fields("ACT", TASK)}
    assert fields["customfield_10106"]["required"] and fields["customfield_10106"]["name"] == "Postmortem"
    assert "duedate" not in fields

    answer = gateway.bulk_create([task("lacks it"), task("has it", customfield_10106="https://x/wiki/p/1"),
                                  task("dated", customfield_10106="https://x/wiki/p/1", duedate="2027-01-01")])
    assert [i["key"].startswith("ACT-") for i in answer["issues"]] == [True]
    errors = {e["failedElementNumber"]: e["elementErrors"]["errors"] for e in answer["errors"]}
    assert errors[0] == {"customfield_10106": "Postmortem is required."}
    assert "cannot be set" in errors[2]["duedate"]

    everything_failed = gateway.bulk_create([task("lacks it"), task("lacks it too")])
    assert everything_failed["issues"] == [] and [e["failedElementNumber"] for e in everything_failed["errors"]] == [0, 1]


def test_bulk_create_takes_at_most_fifty(gateway):
    with pytest.raises(ValueError):
        gateway.bulk_create([task(f"t{i}") for i in range(51)])


def test_users_priorities_issues_and_labels_are_looked_up(gateway):
    assert gateway.user(account_id=MINA)["displayName"] == "Mina Park"
    assert gateway.user(account_id="000000-nobody") is None
    assert gateway.user(username="jun.seo")["accountId"] == "5b10ac8d82e05b22cc7d4ef6"
    assert gateway.priority_names() == ["Highest", "High", "Medium", "Low", "Lowest"]
    (created,) = gateway.bulk_create([task("find me")])["issues"]
    assert gateway.keys_labelled("debrief-row-abc") == [created["key"]]
    assert gateway.keys_labelled("debrief-row-none") == []
    assert gateway.issue_or_none(created["key"])["fields"]["status"]["statusCategory"]["key"] == "new"
    assert gateway.issue_or_none("ACT-999") is None
