"""Data Center names people differently from Cloud: one place chooses (postmortem.identity),
and the sandbox serves DC's forms to a PAT caller."""

from __future__ import annotations

import pytest
import requests

from postmortem.identity import Identities, Mention
from postmortem.incident import Person
from sandbox.people import by_account_id

MINA_ID = "5b10ac8d82e05b22cc7d4ef5"
MINA = Person(MINA_ID, "Mina Park", username="mina.park")
PAT = {"Authorization": "Bearer demo-pat"}


def test_cloud_names_people_by_account_id_everywhere():
    cloud = Identities("cloud")
    assert cloud.watcher_params(MINA) == {"accountId": MINA_ID}
    assert cloud.jira_user(MINA) == {"accountId": MINA_ID}
    assert cloud.restriction_user(MINA) == {"type": "known", "accountId": MINA_ID}
    assert cloud.jira_mention(MINA) == f"[~accountid:{MINA_ID}]"
    assert cloud.mention(MINA) == Mention("account-id", MINA_ID)


def test_data_center_names_people_by_username_and_confluence_user_key():
    dc = Identities("datacenter").with_confluence_keys({"mina.park": "8a7f8"})
    assert dc.watcher_params(MINA) == {"username": "mina.park"}
    assert dc.jira_user(MINA) == {"name": "mina.park"}
    assert dc.restriction_user(MINA) == {"type": "known", "username": "mina.park"}
    assert dc.jira_mention(MINA) == "[~mina.park]"
    assert dc.mention(MINA) == Mention("userkey", "8a7f8")
    assert dc.mention(Person("JIRAUSER1", "Unknown", username="ghost")) is None  # not in Confluence: text
    with pytest.raises(ValueError):
        Identities("server")


def test_sandbox_serves_data_center_user_forms_to_a_pat(sandbox):
    mina = by_account_id(MINA_ID)
    jira = requests.get(f"{sandbox.url}/rest/api/2/user", headers=PAT, params={"username": "mina.park"}).json()
    assert jira["name"] == "mina.park" and jira["key"] == mina.jira_key != "mina.park" and "accountId" not in jira
    by_key = requests.get(f"{sandbox.url}/rest/api/2/user", headers=PAT, params={"key": mina.jira_key}).json()
    assert by_key["name"] == "mina.park"
    conf = requests.get(f"{sandbox.url}/wiki/rest/api/user", headers=PAT, params={"username": "mina.park"}).json()
    assert conf["userKey"] == mina.confluence_key and conf["userKey"] != "mina.park" and "accountId" not in conf
    again = requests.get(f"{sandbox.url}/wiki/rest/api/user", headers=PAT, params={"key": mina.confluence_key})
    assert again.json()["username"] == "mina.park"
    missing = requests.get(f"{sandbox.url}/wiki/rest/api/user", headers=PAT, params={"username": "nobody"})
    assert missing.status_code == 404


def test_sandbox_watches_by_username_and_refuses_a_cloud_id_as_username(sandbox):
    home = requests.get(f"{sandbox.url}/wiki/rest/api/space/PM", headers=PAT, params={"expand": "homepage"}).json()
    page = home["homepage"]["id"]
    url = f"{sandbox.url}/wiki/rest/api/user/watch/content/{page}"
    headers = {**PAT, "X-Atlassian-Token": "no-check"}
    assert requests.post(url, headers=headers, params={"username": MINA_ID}).status_code == 404
    assert requests.post(url, headers=headers, params={"username": "mina.park"}).status_code == 204
    assert requests.get(url, headers=PAT, params={"username": "mina.park"}).json()["watching"] is True


def test_sandbox_renders_a_userkey_mention(sandbox):
    mina = by_account_id(MINA_ID)
    body = f'<p><ac:link><ri:user ri:userkey="{mina.confluence_key}"/></ac:link></p>'
    r = requests.post(f"{sandbox.url}/wiki/rest/api/content", headers=PAT, json={
        "type": "page", "title": "Mention test", "space": {"key": "PM"},
        "body": {"storage": {"value": body, "representation": "storage"}}})
    assert r.ok, r.text
    view = requests.get(f"{sandbox.url}/wiki/rest/api/content/{r.json()['id']}", headers=PAT,
                        params={"expand": "body.view"}).json()
    assert "@Mina Park" in view["body"]["view"]["value"]
