"""Jira Cloud REST API v3 operations on the sandbox, checked against the saved Cloud spec."""

from __future__ import annotations

from typing import Any

import requests

from tests.contracts.support import Api, covers

P = "jira-cloud-v3"


def adf(text: str) -> dict[str, Any]:
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}],
    }


def incident_fields(summary: str = "Contract test incident", **extra: Any) -> dict[str, Any]:
    return {
        "project": {"key": "INC"},
        "issuetype": {"name": "Incident"},
        "summary": summary,
        "description": adf("Created by the contract tests."),
        "labels": ["contract"],
        "customfield_10100": {"value": "SEV-2"},
        "customfield_10101": "2026-11-25T10:00:00.000+0000",
        **extra,
    }


def create_incident(jira3: Api, summary: str = "Contract test incident") -> str:
    created = jira3.ok("createIssue", 201, json_body={"fields": incident_fields(summary)})
    return created["key"]


# --- issues -------------------------------------------------------------------------------


@covers(P, "createIssue", "getIssue")
def test_create_then_get_issue(jira3: Api):
    created = jira3.ok("createIssue", 201, json_body={"fields": incident_fields(), "update": {}})
    assert created["key"].startswith("INC-") and created["id"].isdigit()

    issue = jira3.ok(
        "getIssue", 200, path={"issueIdOrKey": created["key"]}, params={"expand": "names,schema"}
    )
    assert issue["id"] == created["id"] and issue["key"] == created["key"]
    assert issue["fields"]["summary"] == "Contract test incident"
    assert issue["fields"]["description"]["type"] == "doc", "v3 returns descriptions as ADF"
    assert issue["fields"]["customfield_10100"]["value"] == "SEV-2"


@covers(P, "getIssue")
def test_get_seeded_issue_with_every_field(jira3: Api):
    issue = jira3.ok(
        "getIssue",
        200,
        path={"issueIdOrKey": "INC-1"},
        params={"expand": "renderedFields,names,schema,transitions,changelog"},
    )
    assert issue["key"] == "INC-1"
    assert {"summary", "status", "issuetype", "project", "created"} <= issue["fields"].keys()


@covers(P, "getIssue")
def test_get_issue_selected_fields_by_id(jira3: Api):
    issue = jira3.ok(
        "getIssue", 200, path={"issueIdOrKey": "INC-1"}, params={"fields": "summary,issuelinks"}
    )
    assert set(issue["fields"]) <= {"summary", "issuelinks"}
    same = jira3.ok(
        "getIssue", 200, path={"issueIdOrKey": issue["id"]}, params={"fields": "summary"}
    )
    assert same["key"] == "INC-1"


@covers(P, "getChangeLogs")
def test_changelog_of_seeded_issue(jira3: Api):
    page = jira3.ok(
        "getChangeLogs",
        200,
        path={"issueIdOrKey": "INC-1"},
        params={"startAt": 0, "maxResults": 100},
    )
    assert page["values"], "INC-1 is seeded with a history"
    created = [entry["created"] for entry in page["values"]]
    assert created == sorted(created), "changelog pages are oldest first"
    assert page["startAt"] == 0


@covers(P, "getChangeLogs", "editIssue")
def test_edit_issue_then_changelog(jira3: Api):
    key = create_incident(jira3)
    assert (
        jira3.ok(
            "editIssue",
            204,
            path={"issueIdOrKey": key},
            json_body={"fields": {"summary": "Renamed"}, "update": {"labels": [{"add": "edited"}]}},
        )
        is None
    )
    issue = jira3.ok(
        "getIssue", 200, path={"issueIdOrKey": key}, params={"fields": "summary,labels"}
    )
    assert issue["fields"]["summary"] == "Renamed"
    assert "edited" in issue["fields"]["labels"]
    page = jira3.ok("getChangeLogs", 200, path={"issueIdOrKey": key})
    fields_changed = {item["field"] for entry in page["values"] for item in entry["items"]}
    assert "summary" in fields_changed


@covers(P, "createIssues")
def test_bulk_create(jira3: Api):
    body = {
        "issueUpdates": [
            {"fields": incident_fields("bulk one")},
            {"fields": incident_fields("bulk two")},
        ]
    }
    created = jira3.ok("createIssues", 201, json_body=body)
    assert len(created["issues"]) == 2
    assert created.get("errors", []) == []


@covers(P, "createIssues")
def test_bulk_create_partial_failure(jira3: Api):
    bad = incident_fields("no such type", issuetype={"name": "Nonexistent"})
    body = {"issueUpdates": [{"fields": incident_fields("fine")}, {"fields": bad}]}
    created = jira3.ok("createIssues", 201, json_body=body)
    assert len(created["issues"]) == 1
    [error] = created["errors"]
    assert error["failedElementNumber"] == 1
    assert error["status"] == 400
    assert error["elementErrors"]["errors"], "the failing field is named"


@covers(P, "createIssues")
def test_bulk_create_all_invalid_is_400_with_created_issues_shape(jira3: Api):
    body = {"issueUpdates": [{"fields": incident_fields(issuetype={"name": "Nonexistent"})}]}
    result = jira3.fails("createIssues", 400, json_body=body)
    assert result["issues"] == []
    assert result["errors"][0]["failedElementNumber"] == 0


# --- workflow, comments, links ------------------------------------------------------------


@covers(P, "getTransitions", "doTransition")
def test_transitions(jira3: Api):
    key = create_incident(jira3)
    available = jira3.ok("getTransitions", 200, path={"issueIdOrKey": key})
    names = {t["name"]: t["id"] for t in available["transitions"]}
    assert "In Progress" in names
    assert (
        jira3.ok(
            "doTransition",
            204,
            path={"issueIdOrKey": key},
            json_body={"transition": {"id": names["In Progress"]}},
        )
        is None
    )
    issue = jira3.ok("getIssue", 200, path={"issueIdOrKey": key}, params={"fields": "status"})
    assert issue["fields"]["status"]["name"] == "In Progress"


@covers(P, "addComment", "getComments")
def test_comments(jira3: Api):
    key = create_incident(jira3)
    comment = jira3.ok(
        "addComment", 201, path={"issueIdOrKey": key}, json_body={"body": adf("Timeline drafted.")}
    )
    assert comment["body"]["type"] == "doc"
    page = jira3.ok("getComments", 200, path={"issueIdOrKey": key})
    assert [c["id"] for c in page["comments"]] == [comment["id"]]
    assert page["total"] == 1


@covers(P, "linkIssues")
def test_link_issues_returns_201_without_body(jira3: Api):
    action = jira3.ok(
        "createIssue",
        201,
        json_body={
            "fields": {
                "project": {"key": "ACT"},
                "issuetype": {"name": "Task"},
                "summary": "Follow-up",
            }
        },
    )["key"]
    incident = create_incident(jira3)
    body = {
        "type": {"name": "Relates"},
        "inwardIssue": {"key": action},
        "outwardIssue": {"key": incident},
    }
    assert jira3.ok("linkIssues", 201, json_body=body) is None
    links = jira3.ok(
        "getIssue", 200, path={"issueIdOrKey": incident}, params={"fields": "issuelinks"}
    )["fields"]["issuelinks"]
    assert any(
        link.get("inwardIssue", {}).get("key") == action
        or link.get("outwardIssue", {}).get("key") == action
        for link in links
    )


@covers(P, "createOrUpdateRemoteIssueLink", "getRemoteIssueLinks")
def test_remote_links_upsert_on_global_id(jira3: Api):
    key = create_incident(jira3)
    link = {
        "globalId": "debrief-postmortem=1",
        "application": {"type": "com.atlassian.confluence", "name": "Confluence"},
        "relationship": "Postmortem",
        "object": {
            "url": "https://example.com/wiki/spaces/PM/pages/1",
            "title": "Postmortem draft",
        },
    }
    created = jira3.ok(
        "createOrUpdateRemoteIssueLink", 201, path={"issueIdOrKey": key}, json_body=link
    )
    link["object"]["title"] = "Postmortem (final)"
    updated = jira3.ok(
        "createOrUpdateRemoteIssueLink", 200, path={"issueIdOrKey": key}, json_body=link
    )
    assert updated["id"] == created["id"]

    listed = jira3.ok("getRemoteIssueLinks", 200, path={"issueIdOrKey": key})
    assert isinstance(listed, list) and [item["id"] for item in listed] == [created["id"]]
    assert listed[0]["object"]["title"] == "Postmortem (final)"
    one = jira3.ok(
        "getRemoteIssueLinks",
        200,
        path={"issueIdOrKey": key},
        params={"globalId": link["globalId"]},
    )
    assert isinstance(one, dict) and one["id"] == created["id"]


# --- search -------------------------------------------------------------------------------


@covers(P, "searchAndReconsileIssuesUsingJql")
def test_search_jql_get_pages_with_token(jira3: Api):
    params = {
        "jql": "project = INC ORDER BY created ASC",
        "maxResults": 2,
        "fields": "summary,status",
    }
    first = jira3.ok("searchAndReconsileIssuesUsingJql", 200, params=params)
    assert len(first["issues"]) == 2
    assert first.get("isLast") is False and first["nextPageToken"]
    second = jira3.ok(
        "searchAndReconsileIssuesUsingJql",
        200,
        params={**params, "nextPageToken": first["nextPageToken"]},
    )
    assert {i["key"] for i in first["issues"]}.isdisjoint({i["key"] for i in second["issues"]})


@covers(P, "searchAndReconsileIssuesUsingJqlPost")
def test_search_jql_post(jira3: Api):
    body = {
        "jql": "project = INC AND labels = checkout",
        "fields": ["summary", "labels"],
        "maxResults": 10,
    }
    result = jira3.ok("searchAndReconsileIssuesUsingJqlPost", 200, json_body=body)
    assert [i["key"] for i in result["issues"]] == ["INC-1"]
    assert result["isLast"] is True


# --- metadata -----------------------------------------------------------------------------


@covers(P, "getPriorities")
def test_priorities(jira3: Api):
    names = [p["name"] for p in jira3.ok("getPriorities", 200)]
    assert {"Highest", "High", "Medium", "Low", "Lowest"} <= set(names)


@covers(P, "searchPriorities")
def test_priority_search(jira3: Api):
    page = jira3.ok("searchPriorities", 200, params={"maxResults": 2})
    assert len(page["values"]) == 2 and page["isLast"] is False


@covers(P, "getIssueAllTypes")
def test_issue_types(jira3: Api):
    names = {t["name"] for t in jira3.ok("getIssueAllTypes", 200)}
    assert {"Incident", "Task"} <= names


@covers(P, "getAllProjects", "getProject")
def test_projects(jira3: Api):
    keys = {p["key"] for p in jira3.ok("getAllProjects", 200)}
    assert {"INC", "ACT"} <= keys
    project = jira3.ok("getProject", 200, path={"projectIdOrKey": "INC"})
    assert project["key"] == "INC"
    assert jira3.ok("getProject", 200, path={"projectIdOrKey": project["id"]})["key"] == "INC"


@covers(P, "findUsers", "getCurrentUser")
def test_users(jira3: Api):
    me = jira3.ok("getCurrentUser", 200)
    assert me["emailAddress"] == "demo@example.com" and me["accountId"]
    found = jira3.ok("findUsers", 200, params={"query": "demo"})
    assert me["accountId"] in {u["accountId"] for u in found}


@covers(P, "getFields")
def test_fields(jira3: Api):
    by_id = {f["id"]: f for f in jira3.ok("getFields", 200)}
    assert by_id["customfield_10100"]["name"] == "Severity"
    assert {
        "summary",
        "customfield_10101",
        "customfield_10102",
        "customfield_10103",
    } <= by_id.keys()


@covers(P, "getServerInfo")
def test_server_info_needs_no_auth(jira3: Api):
    info = jira3.ok("getServerInfo", 200, auth=("", ""))
    assert info["deploymentType"] == "Cloud"


# --- requests the real API rejects --------------------------------------------------------


@covers(P, "createIssue")
def test_create_issue_missing_summary(jira3: Api):
    fields = incident_fields()
    del fields["summary"]
    error = jira3.fails("createIssue", 400, json_body={"fields": fields})
    assert "summary" in error["errors"]


@covers(P, "createIssue")
def test_create_issue_unknown_issue_type(jira3: Api):
    error = jira3.fails(
        "createIssue", 400, json_body={"fields": incident_fields(issuetype={"name": "Nonexistent"})}
    )
    assert "issuetype" in error["errors"]


@covers(P, "createIssue")
def test_create_issue_unknown_project(jira3: Api):
    error = jira3.fails(
        "createIssue", 400, json_body={"fields": incident_fields(project={"key": "NOPE"})}
    )
    assert "project" in error["errors"]


@covers(P, "createIssue")
def test_create_issue_wrong_field_type(jira3: Api):
    error = jira3.fails(
        "createIssue", 400, json_body={"fields": incident_fields(summary=["not", "a", "string"])}
    )
    assert "summary" in error["errors"]


@covers(P, "createIssue")
def test_create_issue_unauthenticated(jira3: Api):
    jira3.fails(
        "createIssue",
        401,
        json_body={"fields": incident_fields()},
        auth=("demo@example.com", "wrong-token"),
    )


@covers(P, "getIssue", "getChangeLogs", "getTransitions", "getComments")
def test_unknown_issue_is_404(jira3: Api):
    for op_id in ("getIssue", "getChangeLogs", "getTransitions", "getComments"):
        error = jira3.fails(op_id, 404, path={"issueIdOrKey": "INC-99999"})
        assert error["errorMessages"], op_id


@covers(P, "editIssue")
def test_edit_issue_unknown_field(jira3: Api):
    error = jira3.fails(
        "editIssue",
        400,
        path={"issueIdOrKey": "INC-3"},
        json_body={"fields": {"customfield_99999": "x"}},
    )
    assert "customfield_99999" in error["errors"]


@covers(P, "doTransition")
def test_transition_not_available(jira3: Api):
    key = create_incident(jira3)
    error = jira3.fails(
        "doTransition", 400, path={"issueIdOrKey": key}, json_body={"transition": {"id": "999"}}
    )
    assert error["errorMessages"] or error["errors"]


@covers(P, "addComment")
def test_comment_without_body(jira3: Api):
    error = jira3.fails("addComment", 400, path={"issueIdOrKey": "INC-3"}, json_body={})
    assert error["errorMessages"] or error["errors"]


@covers(P, "linkIssues")
def test_link_missing_required_field(jira3: Api):
    body = {"type": {"name": "Relates"}, "inwardIssue": {"key": "INC-1"}}
    assert jira3.contract.request_violations("linkIssues", body), "the spec requires outwardIssue"
    jira3.fails("linkIssues", 400, json_body=body)


@covers(P, "linkIssues")
def test_link_to_unknown_issue(jira3: Api):
    body = {
        "type": {"name": "Relates"},
        "inwardIssue": {"key": "INC-1"},
        "outwardIssue": {"key": "INC-99999"},
    }
    jira3.fails("linkIssues", 404, json_body=body)


@covers(P, "createOrUpdateRemoteIssueLink")
def test_remote_link_without_object(jira3: Api):
    body = {"globalId": "x=1"}
    assert jira3.contract.request_violations("createOrUpdateRemoteIssueLink", body), (
        "the spec requires object"
    )
    jira3.fails(
        "createOrUpdateRemoteIssueLink", 400, path={"issueIdOrKey": "INC-1"}, json_body=body
    )


@covers(P, "searchAndReconsileIssuesUsingJql", "searchAndReconsileIssuesUsingJqlPost")
def test_search_with_broken_jql(jira3: Api):
    error = jira3.fails("searchAndReconsileIssuesUsingJql", 400, params={"jql": "project = = INC"})
    assert error["errorMessages"]
    jira3.fails("searchAndReconsileIssuesUsingJqlPost", 400, json_body={"jql": "project = = INC"})


@covers(P, "getProject")
def test_unknown_project_is_404(jira3: Api):
    assert jira3.fails("getProject", 404, path={"projectIdOrKey": "NOPE"})["errorMessages"]


@covers(P, "findUsers")
def test_user_search_needs_a_query(jira3: Api):
    jira3.fails("findUsers", 400)


def test_bearer_pat_is_accepted(jira3: Api, site_url: str):
    resp = requests.get(
        f"{site_url}/rest/api/3/myself",
        headers={"Authorization": "Bearer demo-pat", "Accept": "application/json"},
        timeout=10,
    )
    assert jira3.check(resp, "getCurrentUser", 200)["accountId"]


# --- create metadata ------------------------------------------------------------------------


@covers(P, "getCreateIssueMeta")
def test_create_meta_for_incident_with_fields(jira3: Api, site_url: str, http: requests.Session):
    params = {"projectKeys": "INC", "issuetypeNames": "Incident", "expand": "projects.issuetypes.fields"}
    meta = jira3.ok("getCreateIssueMeta", 200, params=params)
    [project] = meta["projects"]
    [incident] = project["issuetypes"]
    assert (project["key"], incident["name"]) == ("INC", "Incident")
    assert meta["projects"][0]["issuetypes"][0]["fields"]["summary"]["required"] is True
    # Jira Cloud's v2 path answers the same (the issue as reported used /rest/api/2)
    v2 = http.get(f"{site_url}/rest/api/2/issue/createmeta", params=params, timeout=10)
    assert v2.status_code == 200 and v2.json()["projects"][0]["issuetypes"][0]["fields"]


@covers(P, "getCreateIssueMeta")
def test_create_meta_without_fields_and_filters(jira3: Api):
    meta = jira3.ok("getCreateIssueMeta", 200)
    assert {"INC", "ACT"} <= {p["key"] for p in meta["projects"]}
    assert all("fields" not in t for p in meta["projects"] for t in p["issuetypes"])


@covers(P, "getCreateIssueMetaIssueTypes", "getCreateIssueMetaIssueTypeId")
def test_create_meta_per_project(jira3: Api):
    types = jira3.ok("getCreateIssueMetaIssueTypes", 200, path={"projectIdOrKey": "INC"})
    incident = next(t for t in types["issueTypes"] if t["name"] == "Incident")
    fields = jira3.ok("getCreateIssueMetaIssueTypeId", 200,
                      path={"projectIdOrKey": "INC", "issueTypeId": incident["id"]})
    assert any(f["fieldId"] == "summary" and f["required"] for f in fields["fields"])
