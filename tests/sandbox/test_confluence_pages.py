"""Pages and comments on the sandbox's Confluence, driven by atlassian-python-api over HTTP."""

from __future__ import annotations

import pytest
import requests
from atlassian.confluence import ConfluenceServer
from atlassian.errors import ApiError, ApiPermissionError, ApiValueError
from requests import HTTPError

from sandbox.people import by_name

PM_HOME = "98001"
ARCHIVE_HOME = "98002"


@pytest.fixture
def cloud(sandbox) -> ConfluenceServer:  # noqa: ANN001 - shared fixture
    return ConfluenceServer(sandbox.url + "/wiki", username="demo@example.com",
                            password="demo-token", cloud=True)


@pytest.fixture
def dc(sandbox) -> ConfluenceServer:  # noqa: ANN001
    return ConfluenceServer(sandbox.url + "/wiki", token="demo-pat")


def test_seeded_spaces_and_home_pages(cloud: ConfluenceServer) -> None:
    pm = cloud.get_space("PM", expand="homepage")
    assert (pm["key"], pm["name"], pm["homepage"]["id"]) == ("PM", "Postmortems", PM_HOME)
    archive = cloud.get_space("PMARCHIVE")
    assert archive["homepage"]["id"] == ARCHIVE_HOME
    assert archive["_links"]["webui"] == "/spaces/PMARCHIVE"


def test_create_and_read_page_with_expands(cloud: ConfluenceServer, sandbox) -> None:  # noqa: ANN001
    created = cloud.create_page("PM", "INC-7 Payment outage", "<p>Draft &amp; notes</p>",
                                parent_id=PM_HOME)
    page_id = created["id"]
    assert page_id.isdigit() and int(page_id) > 98000
    assert created["version"]["number"] == 1
    assert created["space"]["key"] == "PM"
    page = cloud.get_page_by_id(
        page_id, expand="body.storage,version,ancestors,space,metadata.labels,children.page,"
                        "history,container")
    assert page["title"] == "INC-7 Payment outage"
    assert page["body"]["storage"] == {
        "value": "<p>Draft &amp; notes</p>", "representation": "storage", "embeddedContent": [],
        "_expandable": {"content": f"/rest/api/content/{page_id}"}}
    assert [a["id"] for a in page["ancestors"]] == [PM_HOME]
    assert page["container"]["key"] == "PM"
    assert page["metadata"]["labels"]["results"] == []
    assert page["children"]["page"]["size"] == 0
    assert page["history"]["createdBy"]["email"] == "demo@example.com"
    version = page["version"]
    assert version["by"]["accountId"] == by_name("demo").account_id
    assert version["when"].endswith("Z") and len(version["when"]) == len("2024-05-02T09:15:00.000Z")
    links = page["_links"]
    assert links["base"] == sandbox.url + "/wiki" and links["context"] == "/wiki"
    assert links["webui"] == f"/spaces/PM/pages/{page_id}/INC-7+Payment+outage"
    assert links["self"] == f"{sandbox.url}/wiki/rest/api/content/{page_id}"
    assert links["tinyui"].startswith("/x/")
    assert "body" not in cloud.get_page_by_id(page_id)
    assert requests.get(sandbox.url + "/wiki" + links["tinyui"], allow_redirects=False,
                        timeout=5).headers["Location"].endswith(links["webui"])


def test_title_lookups(cloud: ConfluenceServer) -> None:
    page_id = cloud.create_page("PM", "Lookup me", "<p>x</p>")["id"]
    assert cloud.page_exists("PM", "Lookup me") is True
    assert cloud.page_exists("PM", "Nobody") is False
    assert cloud.page_exists("PMARCHIVE", "Lookup me") is False
    assert cloud.get_page_id("PM", "Lookup me") == page_id
    found = cloud.get_page_by_title("PM", "Lookup me", expand="body.storage")
    assert [r["id"] for r in found["results"]] == [page_id]
    assert found["results"][0]["body"]["storage"]["value"] == "<p>x</p>"


def test_page_without_parent_goes_under_the_space_home(cloud: ConfluenceServer) -> None:
    page_id = cloud.create_page("PM", "Orphan?", "<p>x</p>")["id"]
    assert cloud.get_page_by_id(page_id, expand="ancestors")["ancestors"][-1]["id"] == PM_HOME
    children = cloud.get_page_child_by_type(PM_HOME, type="page")
    assert page_id in [c["id"] for c in children]


def test_create_validation(cloud: ConfluenceServer, sandbox) -> None:  # noqa: ANN001
    cloud.create_page("PM", "Taken", "<p>x</p>")
    with pytest.raises(HTTPError) as dup:
        cloud.create_page("PM", "Taken", "<p>y</p>")
    assert dup.value.response.status_code == 400
    assert "A page with this title already exists" in dup.value.response.json()["message"]
    cloud.create_page("PMARCHIVE", "Taken", "<p>other space is fine</p>")

    with pytest.raises(HTTPError) as bad_body:
        cloud.create_page("PM", "Broken", "<p>unclosed <b>tag</p>")
    body = bad_body.value.response.json()
    assert bad_body.value.response.status_code == 400
    assert body["statusCode"] == 400 and body["message"].startswith("Error parsing xhtml")
    assert body["data"]["successful"] is False

    with pytest.raises(ApiPermissionError):  # Cloud answers 403 for a space that is not there
        cloud.create_page("NOPE", "x", "<p>x</p>")
    with pytest.raises(ApiPermissionError):  # unknown parent: 404, mapped by the library
        cloud.create_page("PM", "Child of nothing", "<p>x</p>", parent_id="1")

    auth = ("demo@example.com", "demo-token")
    url = sandbox.url + "/wiki/rest/api/content"
    for payload, fragment in (
        ({"type": "page", "space": {"key": "PM"}}, "Title"),
        ({"type": "page", "title": "No space"}, "Space"),
        ({"title": "No type", "space": {"key": "PM"}}, "type"),
        ({"type": "gizmo", "title": "x", "space": {"key": "PM"}}, "gizmo"),
    ):
        response = requests.post(url, json=payload, auth=auth, timeout=5)
        assert response.status_code == 400, payload
        assert fragment in response.json()["message"]


def test_entities_are_accepted(cloud: ConfluenceServer) -> None:
    body = "<p>Impact&nbsp;&mdash; 5&nbsp;min &hellip; it&rsquo;s fine</p>"
    page_id = cloud.create_page("PM", "Entities", body)["id"]
    assert cloud.get_page_by_id(page_id, expand="body.storage")["body"]["storage"]["value"] == body


def test_update_page_bumps_version_and_changes_parent(cloud: ConfluenceServer) -> None:
    parent = cloud.create_page("PM", "Parent", "<p>p</p>")["id"]
    page_id = cloud.create_page("PM", "Draft", "<p>v1</p>")["id"]
    updated = cloud.update_page(page_id, "Draft (reviewed)", "<p>v2</p>", parent_id=parent,
                                version_comment="review")
    assert updated["version"]["number"] == 2
    assert updated["version"]["message"] == "review"
    page = cloud.get_page_by_id(page_id, expand="body.storage,ancestors,version")
    assert page["title"] == "Draft (reviewed)"
    assert page["body"]["storage"]["value"] == "<p>v2</p>"
    assert [a["id"] for a in page["ancestors"]] == [PM_HOME, parent]
    assert cloud.history(page_id)["lastUpdated"]["number"] == 2
    versions = cloud.get_all_page_versions(page_id)
    assert [v["number"] for v in versions] == [2, 1]
    first = cloud.get_content_history_by_version_number(page_id, 1)
    assert first["number"] == 1
    old = cloud.get_page_by_id(page_id, expand="body.storage", version=1)
    assert (old["status"], old["body"]["storage"]["value"]) == ("historical", "<p>v1</p>")


def test_stale_version_is_a_conflict(cloud: ConfluenceServer, sandbox) -> None:  # noqa: ANN001
    page_id = cloud.create_page("PM", "Racy", "<p>v1</p>")["id"]
    payload = {"id": page_id, "type": "page", "title": "Racy",
               "body": {"storage": {"value": "<p>v2</p>", "representation": "storage"}},
               "version": {"number": 2}}
    assert cloud.put(f"rest/api/content/{page_id}", data=payload)["version"]["number"] == 2
    with pytest.raises(HTTPError) as caught:
        cloud.put(f"rest/api/content/{page_id}", data=payload)
    assert caught.value.response.status_code == 409
    assert caught.value.response.json()["message"] == (
        "Version must be incremented on update. Current version is: 2")
    payload["version"] = {"number": 3}
    payload["body"]["storage"]["value"] = "<p>bad & body</p>"
    with pytest.raises(HTTPError) as invalid:
        cloud.put(f"rest/api/content/{page_id}", data=payload)
    assert invalid.value.response.status_code == 400
    assert cloud.history(page_id)["lastUpdated"]["number"] == 2


def test_update_cannot_steal_a_title(cloud: ConfluenceServer) -> None:
    cloud.create_page("PM", "First", "<p>1</p>")
    second = cloud.create_page("PM", "Second", "<p>2</p>")["id"]
    with pytest.raises(ApiValueError):
        cloud.update_page(second, "First", "<p>2b</p>")


def test_children_and_descendants(cloud: ConfluenceServer) -> None:
    top = cloud.create_page("PM", "Top", "<p>t</p>")["id"]
    child = cloud.create_page("PM", "Child", "<p>c</p>", parent_id=top)["id"]
    grandchild = cloud.create_page("PM", "Grandchild", "<p>g</p>", parent_id=child)["id"]
    assert [c["id"] for c in cloud.get_page_child_by_type(top, type="page")] == [child]
    descendants = cloud.get(f"rest/api/content/{top}/descendant/page")
    assert [c["id"] for c in descendants["results"]] == [child, grandchild]
    expanded = cloud.get(f"rest/api/content/{top}/child", params={"expand": "page"})
    assert expanded["page"]["results"][0]["title"] == "Child"
    assert cloud.get_page_by_id(top, expand="children.page")["children"]["page"]["size"] == 1


def test_delete_trashes_and_children_move_up(cloud: ConfluenceServer) -> None:
    parent = cloud.create_page("PM", "Doomed", "<p>d</p>")["id"]
    child = cloud.create_page("PM", "Survivor", "<p>s</p>", parent_id=parent)["id"]
    assert cloud.remove_page(parent) == 204
    with pytest.raises(ApiError):
        cloud.get_page_by_id(parent)
    trashed = cloud.get_page_by_id(parent, status="trashed")
    assert trashed["status"] == "trashed"
    assert cloud.get_page_by_id(child, expand="ancestors")["ancestors"][-1]["id"] == PM_HOME
    cloud.create_page("PM", "Doomed", "<p>title is free again</p>")
    assert cloud.remove_page(parent, status="trashed") == 204
    with pytest.raises(ApiError):
        cloud.get_page_by_id(parent, status="trashed")


def test_comments(cloud: ConfluenceServer) -> None:
    page_id = cloud.create_page("PM", "Discussed", "<p>x</p>")["id"]
    first = cloud.add_comment(page_id, "<p>Looks <b>good</b></p>")
    assert first["type"] == "comment"
    assert first["container"]["id"] == page_id
    cloud.add_comment(page_id, "<p>Second</p>")
    comments = cloud.get_page_comments(page_id, expand="body.storage")
    assert [c["body"]["storage"]["value"] for c in comments["results"]] == [
        "<p>Looks <b>good</b></p>", "<p>Second</p>"]
    assert "focusedCommentId" in comments["results"][0]["_links"]["webui"]
    with pytest.raises(HTTPError) as bad:
        cloud.add_comment(page_id, "<p>broken")
    assert bad.value.response.status_code == 400
    with pytest.raises(ApiPermissionError):
        cloud.add_comment("1", "<p>nowhere</p>")


def test_data_center_form_with_a_personal_access_token(dc: ConfluenceServer) -> None:
    page = dc.create_page("PMARCHIVE", "Via PAT", "<p>dc</p>", parent_id=ARCHIVE_HOME)
    assert page["version"]["by"]["username"] == "demo"
    assert dc.get_page_id("PMARCHIVE", "Via PAT") == page["id"]


def test_wrong_credentials_get_401(sandbox) -> None:  # noqa: ANN001
    bad = ConfluenceServer(sandbox.url + "/wiki", username="demo@example.com",
                           password="wrong", cloud=True)
    with pytest.raises(HTTPError) as caught:
        bad.get_space("PM")
    assert caught.value.response.status_code == 401
