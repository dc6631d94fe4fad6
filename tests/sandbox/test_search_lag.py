"""The search-lag fault: CQL and JQL search see pages and issues as they were N seconds ago,
while lookups that are not search see them at once."""

from __future__ import annotations

import time

import pytest
import requests

DEMO = ("demo@example.com", "demo-token")


def set_faults(sandbox, *rules):
    response = requests.put(f"{sandbox.url}/_sandbox/faults", json=list(rules), auth=DEMO)
    assert response.status_code == 200, response.text
    return response.json()


def cql(sandbox, query: str, path: str = "/wiki/rest/api/search") -> list[str]:
    r = requests.get(f"{sandbox.url}{path}", auth=DEMO, params={"cql": query})
    assert r.ok, r.text
    results = r.json()["results"]
    return [(x.get("content") or x)["id"] for x in results]


def jql(sandbox, query: str) -> list[str]:
    r = requests.get(f"{sandbox.url}/rest/api/3/search/jql", auth=DEMO, params={"jql": query, "fields": "summary"})
    assert r.ok, r.text
    return [i["key"] for i in r.json()["issues"]]


def make_page(sandbox, title: str, labels: list[str]) -> str:
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", auth=DEMO, json={
        "type": "page", "title": title, "space": {"key": "PM"},
        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
        "metadata": {"labels": [{"prefix": "global", "name": n} for n in labels]}})
    assert r.ok, r.text
    return r.json()["id"]


def test_cql_search_does_not_find_a_new_page_until_the_lag_has_passed(sandbox):
    set_faults(sandbox, {"kind": "search_lag", "seconds": 1.5})
    page = make_page(sandbox, "Lagged page", ["lag-test"])
    assert cql(sandbox, 'label = "lag-test"') == []
    assert cql(sandbox, 'label = "lag-test"', "/wiki/rest/api/content/search") == []
    # Not search: the lookup by space and title sees it at once.
    by_title = requests.get(f"{sandbox.url}/wiki/rest/api/content", auth=DEMO,
                            params={"spaceKey": "PM", "title": "Lagged page"}).json()
    assert [p["id"] for p in by_title["results"]] == [page]
    time.sleep(1.6)
    assert cql(sandbox, 'label = "lag-test"') == [page]


def test_cql_search_matches_old_labels_inside_the_lag(sandbox):
    page = make_page(sandbox, "Relabelled page", ["before"])
    time.sleep(0.3)
    set_faults(sandbox, {"kind": "search_lag", "seconds": 0.2, "path": "/wiki/*"})
    requests.post(f"{sandbox.url}/wiki/rest/api/content/{page}/label", auth=DEMO,
                  json=[{"prefix": "global", "name": "after"}]).raise_for_status()
    assert cql(sandbox, 'label = "after"') == []
    assert cql(sandbox, 'label = "before"') == [page]
    time.sleep(0.3)
    assert cql(sandbox, 'label = "after"') == [page]


def test_seeded_content_is_found_at_once_and_no_lag_means_no_change(sandbox):
    before = cql(sandbox, "type = page")
    assert before
    set_faults(sandbox, {"kind": "search_lag", "seconds": 60})
    assert cql(sandbox, "type = page") == before


def test_jql_search_does_not_find_a_new_issue_until_the_lag_has_passed(sandbox):
    set_faults(sandbox, {"kind": "search_lag", "seconds": 1.5, "path": "/rest/api/*"})
    r = requests.post(f"{sandbox.url}/rest/api/2/issue", auth=DEMO, json={"fields": {
        "project": {"key": "INC"}, "issuetype": {"name": "Incident"}, "summary": "lag me",
        "labels": ["lag-test"]}})
    assert r.status_code == 201, r.text
    key = r.json()["key"]
    assert jql(sandbox, "labels = lag-test") == []
    old = requests.get(f"{sandbox.url}/rest/api/2/search", auth=DEMO, params={"jql": "labels = lag-test"})
    assert old.json()["issues"] == []
    # Not search: the issue itself is there.
    assert requests.get(f"{sandbox.url}/rest/api/2/issue/{key}", auth=DEMO).status_code == 200
    time.sleep(1.6)
    assert jql(sandbox, "labels = lag-test") == [key]


def test_jql_search_matches_old_field_values_inside_the_lag(sandbox):
    r = requests.post(f"{sandbox.url}/rest/api/2/issue", auth=DEMO, json={"fields": {
        "project": {"key": "INC"}, "issuetype": {"name": "Incident"}, "summary": "relabel me"}})
    key = r.json()["key"]
    time.sleep(0.3)
    set_faults(sandbox, {"kind": "search_lag", "seconds": 0.2})
    requests.put(f"{sandbox.url}/rest/api/2/issue/{key}", auth=DEMO,
                 json={"update": {"labels": [{"add": "late-label"}]}}).raise_for_status()
    assert jql(sandbox, "labels = late-label") == []
    time.sleep(0.3)
    assert jql(sandbox, "labels = late-label") == [key]


@pytest.mark.parametrize("rule", [{"kind": "search_lag"}, {"kind": "search_lag", "seconds": -1},
                                  {"kind": "search_lag", "seconds": "soon"}])
def test_bad_search_lag_rules_are_refused(sandbox, rule):
    r = requests.put(f"{sandbox.url}/_sandbox/faults", json=[rule], auth=DEMO)
    assert r.status_code == 400, r.text
