"""Issues over real HTTP with atlassian-python-api: create, read, edit, transitions, comments."""

from __future__ import annotations

import pytest
import requests
from requests import HTTPError

DEMO = ("demo@example.com", "demo-token")


def new_incident(jira, **fields):
    base = {"project": {"key": "INC"}, "issuetype": {"name": "Incident"}, "summary": "Checkout down",
            "customfield_10100": {"value": "SEV-2"}}
    return jira.create_issue(fields={**base, **fields})


def test_create_returns_id_key_self_and_reads_back(jira_client, sandbox):
    created = new_incident(jira_client, description="Line one\n\nLine two", labels=["checkout"],
                           customfield_10101="2026-11-25T10:15:30.000+0000",
                           customfield_10104={"value": "Monitoring alert"}, components=[{"name": "payments"}],
                           assignee={"accountId": "5b10ac8d82e05b22cc7d4ef6"}, priority={"name": "High"})
    assert set(created) == {"id", "key", "self"}
    assert created["key"].startswith("INC-")
    assert created["self"] == f"{sandbox.url}/rest/api/2/issue/{created['id']}"
    issue = jira_client.issue(created["key"])
    f = issue["fields"]
    assert f["summary"] == "Checkout down"
    assert f["description"] == "Line one\n\nLine two"
    assert f["status"]["name"] == "To Do" and f["status"]["statusCategory"]["key"] == "new"
    assert f["priority"] == {"self": f"{sandbox.url}/rest/api/2/priority/2", "name": "High", "id": "2",
                             "iconUrl": f"{sandbox.url}/images/icons/priorities/high.svg"}
    assert f["customfield_10100"]["value"] == "SEV-2" and f["customfield_10100"]["id"]
    assert f["customfield_10101"] == "2026-11-25T10:15:30.000+0000"
    assert f["customfield_10104"]["value"] == "Monitoring alert"
    assert [c["name"] for c in f["components"]] == ["payments"]
    assert f["assignee"]["displayName"] == "Jun Seo"
    assert f["reporter"]["emailAddress"] == "demo@example.com"
    assert f["labels"] == ["checkout"]
    assert f["created"].endswith("+0000") and len(f["created"]) == len("2026-11-25T10:15:30.123+0000")


def test_v3_returns_adf_and_requires_adf(sandbox):
    doc = {"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Hi"}]}]}
    body = {"fields": {"project": {"key": "INC"}, "issuetype": {"id": "10004"}, "summary": "ADF", "description": doc}}
    created = requests.post(f"{sandbox.url}/rest/api/3/issue", json=body, auth=DEMO)
    assert created.status_code == 201
    v3 = requests.get(f"{sandbox.url}/rest/api/3/issue/{created.json()['key']}", auth=DEMO).json()
    assert v3["fields"]["description"] == doc
    v2 = requests.get(f"{sandbox.url}/rest/api/2/issue/{created.json()['key']}", auth=DEMO).json()
    assert v2["fields"]["description"] == "Hi"
    body["fields"]["description"] = "plain"
    bad = requests.post(f"{sandbox.url}/rest/api/3/issue", json=body, auth=DEMO)
    assert bad.status_code == 400
    assert "Atlassian Document" in bad.json()["errors"]["description"]


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"summary": None}, "summary", "summary"),
    ({"customfield_10100": {"value": "SEV-9"}}, "customfield_10100", "SEV-9"),
    ({"customfield_10101": "yesterday"}, "customfield_10101", "yyyy-MM-dd"),
    ({"customfield_10105": {"id": "999"}}, "customfield_10105", "999"),
    ({"priority": {"name": "Urgent"}}, "priority", "Urgent"),
    ({"labels": ["two words"]}, "labels", "spaces"),
    ({"issuetype": {"name": "Story"}}, "issuetype", "issue type"),
    ({"assignee": {"accountId": "nobody"}}, "assignee", "nobody"),
    ({"components": [{"name": "mobile"}]}, "components", "mobile"),
    ({"customfield_10106": "not a url"}, "customfield_10106", "URL"),
    ({"status": {"name": "Done"}}, "status", "cannot be set"),
])
def test_create_validation_errors(sandbox, fields, field, fragment):
    body = {"fields": {"project": {"key": "INC"}, "issuetype": {"name": "Incident"}, "summary": "x", **fields}}
    body["fields"] = {k: v for k, v in body["fields"].items() if v is not None}
    response = requests.post(f"{sandbox.url}/rest/api/2/issue", json=body, auth=DEMO)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/json")
    data = response.json()
    assert set(data) == {"errorMessages", "errors"}
    assert fragment in data["errors"][field]


def test_create_requires_project_and_issuetype(sandbox):
    response = requests.post(f"{sandbox.url}/rest/api/2/issue", json={"fields": {}}, auth=DEMO)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"project", "issuetype", "summary"}


def test_library_raises_with_jira_message(jira_client):
    with pytest.raises(HTTPError) as info:
        new_incident(jira_client, customfield_10100={"value": "SEV-0"})
    assert info.value.response.status_code == 400
    assert "Option value 'SEV-0' is not valid" in str(info.value)


def test_fields_filter_and_expand(jira_client):
    issue = jira_client.get_issue("INC-1", fields="summary,customfield_10100", expand="names,renderedFields")
    assert set(issue["fields"]) == {"summary", "customfield_10100"}
    assert issue["names"] == {"summary": "Summary", "customfield_10100": "Severity"}
    everything = jira_client.get_issue("INC-1", fields="*all,-comment")
    assert "comment" not in everything["fields"] and "customfield_10106" in everything["fields"]
    rendered = jira_client.get_issue("INC-1", fields="description", expand="renderedFields")
    assert rendered["renderedFields"]["description"].startswith("<p>From 09:12 UTC")


def test_unknown_issue_is_404(jira_client):
    with pytest.raises(HTTPError) as info:
        jira_client.issue("INC-999")
    assert info.value.response.status_code == 404
    assert "Issue does not exist" in str(info.value)


def test_seeded_resolved_incident_has_history(jira_cloud):
    log = jira_cloud.get_issue_changelog("INC-1")
    assert log["total"] == len(log["values"]) >= 5 and log["isLast"] is True
    fields = [item["field"] for h in log["values"] for item in h["items"]]
    assert {"assignee", "status", "Severity", "priority", "resolution"} <= set(fields)
    done = next(h for h in log["values"] for item in h["items"] if item.get("toString") == "Done"
                and item["field"] == "status")
    assert done["author"]["displayName"] == "Mina Park"
    status = next(item for item in done["items"] if item["field"] == "status")
    assert (status["from"], status["fromString"], status["to"]) == ("3", "In Progress", "10001")
    assert any(item["field"] == "resolution" and item["toString"] == "Done" for item in done["items"])


def test_edit_records_changelog_for_every_field(jira_client, jira_cloud):
    key = new_incident(jira_client, labels=["a"])["key"]
    jira_client.update_issue_field(key, {"summary": "Checkout down (EU)", "priority": {"name": "Highest"},
                                         "customfield_10100": {"value": "SEV-1"},
                                         "assignee": {"accountId": "5b10ac8d82e05b22cc7d4ef5"}})
    jira_client.issue_update(key, fields={}, update={"labels": [{"add": "eu"}, {"remove": "a"}]})
    issue = jira_client.issue(key)
    assert issue["fields"]["labels"] == ["eu"]
    assert issue["fields"]["customfield_10100"]["value"] == "SEV-1"
    log = jira_cloud.get_issue_changelog(key)
    items = {item["field"]: item for h in log["values"] for item in h["items"]}
    assert items["summary"]["fromString"] == "Checkout down" and items["summary"]["toString"] == "Checkout down (EU)"
    assert items["priority"]["from"] == "3" and items["priority"]["to"] == "1"
    assert items["Severity"]["fieldtype"] == "custom" and items["Severity"]["toString"] == "SEV-1"
    assert items["assignee"]["to"] == "5b10ac8d82e05b22cc7d4ef5" and items["assignee"]["toString"] == "Mina Park"
    assert items["labels"]["fromString"] == "a" and items["labels"]["toString"] == "eu"
    assert all(h["created"].endswith("+0000") and h["author"]["accountId"] for h in log["values"])


def test_changelog_paging(jira_client, jira_cloud, sandbox):
    key = new_incident(jira_client)["key"]
    for n in range(5):
        jira_client.update_issue_field(key, {"summary": f"s{n}"})
    page = requests.get(f"{sandbox.url}/rest/api/2/issue/{key}/changelog?startAt=0&maxResults=2", auth=DEMO).json()
    assert (page["total"], page["isLast"], len(page["values"])) == (5, False, 2)
    assert page["nextPage"].endswith("startAt=2")
    tail = jira_cloud.get_issue_changelog(key, start=4, limit=2)
    assert tail["isLast"] is True and len(tail["values"]) == 1


def test_dc_changelog_via_expand(jira_client):
    log = jira_client.get_issue_changelog("INC-1")
    assert log["total"] == len(log["histories"]) and log["histories"][0]["items"]


def test_edit_validation_and_404(sandbox):
    bad = requests.put(f"{sandbox.url}/rest/api/2/issue/INC-1", json={"fields": {"priority": {"id": "77"}}},
                       auth=DEMO)
    assert bad.status_code == 400 and "priority" in bad.json()["errors"]
    missing = requests.put(f"{sandbox.url}/rest/api/2/issue/NOPE-1", json={"fields": {}}, auth=DEMO)
    assert missing.status_code == 404


def test_workflow_transitions_and_resolution(jira_client):
    key = new_incident(jira_client)["key"]
    names = {t["to"] for t in jira_client.get_issue_transitions(key)}
    assert names == {"In Progress", "Done"}
    jira_client.set_issue_status(key, "In Progress")
    assert {t["to"] for t in jira_client.get_issue_transitions(key)} == {"To Do", "Done", "Resolved"}
    jira_client.set_issue_status(key, "Resolved", fields={"resolution": {"name": "Fixed"}})
    f = jira_client.issue(key)["fields"]
    assert f["status"]["name"] == "Resolved" and f["resolution"]["name"] == "Fixed" and f["resolutiondate"]
    jira_client.set_issue_status(key, "To Do")  # Reopen
    f = jira_client.issue(key)["fields"]
    assert f["resolution"] is None and f["resolutiondate"] is None


def test_invalid_transition_is_400(jira_client, sandbox):
    key = new_incident(jira_client)["key"]
    response = requests.post(f"{sandbox.url}/rest/api/2/issue/{key}/transitions",
                             json={"transition": {"id": "51"}}, auth=DEMO)
    assert response.status_code == 400
    assert response.json()["errorMessages"] == ["Transition id '51' is not valid for this issue."]
    with pytest.raises(HTTPError):
        jira_client.set_issue_status(key, "Closed")  # no such target: the library posts id null


def test_comments_add_list_and_page(jira_client, sandbox):
    key = new_incident(jira_client)["key"]
    first = jira_client.issue_add_comment(key, "Paged the on-call.")
    jira_client.issue_add_comment(key, "Rolled back.")
    assert first["body"] == "Paged the on-call." and first["author"]["accountId"] == "5b10a2844c20165700ede21g"
    assert first["created"] == first["updated"]
    listed = jira_client.issue_get_comments(key)
    assert listed["total"] == 2 and [c["body"] for c in listed["comments"]] == ["Paged the on-call.", "Rolled back."]
    page = requests.get(f"{sandbox.url}/rest/api/3/issue/{key}/comment?startAt=1&maxResults=1", auth=DEMO).json()
    assert page["startAt"] == 1 and page["total"] == 2 and page["comments"][0]["body"]["type"] == "doc"
    empty = requests.post(f"{sandbox.url}/rest/api/2/issue/{key}/comment", json={"body": " "}, auth=DEMO)
    assert empty.status_code == 400


def test_bulk_create_partial_success(jira_client, sandbox):
    result = jira_client.create_issues([
        {"fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "Add canary"}},
        {"fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Incident"}, "summary": "Wrong type"}},
        {"fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Bug"}, "summary": "Fix retry"}},
    ])
    assert [i["key"] for i in result["issues"]] == ["ACT-2", "ACT-3"]
    assert result["errors"][0]["failedElementNumber"] == 1
    assert result["errors"][0]["elementErrors"]["errors"] == {"issuetype": "Specify a valid issue type"}
    all_bad = requests.post(f"{sandbox.url}/rest/api/2/issue/bulk", auth=DEMO, json={"issueUpdates": [
        {"fields": {"project": {"key": "ACT"}, "summary": "x"}}]})
    assert all_bad.status_code == 400 and all_bad.json()["issues"] == []
    too_many = requests.post(f"{sandbox.url}/rest/api/2/issue/bulk", auth=DEMO, json={"issueUpdates": [
        {"fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "x"}}] * 51})
    assert too_many.status_code == 400


def test_create_with_issuelinks_update(jira_client):
    created = jira_client.create_issue(
        fields={"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "Follow-up"},
        update={"issuelinks": [{"add": {"type": {"name": "Relates"}, "outwardIssue": {"key": "INC-2"}}}]})
    links = jira_client.issue(created["key"], fields="issuelinks")["fields"]["issuelinks"]
    assert links[0]["type"]["name"] == "Relates" and links[0]["outwardIssue"]["key"] == "INC-2"
    back = jira_client.issue("INC-2", fields="issuelinks")["fields"]["issuelinks"]
    assert any(lk.get("inwardIssue", {}).get("key") == created["key"] for lk in back)


def test_bulk_changelog_fetch(jira_client, sandbox):
    jira_client.update_issue_field("INC-3", {"priority": {"name": "High"}, "summary": "Login slow"})
    body = {"issueIdsOrKeys": ["INC-1", "INC-3"], "fieldIds": ["priority"], "maxResults": 1}
    first = requests.post(f"{sandbox.url}/rest/api/3/changelog/bulkfetch", json=body, auth=DEMO).json()
    assert first["issueChangeLogs"][0]["issueId"] == "10001" and first["nextPageToken"]
    rest = requests.post(f"{sandbox.url}/rest/api/3/changelog/bulkfetch", auth=DEMO,
                         json={**body, "nextPageToken": first["nextPageToken"]}).json()
    assert "nextPageToken" not in rest
    items = [i for log in rest["issueChangeLogs"] for h in log["changeHistories"] for i in h["items"]]
    assert [(i["fieldId"], i["toString"]) for i in items] == [("priority", "High")]
