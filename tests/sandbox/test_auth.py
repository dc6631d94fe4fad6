"""Authentication: Basic (e-mail + API token), Bearer PAT, product-shaped 401s, open routes."""

from __future__ import annotations

import pytest
import requests
from atlassian import Jira
from requests import HTTPError

DEMO = ("demo@example.com", "demo-token")


@pytest.mark.parametrize("auth", [None, ("demo@example.com", "wrong"), ("nobody@example.com", "demo-token")])
def test_jira_401_body(sandbox, auth):
    response = requests.get(f"{sandbox.url}/rest/api/2/myself", auth=auth)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")
    assert response.json() == {"errorMessages": [
        "You are not authenticated. Authentication required to perform this operation."], "errors": {}}


def test_confluence_401_body(sandbox):
    response = requests.get(f"{sandbox.url}/wiki/rest/api/content", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers
    body = response.json()
    assert body["statusCode"] == 401 and body["data"]["authorized"] is False and body["message"]


def test_bearer_pat_and_other_people(sandbox):
    me = requests.get(f"{sandbox.url}/rest/api/2/myself", headers={"Authorization": "Bearer demo-pat"}).json()
    assert me["name"] == "demo"
    mina = requests.get(f"{sandbox.url}/rest/api/2/myself", auth=("mina.park@example.com", "mina-token")).json()
    assert mina["displayName"] == "Mina Park"
    client = Jira(url=sandbox.url, token="jun-pat")
    assert client.myself()["displayName"] == "Jun Seo"


def test_actions_are_attributed_to_the_caller(sandbox):
    created = requests.post(f"{sandbox.url}/rest/api/2/issue", auth=("sara.lee@example.com", "sara-token"), json={
        "fields": {"project": {"key": "ACT"}, "issuetype": {"name": "Task"}, "summary": "Review"}}).json()
    issue = requests.get(f"{sandbox.url}/rest/api/2/issue/{created['key']}", auth=DEMO).json()
    assert issue["fields"]["reporter"]["displayName"] == "Sara Lee"
    assert issue["fields"]["creator"]["displayName"] == "Sara Lee"


def test_library_raises_on_bad_credentials(sandbox):
    client = Jira(url=sandbox.url, username="demo@example.com", password="nope")
    with pytest.raises(HTTPError) as info:
        client.myself()
    assert info.value.response.status_code == 401


def test_open_routes(sandbox):
    assert requests.get(f"{sandbox.url}/rest/api/2/serverInfo").status_code == 200
    assert requests.get(f"{sandbox.url}/rest/api/3/serverInfo").status_code == 200
    page = requests.get(f"{sandbox.url}/browse/INC-1")
    assert page.status_code == 200 and "Checkout API returning 502s" in page.text


def test_sandbox_hooks_need_demo_credentials(sandbox):
    assert requests.get(f"{sandbox.url}/_sandbox/journal").status_code == 401
    other = requests.get(f"{sandbox.url}/_sandbox/journal", auth=("mina.park@example.com", "mina-token"))
    assert other.status_code == 403
    assert requests.get(f"{sandbox.url}/_sandbox/journal", auth=DEMO).status_code == 200
    assert requests.get(f"{sandbox.url}/_sandbox/journal", headers={"Authorization": "Bearer demo-pat"}).ok


def test_unknown_api_path_is_product_404(sandbox):
    jira_404 = requests.get(f"{sandbox.url}/rest/api/2/nothing-here", auth=DEMO)
    assert jira_404.status_code == 404 and "errorMessages" in jira_404.json()
