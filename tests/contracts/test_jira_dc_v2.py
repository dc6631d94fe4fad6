"""The Jira Data Center REST v2 operations (``/rest/api/2``), checked against the saved DC spec.

Clients written for Data Center (and atlassian-python-api's defaults) call these paths; where
they differ from Cloud (``/rest/api/2/search`` with startAt/total paging, plain-string comment and
description bodies, ``username`` user search) the sandbox serves the Data Center shape too.
"""

from __future__ import annotations

from typing import Any

from tests.contracts.support import Api, covers

P = "jira-dc-v2"


def incident_fields(summary: str = "DC contract incident", **extra: Any) -> dict[str, Any]:
    return {
        "project": {"key": "INC"},
        "issuetype": {"name": "Incident"},
        "summary": summary,
        "description": "Plain *wiki markup* description.",
        "labels": ["contract"],
        "customfield_10100": {"value": "SEV-3"},
        **extra,
    }


def create_incident(jira_dc: Api, summary: str = "DC contract incident") -> str:
    return jira_dc.ok("createIssue", 201, json_body={"fields": incident_fields(summary)})["key"]


@covers(P, "createIssue", "getIssue")
def test_create_then_get_issue(jira_dc: Api):
    created = jira_dc.ok("createIssue", 201, json_body={"fields": incident_fields()})
    assert created["key"].startswith("INC-")
    issue = jira_dc.ok(
        "getIssue", 200, path={"issueIdOrKey": created["key"]}, params={"expand": "names,schema"}
    )
    assert issue["fields"]["description"] == "Plain *wiki markup* description.", (
        "v2 bodies are strings"
    )


@covers(P, "getIssue")
def test_get_seeded_issue(jira_dc: Api):
    issue = jira_dc.ok(
        "getIssue",
        200,
        path={"issueIdOrKey": "INC-1"},
        params={"expand": "changelog,renderedFields"},
    )
    assert issue["key"] == "INC-1"
    assert isinstance(issue["fields"]["description"], str)


@covers(P, "search_1")
def test_search_get_pages_with_start_at(jira_dc: Api):
    first = jira_dc.ok(
        "search_1",
        200,
        params={"jql": "project = INC ORDER BY key ASC", "maxResults": 2, "fields": "summary"},
    )
    assert first["startAt"] == 0 and first["maxResults"] == 2 and first["total"] >= 3
    assert len(first["issues"]) == 2
    second = jira_dc.ok(
        "search_1",
        200,
        params={"jql": "project = INC ORDER BY key ASC", "maxResults": 2, "startAt": 2},
    )
    assert second["startAt"] == 2
    assert {i["key"] for i in first["issues"]}.isdisjoint({i["key"] for i in second["issues"]})


@covers(P, "searchUsingSearchRequest")
def test_search_post(jira_dc: Api):
    body = {
        "jql": "project = INC AND labels = checkout",
        "fields": ["summary"],
        "startAt": 0,
        "maxResults": 5,
    }
    result = jira_dc.ok("searchUsingSearchRequest", 200, json_body=body)
    assert [i["key"] for i in result["issues"]] == ["INC-1"] and result["total"] == 1


@covers(P, "createIssues")
def test_bulk_create(jira_dc: Api):
    body = {
        "issueUpdates": [
            {"fields": incident_fields("dc bulk 1")},
            {"fields": incident_fields("dc bulk 2")},
        ]
    }
    assert len(jira_dc.ok("createIssues", 201, json_body=body)["issues"]) == 2


@covers(P, "editIssue")
def test_edit_issue(jira_dc: Api):
    key = create_incident(jira_dc)
    assert (
        jira_dc.ok(
            "editIssue",
            204,
            path={"issueIdOrKey": key},
            json_body={"fields": {"summary": "DC renamed"}},
        )
        is None
    )
    assert (
        jira_dc.ok("getIssue", 200, path={"issueIdOrKey": key}, params={"fields": "summary"})[
            "fields"
        ]["summary"]
        == "DC renamed"
    )


@covers(P, "getTransitions", "doTransition")
def test_transitions(jira_dc: Api):
    key = create_incident(jira_dc)
    transitions = jira_dc.ok("getTransitions", 200, path={"issueIdOrKey": key})["transitions"]
    target = next(t for t in transitions if t["name"] == "In Progress")
    assert (
        jira_dc.ok(
            "doTransition",
            204,
            path={"issueIdOrKey": key},
            json_body={"transition": {"id": target["id"]}},
        )
        is None
    )


@covers(P, "addComment", "getComments")
def test_comments_are_strings(jira_dc: Api):
    key = create_incident(jira_dc)
    comment = jira_dc.ok(
        "addComment", 201, path={"issueIdOrKey": key}, json_body={"body": "Timeline *drafted*."}
    )
    assert comment["body"] == "Timeline *drafted*."
    page = jira_dc.ok("getComments", 200, path={"issueIdOrKey": key})
    assert [c["body"] for c in page["comments"]] == ["Timeline *drafted*."]


@covers(P, "linkIssues")
def test_link_issues(jira_dc: Api):
    key = create_incident(jira_dc)
    body = {
        "type": {"name": "Relates"},
        "inwardIssue": {"key": "INC-1"},
        "outwardIssue": {"key": key},
    }
    assert jira_dc.ok("linkIssues", 201, json_body=body) is None


@covers(P, "createOrUpdateRemoteIssueLink", "getRemoteIssueLinks")
def test_remote_links(jira_dc: Api, jira3: Api):
    key = create_incident(jira_dc)
    link = {
        "globalId": "debrief=dc",
        "object": {"url": "https://example.com/wiki/x", "title": "Draft"},
    }
    # Creating answers 201 on the Cloud site; the DC spec only declares the 200 of an update.
    jira3.ok("createOrUpdateRemoteIssueLink", 201, path={"issueIdOrKey": key}, json_body=link)
    link["object"]["title"] = "Final"
    jira_dc.ok("createOrUpdateRemoteIssueLink", 200, path={"issueIdOrKey": key}, json_body=link)
    listed = jira_dc.ok("getRemoteIssueLinks", 200, path={"issueIdOrKey": key})
    assert [item["object"]["title"] for item in listed] == ["Final"]


@covers(P, "getPriorities", "getIssueAllTypes", "getFields")
def test_metadata_lists(jira_dc: Api):
    assert {"Highest", "Lowest"} <= {p["name"] for p in jira_dc.ok("getPriorities", 200)}
    assert {"Incident", "Task"} <= {t["name"] for t in jira_dc.ok("getIssueAllTypes", 200)}
    assert "customfield_10100" in {f["id"] for f in jira_dc.ok("getFields", 200)}


@covers(P, "getAllProjects", "getProject")
def test_projects(jira_dc: Api):
    assert {"INC", "ACT"} <= {p["key"] for p in jira_dc.ok("getAllProjects", 200)}
    assert jira_dc.ok("getProject", 200, path={"projectIdOrKey": "ACT"})["key"] == "ACT"


@covers(P, "findUsers", "getUser")
def test_users_by_username(jira_dc: Api):
    me = jira_dc.ok("getUser", 200)
    assert me["emailAddress"] == "demo@example.com"
    found = jira_dc.ok("findUsers", 200, params={"username": "demo"})
    assert "demo@example.com" in {u.get("emailAddress") for u in found}


@covers(P, "getServerInfo")
def test_server_info(jira_dc: Api):
    assert jira_dc.ok("getServerInfo", 200, auth=("", ""))["baseUrl"]


# --- requests the real API rejects --------------------------------------------------------


@covers(P, "createIssue")
def test_create_issue_missing_summary(jira_dc: Api):
    fields = incident_fields()
    del fields["summary"]
    assert "summary" in jira_dc.fails("createIssue", 400, json_body={"fields": fields})["errors"]


@covers(P, "createIssue")
def test_create_issue_unknown_issue_type(jira_dc: Api):
    error = jira_dc.fails(
        "createIssue", 400, json_body={"fields": incident_fields(issuetype={"name": "Nonexistent"})}
    )
    assert "issuetype" in error["errors"]


@covers(P, "getIssue")
def test_unknown_issue(jira_dc: Api):
    assert jira_dc.fails("getIssue", 404, path={"issueIdOrKey": "INC-99999"})["errorMessages"]


@covers(P, "search_1", "searchUsingSearchRequest")
def test_search_with_broken_jql(jira_dc: Api):
    assert jira_dc.fails("search_1", 400, params={"jql": "project = = INC"})["errorMessages"]
    assert jira_dc.fails("searchUsingSearchRequest", 400, json_body={"jql": "project = = INC"})[
        "errorMessages"
    ]


@covers(P, "getProject")
def test_unknown_project(jira_dc: Api):
    jira_dc.fails("getProject", 404, path={"projectIdOrKey": "NOPE"})
