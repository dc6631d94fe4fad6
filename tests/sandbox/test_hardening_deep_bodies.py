"""A rich-text body nested too deep is refused up front (400, as Jira refuses an invalid
document) and never stored; what is stored can always be served back."""

from __future__ import annotations

import pytest
import requests

from sandbox.jira.adf import MAX_DEPTH

DEMO = ("demo@example.com", "demo-token")


def nested_doc(levels: int) -> dict:
    """A doc whose blockquotes nest so that the whole document is ``levels`` deep."""
    node = {"type": "paragraph", "content": [{"type": "text", "text": "deep words"}]}
    for _ in range(levels - 3):  # doc > blockquote* > paragraph > text
        node = {"type": "blockquote", "content": [node]}
    return {"type": "doc", "version": 1, "content": [node]}


def issue_reads(sandbox, key: str) -> list[int]:
    url = sandbox.url
    return [requests.get(f"{url}{path}", auth=DEMO, timeout=10).status_code for path in (
        f"/rest/api/2/issue/{key}", f"/rest/api/3/issue/{key}", f"/rest/api/2/issue/{key}/comment",
        f"/rest/api/3/issue/{key}/comment", f"/rest/api/2/issue/{key}?expand=renderedFields",
        "/rest/api/2/search?jql=text~%22deep%20words%22")]


def test_a_comment_450_deep_is_refused_and_the_issue_stays_readable(sandbox):
    before = requests.get(f"{sandbox.url}/rest/api/3/issue/INC-1/comment", auth=DEMO).json()["total"]
    refused = requests.post(f"{sandbox.url}/rest/api/3/issue/INC-1/comment", auth=DEMO, timeout=10,
                            json={"body": nested_doc(450)})
    assert refused.status_code == 400 and refused.json()["errors"]["comment"]
    assert requests.get(f"{sandbox.url}/rest/api/3/issue/INC-1/comment", auth=DEMO).json()["total"] == before
    assert issue_reads(sandbox, "INC-1") == [200] * 6


def test_the_deepest_accepted_comment_is_served_back_everywhere(sandbox):
    created = requests.post(f"{sandbox.url}/rest/api/3/issue/INC-1/comment", auth=DEMO, timeout=10,
                            json={"body": nested_doc(MAX_DEPTH)})
    assert created.status_code == 201, created.text
    assert issue_reads(sandbox, "INC-1") == [200] * 6
    comments = requests.get(f"{sandbox.url}/rest/api/2/issue/INC-1/comment", auth=DEMO).json()["comments"]
    assert "deep words" in comments[-1]["body"]


@pytest.mark.parametrize("how", ["create", "edit", "update-comment"])
def test_deep_documents_are_refused_in_fields_and_comment_operations(sandbox, how):
    deep = nested_doc(450)
    url = f"{sandbox.url}/rest/api/3/issue"
    if how == "create":
        answer = requests.post(url, auth=DEMO, timeout=10, json={"fields": {
            "project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "x", "description": deep}})
    elif how == "edit":
        answer = requests.put(f"{url}/INC-1", auth=DEMO, timeout=10, json={"fields": {"description": deep}})
    else:
        answer = requests.put(f"{url}/INC-1", auth=DEMO, timeout=10,
                              json={"update": {"comment": [{"add": {"body": deep}}]}})
    assert answer.status_code == 400, answer.text
    assert issue_reads(sandbox, "INC-1") == [200] * 6


def test_confluence_refuses_storage_nested_450_deep(sandbox):
    body = "<blockquote>" * 450 + "<p>deep</p>" + "</blockquote>" * 450
    wiki = f"{sandbox.url}/wiki/rest/api/content"
    for spec in ({"type": "comment", "container": {"id": "98004", "type": "page"}},
                 {"type": "page", "title": "deep", "space": {"key": "PM"}}):
        answer = requests.post(wiki, auth=DEMO, timeout=10,
                               json={**spec, "body": {"storage": {"value": body, "representation": "storage"}}})
        assert answer.status_code == 400 and "Error parsing xhtml" in answer.json()["message"]
    served = requests.get(f"{wiki}/98004/child/comment", params={"expand": "body.storage,body.view"},
                          auth=DEMO, timeout=10)
    assert served.status_code == 200
