"""Labels, content properties and watchers on the sandbox's Confluence."""

from __future__ import annotations

import pytest
import requests
from atlassian.confluence import ConfluenceServer
from atlassian.errors import ApiConflictError, ApiError, ApiNotFoundError, ApiValueError
from requests import HTTPError

from sandbox.people import by_name

AUTH = ("demo@example.com", "demo-token")


@pytest.fixture
def cloud(sandbox) -> ConfluenceServer:  # noqa: ANN001 - shared fixture
    return ConfluenceServer(sandbox.url + "/wiki", username="demo@example.com",
                            password="demo-token", cloud=True)


@pytest.fixture
def page_id(cloud: ConfluenceServer) -> str:
    return cloud.create_page("PM", "INC-9 Queue backlog", "<p>x</p>")["id"]


def test_labels_add_list_remove(cloud: ConfluenceServer, page_id: str) -> None:
    added = cloud.set_page_label(page_id, "Postmortem")
    assert [label["name"] for label in added["results"]] == ["postmortem"]
    assert added["results"][0]["prefix"] == "global" and added["results"][0]["id"].isdigit()
    cloud.post(f"rest/api/content/{page_id}/label",
               data=[{"prefix": "global", "name": "sev1"}, {"prefix": "global", "name": "draft"}])
    cloud.set_page_label(page_id, "postmortem")  # adding twice keeps one
    names = [label["name"] for label in cloud.get_page_labels(page_id)["results"]]
    assert names == ["postmortem", "sev1", "draft"]
    cloud.remove_page_label(page_id, "draft")
    cloud.delete(f"rest/api/content/{page_id}/label/sev1")
    assert [lbl["name"] for lbl in cloud.get_page_labels(page_id)["results"]] == ["postmortem"]
    with pytest.raises(ApiError):
        cloud.remove_page_label(page_id, "never-there")
    page = cloud.get_page_by_id(page_id, expand="metadata.labels")
    assert [lbl["name"] for lbl in page["metadata"]["labels"]["results"]] == ["postmortem"]


def test_labels_reject_spaces_and_bad_characters(cloud: ConfluenceServer, page_id: str) -> None:
    for bad in ("two words", "semi;colon", "<b>", ""):
        with pytest.raises(HTTPError) as caught:
            cloud.set_page_label(page_id, bad)
        assert caught.value.response.status_code == 400
    with pytest.raises(ApiError):
        cloud.set_page_label("1", "orphan")


def test_labels_on_create_and_update(cloud: ConfluenceServer) -> None:
    created = cloud.create_content({
        "type": "page", "title": "Labelled at birth", "space": {"key": "PM"},
        "body": {"storage": {"value": "<p>x</p>", "representation": "storage"}},
        "metadata": {"labels": [{"prefix": "global", "name": "Postmortem"}]},
    })
    page_id = created["id"]
    assert [lbl["name"] for lbl in cloud.get_page_labels(page_id)["results"]] == ["postmortem"]
    cloud.put(f"rest/api/content/{page_id}", data={
        "type": "page", "title": "Labelled at birth", "version": {"number": 2},
        "metadata": {"labels": [{"name": "archived"}]}})
    assert [lbl["name"] for lbl in cloud.get_page_labels(page_id)["results"]] == ["archived"]


def test_content_properties_lifecycle(cloud: ConfluenceServer, page_id: str) -> None:
    created = cloud.set_page_property(page_id, {"key": "debrief", "value": {"stage": "draft"}})
    assert created["version"]["number"] == 1 and created["key"] == "debrief"
    assert cloud.get_page_property(page_id, "debrief")["value"] == {"stage": "draft"}
    with pytest.raises(ApiValueError):  # the key is taken: 400
        cloud.set_page_property(page_id, {"key": "debrief", "value": 1})

    updated = cloud.update_page_property(
        page_id, {"key": "debrief", "value": {"stage": "review"}, "version": {"number": 2}})
    assert updated["version"]["number"] == 2
    with pytest.raises(ApiConflictError):
        cloud.update_page_property(
            page_id, {"key": "debrief", "value": {"stage": "late"}, "version": {"number": 2}})
    assert cloud.get_page_property(page_id, "debrief")["value"] == {"stage": "review"}

    fresh = cloud.update_page_property(page_id, {"key": "new", "value": [1, 2],
                                                 "version": {"number": 1}})
    assert fresh["version"]["number"] == 1
    keys = [p["key"] for p in cloud.get_page_properties(page_id)]
    assert {"debrief", "new"} <= set(keys)

    cloud.delete_page_property(page_id, "debrief")
    with pytest.raises(ApiError):
        cloud.get_page_property(page_id, "debrief")
    with pytest.raises(ApiError):
        cloud.delete_page_property(page_id, "debrief")


def test_property_version_two_on_missing_key_is_404(cloud: ConfluenceServer, page_id: str) -> None:
    with pytest.raises(ApiNotFoundError):
        cloud.update_page_property(page_id, {"key": "ghost", "value": 1,
                                             "version": {"number": 2}})


def test_property_value_limit(cloud: ConfluenceServer, page_id: str) -> None:
    with pytest.raises(ApiValueError):  # 413 from the site
        cloud.set_page_property(page_id, {"key": "big", "value": "x" * (33 * 1024)})


def test_watchers(cloud: ConfluenceServer, page_id: str, sandbox) -> None:  # noqa: ANN001
    mina = by_name("mina.park")
    path = f"rest/api/user/watch/content/{page_id}"
    assert cloud.get(path, params={"accountId": mina.account_id}) == {"watching": False}
    cloud.post(path, params={"accountId": mina.account_id})
    cloud.post(path, params={"username": "jun.seo"}, headers=cloud.no_check_headers)
    cloud.post(path)  # no user: the caller
    assert cloud.get(path, params={"accountId": mina.account_id}) == {"watching": True}
    assert cloud.get(path) == {"watching": True}
    watches = cloud.get(f"rest/api/content/{page_id}/notification/child-created")
    assert [w["watcher"]["displayName"] for w in watches["results"]] == [
        "Mina Park", "Jun Seo", "Demo Admin"]
    assert watches["results"][0]["type"] == "page"
    assert watches["results"][0]["contentId"] == int(page_id)
    cloud.delete(path, params={"accountId": mina.account_id})
    assert cloud.get(path, params={"accountId": mina.account_id}) == {"watching": False}
    with pytest.raises(HTTPError) as unknown:
        cloud.post(path, params={"accountId": "nobody"})
    assert unknown.value.response.status_code == 404

    # a form-like request without the XSRF header is refused, as Atlassian's REST layer does
    refused = requests.post(f"{sandbox.url}/wiki/{path}", params={"accountId": mina.account_id},
                            data={"x": "1"}, auth=AUTH, timeout=5)
    assert refused.status_code == 403


def test_space_watches(cloud: ConfluenceServer, page_id: str) -> None:
    cloud.post("rest/api/user/watch/space/PM", params={"username": "sara.lee"})
    watches = cloud.get(f"rest/api/content/{page_id}/notification/created")
    assert [(w["type"], w["spaceKey"], w["watcher"]["displayName"]) for w in watches["results"]] \
        == [("space", "PM", "Sara Lee")]
