"""Issue links and remote links."""

from __future__ import annotations

import pytest
import requests
from requests import HTTPError

DEMO = ("demo@example.com", "demo-token")


def test_issue_link_is_201_without_body_and_visible_on_both_sides(jira_client, sandbox):
    body = {"type": {"name": "Blocks"}, "inwardIssue": {"key": "INC-2"}, "outwardIssue": {"key": "INC-3"}}
    response = requests.post(f"{sandbox.url}/rest/api/2/issueLink", json=body, auth=DEMO)
    assert response.status_code == 201 and response.content == b""
    jira_client.create_issue_link(body)  # the same link again still reports created
    source = jira_client.issue("INC-2", fields="issuelinks")["fields"]["issuelinks"]
    target = jira_client.issue("INC-3", fields="issuelinks")["fields"]["issuelinks"]
    assert [(lk["type"]["outward"], lk["outwardIssue"]["key"]) for lk in source] == [("blocks", "INC-3")]
    assert [(lk["type"]["inward"], lk["inwardIssue"]["key"]) for lk in target] == [("is blocked by", "INC-2")]
    assert source[0]["outwardIssue"]["fields"]["status"]["name"] == "To Do"


def test_link_errors(sandbox):
    unknown_type = requests.post(f"{sandbox.url}/rest/api/2/issueLink", auth=DEMO, json={
        "type": {"name": "Causes"}, "inwardIssue": {"key": "INC-1"}, "outwardIssue": {"key": "INC-2"}})
    assert unknown_type.status_code == 404
    missing = requests.post(f"{sandbox.url}/rest/api/2/issueLink", auth=DEMO, json={"type": {"name": "Relates"}})
    assert missing.status_code == 400 and set(missing.json()["errors"]) == {"inwardIssue", "outwardIssue"}
    no_issue = requests.post(f"{sandbox.url}/rest/api/2/issueLink", auth=DEMO, json={
        "type": {"name": "Relates"}, "inwardIssue": {"key": "INC-1"}, "outwardIssue": {"key": "INC-77"}})
    assert no_issue.status_code == 404


def test_link_types_listed(sandbox):
    types = requests.get(f"{sandbox.url}/rest/api/2/issueLinkType", auth=DEMO).json()["issueLinkTypes"]
    assert {t["name"] for t in types} == {"Blocks", "Cloners", "Duplicate", "Relates"}


def test_remote_link_upsert_by_global_id(jira_client, sandbox):
    first = jira_client.create_or_update_issue_remote_links(
        "INC-1", "http://wiki/pm/1", "Postmortem draft", global_id="debrief:pm:INC-1", relationship="postmortem")
    assert set(first) == {"id", "self"} and first["self"].endswith(f"/issue/INC-1/remotelink/{first['id']}")
    again = requests.post(f"{sandbox.url}/rest/api/2/issue/INC-1/remotelink", auth=DEMO, json={
        "globalId": "debrief:pm:INC-1", "object": {"url": "http://wiki/pm/1?v=2", "title": "Postmortem"}})
    assert again.status_code == 200 and again.json()["id"] == first["id"]
    other = requests.post(f"{sandbox.url}/rest/api/2/issue/INC-1/remotelink", auth=DEMO,
                          json={"object": {"url": "http://status/1", "title": "Status page"}})
    assert other.status_code == 201 and other.json()["id"] != first["id"]
    links = requests.get(f"{sandbox.url}/rest/api/2/issue/INC-1/remotelink", auth=DEMO).json()
    assert len(links) == 2
    updated = next(lk for lk in links if lk.get("globalId") == "debrief:pm:INC-1")
    assert updated["object"] == {"url": "http://wiki/pm/1?v=2", "title": "Postmortem"}
    assert "relationship" not in updated  # omitted on update: cleared, as Jira does
    one = requests.get(f"{sandbox.url}/rest/api/2/issue/INC-1/remotelink",
                       params={"globalId": "debrief:pm:INC-1"}, auth=DEMO).json()
    assert one["id"] == first["id"]


def test_remote_link_validation(jira_client, sandbox):
    response = requests.post(f"{sandbox.url}/rest/api/2/issue/INC-1/remotelink", auth=DEMO,
                             json={"object": {"title": "no url"}})
    assert response.status_code == 400 and "url" in response.json()["errors"]
    with pytest.raises(HTTPError):
        jira_client.create_or_update_issue_remote_links("INC-404", "http://x", "x")


def test_remote_link_recorded_in_history(jira_client, jira_cloud):
    jira_client.create_or_update_issue_remote_links("INC-3", "http://wiki/pm/3", "PM", global_id="g3")
    items = [i for h in jira_cloud.get_issue_changelog("INC-3")["values"] for i in h["items"]]
    assert items[-1]["field"] == "RemoteIssueLink" and "PM" in items[-1]["toString"]
