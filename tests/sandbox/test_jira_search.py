"""JQL search over HTTP: Cloud search/jql (token pages) and the older DC search (startAt/total)."""

from __future__ import annotations

import pytest
import requests
from requests import HTTPError

DEMO = ("demo@example.com", "demo-token")


def keys(result):
    return [i["key"] for i in result["issues"]]


def make_incidents(jira, count, **fields):
    return [jira.create_issue(fields={"project": {"key": "INC"}, "issuetype": {"name": "Incident"},
                                      "summary": f"Batch {n}", **fields})["key"] for n in range(count)]


def test_dc_jql_returns_total_and_all_fields(jira_client):
    result = jira_client.jql("project = INC ORDER BY key ASC")  # the library asks for *all
    assert keys(result) == ["INC-1", "INC-2", "INC-3"]
    assert result["total"] == 3 and result["startAt"] == 0
    assert result["issues"][0]["fields"]["comment"]["total"] == 2


def test_dc_search_defaults_to_navigable_fields(sandbox):
    result = requests.get(f"{sandbox.url}/rest/api/2/search", params={"jql": "key = INC-1"}, auth=DEMO).json()
    fields = result["issues"][0]["fields"]
    assert "summary" in fields and "customfield_10100" in fields and "comment" not in fields


def test_dc_jql_paging(jira_client):
    make_incidents(jira_client, 4)
    page = jira_client.jql("project = INC ORDER BY key ASC", start=2, limit=3, fields="summary")
    assert page["total"] == 7 and keys(page) == ["INC-3", "INC-4", "INC-5"]
    assert set(page["issues"][0]["fields"]) == {"summary"}


def test_cloud_enhanced_jql_pages_with_tokens(jira_cloud):
    make_incidents(jira_cloud, 3, labels=["batch"])
    first = jira_cloud.enhanced_jql("labels = batch ORDER BY created ASC", fields="summary", limit=2)
    assert len(first["issues"]) == 2 and first["isLast"] is False and first["nextPageToken"]
    second = jira_cloud.enhanced_jql("labels = batch ORDER BY created ASC", fields="summary", limit=2,
                                     nextPageToken=first["nextPageToken"])
    assert second["isLast"] is True and "nextPageToken" not in second
    assert [i["fields"]["summary"] for i in first["issues"] + second["issues"]] == ["Batch 0", "Batch 1", "Batch 2"]


def test_search_jql_defaults_to_ids_only(sandbox):
    result = requests.get(f"{sandbox.url}/rest/api/3/search/jql", params={"jql": "project = INC"}, auth=DEMO).json()
    assert result["issues"] == [{"id": "10003"}, {"id": "10002"}, {"id": "10001"}]
    assert result["isLast"] is True


def test_search_jql_post_with_names(sandbox):
    body = {"jql": "cf[10100] = SEV-1", "fields": ["summary", "customfield_10100"], "expand": "names",
            "maxResults": 10}
    result = requests.post(f"{sandbox.url}/rest/api/3/search/jql", json=body, auth=DEMO).json()
    assert keys(result) == ["INC-1"]
    assert result["names"]["customfield_10100"] == "Severity"


def test_unbounded_and_removed_endpoints(sandbox):
    unbounded = requests.get(f"{sandbox.url}/rest/api/3/search/jql", params={"jql": "order by key"}, auth=DEMO)
    assert unbounded.status_code == 400 and "Unbounded" in unbounded.json()["errorMessages"][0]
    removed = requests.get(f"{sandbox.url}/rest/api/3/search", params={"jql": "project = INC"}, auth=DEMO)
    assert removed.status_code == 410


@pytest.mark.parametrize(("jql", "expected"), [
    ("project = INC AND status = Done", ["INC-1"]),
    ('project = INC AND status in ("To Do", "In Progress") ORDER BY key ASC', ["INC-2", "INC-3"]),
    ("project = INC AND status not in (Done) ORDER BY key DESC", ["INC-3", "INC-2"]),
    ("resolution is EMPTY AND project = INC ORDER BY priority DESC", ["INC-2", "INC-3"]),
    ("resolution = Unresolved AND type = Incident ORDER BY key", ["INC-2", "INC-3"]),
    ('summary ~ "checkout"', ["INC-1"]),
    ('text ~ "rolled back"', ["INC-1"]),
    ("labels in (search, login) ORDER BY key", ["INC-2", "INC-3"]),
    ("labels is EMPTY", []),
    ("assignee = jun.seo ORDER BY key", ["ACT-1", "INC-1"]),
    ("assignee is EMPTY", ["INC-3"]),
    ("assignee != jun.seo AND project = INC", ["INC-2"]),
    ("reporter = currentUser()", ["INC-3"]),
    ('customfield_10100 in ("SEV-1", SEV-2) OR cf[10105] = None ORDER BY key', ["INC-1", "INC-3"]),
    ('"Severity" = SEV-3', ["INC-2"]),
    ('"User impact" = Degradation AND NOT "Detection method" = "Customer report"', ["INC-1"]),
    ('created >= "2026-11-01" AND created < "2026-11-24" ', ["INC-2"]),
    ("updated < -1d AND project = ACT", ["ACT-1"]),
    ("key = INC-2 OR (project = ACT AND priority = High)", ["INC-2", "ACT-1"]),
    ("key > INC-1 AND key <= INC-3 ORDER BY key ASC", ["INC-2", "INC-3"]),
    ("component = payments", ["INC-1"]),
    ("project = INC AND cf[10103] is not EMPTY", ["INC-1"]),
    ("issuetype = Task", ["ACT-1"]),
])
def test_jql_semantics(jira_client, jql, expected):
    result = keys(jira_client.jql(jql, fields="summary"))
    assert result == expected if "ORDER BY" in jql.upper() else sorted(result) == sorted(expected)


@pytest.mark.parametrize(("jql", "fragment"), [
    ("project = ", "Expecting either a value, list or function"),
    ("project INC", "Expecting operator"),
    ('summary ~ "open', "has not been completed"),
    ("nosuchfield = 1", "Field 'nosuchfield' does not exist"),
    ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'"),
    ("summary = x", "The operator '=' is not supported by the 'summary' field"),
    ("status in (Done", "Expecting ')'"),
    ("created > tomorrowish", "Date value 'tomorrowish'"),
    ("assignee = whoKnows()", "Unable to find JQL function"),
])
def test_invalid_jql_is_400_with_jira_message(sandbox, jql, fragment):
    for path in ("/rest/api/2/search", "/rest/api/3/search/jql"):
        response = requests.get(f"{sandbox.url}{path}", params={"jql": jql}, auth=DEMO)
        assert response.status_code == 400, path
        assert fragment in response.json()["errorMessages"][0], response.json()


def test_library_surfaces_jql_error(jira_client):
    with pytest.raises(HTTPError) as info:
        jira_client.jql("project = ")
    assert info.value.response.status_code == 400


def test_bad_next_page_token(sandbox):
    response = requests.get(f"{sandbox.url}/rest/api/3/search/jql",
                            params={"jql": "project = INC", "nextPageToken": "garbage"}, auth=DEMO)
    assert response.status_code == 400
