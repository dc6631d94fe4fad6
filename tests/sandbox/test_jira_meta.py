"""Metadata and users: priorities, projects, fields, issue types, user search, myself, serverInfo."""

from __future__ import annotations

import requests

DEMO = ("demo@example.com", "demo-token")


def test_priorities_have_jira_ids(jira_client, sandbox):
    priorities = jira_client.get_all_priorities()
    assert [(p["id"], p["name"]) for p in priorities] == [
        ("1", "Highest"), ("2", "High"), ("3", "Medium"), ("4", "Low"), ("5", "Lowest")]
    page = requests.get(f"{sandbox.url}/rest/api/3/priority/search?maxResults=2", auth=DEMO).json()
    assert (page["total"], page["isLast"], len(page["values"])) == (5, False, 2)


def test_projects_dc_and_cloud(jira_client, jira_cloud, sandbox):
    assert [p["key"] for p in jira_client.projects()] == ["INC", "ACT"]
    assert [p["key"] for p in jira_cloud.projects()] == ["INC", "ACT"]
    inc = requests.get(f"{sandbox.url}/rest/api/2/project/INC", auth=DEMO).json()
    assert inc["name"] == "Incidents"
    assert [t["name"] for t in inc["issueTypes"]] == ["Incident", "Task"]
    assert [c["name"] for c in inc["components"]] == ["checkout", "payments", "search", "login"]
    act = requests.get(f"{sandbox.url}/rest/api/2/project/ACT", auth=DEMO).json()
    assert [t["name"] for t in act["issueTypes"]] == ["Task", "Bug", "Story"]
    assert requests.get(f"{sandbox.url}/rest/api/2/project/ZZZ", auth=DEMO).status_code == 404


def test_fields_expose_custom_ids(sandbox):
    fields = {f["id"]: f for f in requests.get(f"{sandbox.url}/rest/api/2/field", auth=DEMO).json()}
    expected = {"customfield_10100": "Severity", "customfield_10101": "Incident start",
                "customfield_10102": "Detected at", "customfield_10103": "Mitigated at",
                "customfield_10104": "Detection method", "customfield_10105": "User impact",
                "customfield_10106": "Postmortem"}
    assert {k: fields[k]["name"] for k in expected} == expected
    assert fields["customfield_10100"]["custom"] is True
    assert fields["customfield_10100"]["clauseNames"] == ["cf[10100]", "Severity"]
    assert fields["customfield_10101"]["schema"]["type"] == "datetime"
    assert fields["summary"]["custom"] is False


def test_issue_types_statuses_resolutions(sandbox):
    names = lambda path: [x["name"] for x in requests.get(f"{sandbox.url}/rest/api/2/{path}", auth=DEMO).json()]  # noqa: E731
    assert set(names("issuetype")) == {"Incident", "Task", "Bug", "Story"}
    assert names("resolution") == ["Done", "Fixed", "Won't Do"]
    assert names("status") == ["To Do", "In Progress", "Done", "Resolved"]


def test_user_search_cloud_and_dc(jira_client, jira_cloud):
    dc = jira_client.user_find_by_user_string(username="mina")
    assert [u["name"] for u in dc] == ["mina.park"]
    cloud = jira_cloud.user_find_by_user_string(query="Lee")
    assert [u["displayName"] for u in cloud] == ["Sara Lee"]
    by_id = jira_cloud.user_find_by_user_string(account_id="5b10ac8d82e05b22cc7d4ef7")
    assert by_id[0]["emailAddress"] == "alex.kim@example.com"
    assert len(jira_client.user_find_by_user_string(username=".")) == 6


def test_user_lookup_and_myself(jira_client, jira_cloud):
    assert jira_cloud.user(account_id="5b10ac8d82e05b22cc7d4ef6")["displayName"] == "Jun Seo"
    assert jira_client.user(username="tom.choi")["timeZone"] == "Europe/London"
    me = jira_client.myself()
    assert me["accountId"] == "5b10a2844c20165700ede21g" and me["emailAddress"] == "demo@example.com"


def test_unknown_user_is_404(sandbox):
    response = requests.get(f"{sandbox.url}/rest/api/2/user?accountId=nope", auth=DEMO)
    assert response.status_code == 404 and response.json()["errorMessages"]


def test_server_info_open_and_cloud_shaped(sandbox):
    info = requests.get(f"{sandbox.url}/rest/api/2/serverInfo").json()
    assert info["baseUrl"] == sandbox.url and info["deploymentType"] == "Cloud"
    assert requests.get(f"{sandbox.url}/rest/api/3/serverInfo").status_code == 200
