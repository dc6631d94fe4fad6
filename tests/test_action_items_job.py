"""The action-item job in process, against the sandbox and a real Redis: what the project's
create screen demands, approval before creation, and the page state it leaves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from config.environment import read_environment
from jobs.action_items import sync_action_items
from jobs.context import JobContext
from postmortem.page import parse_page
from postmortem.page.markers import REVIEW_REGION
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL
from tests.helpers import settings_with
from tests.test_action_items import body, row

AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)
NOW = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # 2 December, 05:00 in Asia/Seoul
MINA = "5b10ac8d82e05b22cc7d4ef5"


def context(sandbox, redis_conn, **overrides) -> JobContext:
    env = read_environment({"JIRA_URL": sandbox.url, "CONFLUENCE_URL": f"{sandbox.url}/wiki",
                            "ATLASSIAN_DEPLOYMENT": "cloud", "ATLASSIAN_USER": DEMO_EMAIL,
                            "ATLASSIAN_TOKEN": DEMO_API_TOKEN}, need_atlassian=True)
    return JobContext(settings_with(**overrides), env, redis_conn)


def new_page(sandbox, text: str, status: str = "draft") -> str:
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=AUTH, json={
        "type": "page", "title": "Postmortem: INC-1 Checkout", "space": {"key": "PM"},
        "body": {"storage": {"value": text, "representation": "storage"}},
        "metadata": {"labels": [{"prefix": "global", "name": "postmortem"}]}})
    assert r.ok, r.text
    page_id = r.json()["id"]
    r = requests.put(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH, json={
        "key": "debrief", "value": {"incident": "INC-1", "status": status, "language": "en"},
        "version": {"number": 1}})
    assert r.ok, r.text
    return page_id


def page_body(sandbox, page_id: str) -> str:
    return requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}", auth=AUTH,
                        params={"expand": "body.storage"}).json()["body"]["storage"]["value"]


def state(sandbox, page_id: str) -> dict:
    return requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH).json()["value"]


def panel(text: str) -> str:
    page = parse_page(text)
    return text[slice(*page.regions[REVIEW_REGION].inner)]


def act_issues(sandbox) -> list:
    with sandbox.state.lock:
        return [i for i in sandbox.state.jira.all_issues() if "debrief" in i.fields["labels"]]


def owner(account_id: str) -> str:
    return f'<ac:link><ri:user ri:account-id="{account_id}" /></ac:link>'


@pytest.fixture
def rows() -> str:
    return body(row(action="Canary ingress changes", owner=owner(MINA), due="2027-01-10"),
                row(action="Page on 5xx", kind="detect", owner=owner(MINA), due=""))


def test_a_field_the_create_screen_requires_is_named_on_the_page_and_nothing_is_guessed(sandbox, redis_conn, rows):
    sandbox.state.jira.screens["ACT/10001"] = {"required": ["customfield_10106"]}
    page_id = new_page(sandbox, rows)
    ctx = context(sandbox, redis_conn)
    result = sync_action_items(ctx, NOW, page_id)
    assert not act_issues(sandbox) and not result.get("created")
    shown = panel(page_body(sandbox, page_id))
    assert shown.count('new tickets need the field "Postmortem", which Debrief cannot fill') == 2
    assert [p["action"] for p in state(sandbox, page_id)["action_items"]["problems"]] == [
        "Canary ingress changes", "Page on 5xx"]

    del sandbox.state.jira.screens["ACT/10001"]  # the admin fixes the screen
    result = sync_action_items(context(sandbox, redis_conn), NOW, page_id)
    assert len(result["created"]) == 2 and len(act_issues(sandbox)) == 2
    text = page_body(sandbox, page_id)
    assert "Postmortem" not in panel(text) and "The review has not run yet" in panel(text)
    issue = requests.get(f"{sandbox.url}/rest/api/2/issue/{result['created'][1]}", auth=AUTH).json()
    # No due date on the row: 14 days (High, what a detect item of the SEV-1 incident INC-1
    # gets) from today in the configured timezone, where 20:00 UTC is already the next day.
    assert issue["fields"]["priority"]["name"] == "High"
    assert issue["fields"]["duedate"] == "2026-12-16"
    assert sync_action_items(context(sandbox, redis_conn), NOW, page_id).get("created") is None


def test_on_approval_rows_wait_for_the_approved_state(sandbox, redis_conn, rows):
    page_id = new_page(sandbox, rows)
    ctx = context(sandbox, redis_conn, **{"action_items.create": "on_approval"})
    sync_action_items(ctx, NOW, page_id)
    assert not act_issues(sandbox)
    assert "once the postmortem is approved" in panel(page_body(sandbox, page_id))
    current = requests.get(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH).json()
    requests.put(f"{sandbox.url}/wiki/rest/api/content/{page_id}/property/debrief", auth=AUTH, json={
        "key": "debrief", "value": {**current["value"], "status": "APPROVED"},
        "version": {"number": current["version"]["number"] + 1}}).raise_for_status()
    result = sync_action_items(context(sandbox, redis_conn, **{"action_items.create": "on_approval"}), NOW, page_id)
    assert len(result["created"]) == 2
    assert "once the postmortem is approved" not in panel(page_body(sandbox, page_id))


def test_on_data_center_a_userkey_mention_becomes_the_assignee_by_username(sandbox, redis_conn):
    env = read_environment({"JIRA_URL": sandbox.url, "CONFLUENCE_URL": f"{sandbox.url}/wiki",
                            "ATLASSIAN_DEPLOYMENT": "datacenter", "ATLASSIAN_PAT": "demo-pat"}, need_atlassian=True)
    ctx = JobContext(settings_with(), env, redis_conn)
    dc_owner = '<ac:link><ri:user ri:userkey="mina.park" /></ac:link>'
    text = body(row(action="Canary ingress changes", owner=dc_owner, due="2027-01-10"))
    page_id = new_page(sandbox, text.replace("<p>", "").replace("</p>", "").replace("<p />", ""))
    result = sync_action_items(ctx, NOW, page_id)
    (key,) = result["created"]
    issue = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}", auth=AUTH).json()
    assert issue["fields"]["assignee"]["name"] == "mina.park"
    cells = parse_page(page_body(sandbox, page_id)).action_items.rows[0].cells
    assert cells["ticket"].jira_keys == (key,) and cells["ticket"].xml.startswith("<ac:structured-macro")
    assert cells["status"].xml == "to do"  # Data Center cells hold their text without a <p>


def bulk_creates(sandbox) -> int:
    journal = requests.get(f"{sandbox.url}/_sandbox/journal", auth=AUTH,
                           params={"method": "POST", "path_prefix": "/rest/api/2/issue/bulk"}).json()
    return len(journal)


def test_a_row_jira_refuses_is_shown_and_not_sent_again_until_it_changes_or_the_next_day(sandbox, redis_conn):
    sandbox.state.jira.unassignable["ACT"] = {MINA}
    page_id = new_page(sandbox, body(row(action="Canary ingress changes", owner=owner(MINA), due="2027-01-10")))
    result = sync_action_items(context(sandbox, redis_conn), NOW, page_id)
    assert not act_issues(sandbox) and result["refused"] == ["row 1: assignee: User 'mina.park' cannot be assigned "
                                                             "issues."]
    shown = "Jira refused the ticket: assignee: User 'mina.park' cannot be assigned issues."
    assert shown in panel(page_body(sandbox, page_id))
    assert bulk_creates(sandbox) == 1

    again = sync_action_items(context(sandbox, redis_conn), NOW.replace(minute=30), page_id)
    assert bulk_creates(sandbox) == 1 and not again.get("refused")  # the same row, the same day: not asked again
    assert shown in panel(page_body(sandbox, page_id))  # and still shown

    sandbox.state.jira.unassignable.clear()  # the Jira admin grants the permission
    tomorrow = sync_action_items(context(sandbox, redis_conn), NOW + timedelta(days=1), page_id)
    assert bulk_creates(sandbox) == 2 and len(tomorrow["created"]) == 1
    assert shown not in panel(page_body(sandbox, page_id))
