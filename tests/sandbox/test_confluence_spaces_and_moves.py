"""Spaces, and page moves (Cloud REST move and the Data Center movepage.action)."""

from __future__ import annotations

import pytest
import requests
from atlassian.confluence import ConfluenceServer
from atlassian.errors import ApiError
from requests import HTTPError

PM_HOME = "98001"
ARCHIVE_HOME = "98002"
AUTH = ("demo@example.com", "demo-token")


@pytest.fixture
def cloud(sandbox) -> ConfluenceServer:  # noqa: ANN001 - shared fixture
    return ConfluenceServer(sandbox.url + "/wiki", username="demo@example.com",
                            password="demo-token", cloud=True)


@pytest.fixture
def dc(sandbox) -> ConfluenceServer:  # noqa: ANN001
    return ConfluenceServer(sandbox.url + "/wiki", token="demo-pat")


def _parent(client: ConfluenceServer, page_id: str) -> str:
    return client.get_page_by_id(page_id, expand="ancestors")["ancestors"][-1]["id"]


def test_create_and_list_spaces(cloud: ConfluenceServer) -> None:
    space = cloud.create_space("OPS", "Operations")
    assert (space["key"], space["name"], space["type"]) == ("OPS", "Operations", "global")
    home = space["homepage"]["id"]
    assert cloud.get_space("OPS", expand="homepage")["homepage"]["id"] == home
    assert cloud.get_page_by_id(home, expand="space")["space"]["key"] == "OPS"
    keys = [s["key"] for s in cloud.get("rest/api/space")["results"]]
    assert keys == ["OPS", "PM", "PMARCHIVE"]
    for key, name in (("OPS", "Again"), ("bad key", "Spaces"), ("NONAME", "")):
        with pytest.raises(HTTPError) as caught:
            cloud.create_space(key, name)
        assert caught.value.response.status_code == 400
    with pytest.raises(ApiError):
        cloud.get_space("NOPE")


def test_rest_move_append_before_after(cloud: ConfluenceServer) -> None:
    a = cloud.create_page("PM", "A", "<p>a</p>")["id"]
    b = cloud.create_page("PM", "B", "<p>b</p>")["id"]
    c = cloud.create_page("PM", "C", "<p>c</p>")["id"]
    assert cloud.put(f"rest/api/content/{c}/move/append/{a}") == {"pageId": c}
    assert _parent(cloud, c) == a
    cloud.put(f"rest/api/content/{c}/move/before/{b}")
    children = [p["title"] for p in cloud.get_page_child_by_type(PM_HOME, type="page")]
    assert children.index("C") == children.index("B") - 1
    cloud.put(f"rest/api/content/{c}/move/after/{b}")
    children = [p["title"] for p in cloud.get_page_child_by_type(PM_HOME, type="page")]
    assert children[-2:] == ["B", "C"]


def test_rest_move_errors(cloud: ConfluenceServer) -> None:
    parent = cloud.create_page("PM", "Parent", "<p>p</p>")["id"]
    child = cloud.create_page("PM", "Child", "<p>c</p>", parent_id=parent)["id"]
    for path, status in (
        (f"rest/api/content/{parent}/move/sideways/{child}", 400),
        (f"rest/api/content/{parent}/move/append/{child}", 400),  # under its own descendant
        (f"rest/api/content/{parent}/move/append/{parent}", 400),
        (f"rest/api/content/{parent}/move/append/1", 404),
        (f"rest/api/content/1/move/append/{parent}", 404),
    ):
        with pytest.raises(HTTPError) as caught:
            cloud.put(path)
        assert caught.value.response.status_code == status, path


def test_cross_space_move_takes_descendants(cloud: ConfluenceServer) -> None:
    draft = cloud.create_page("PM", "INC-3 Postmortem", "<p>final</p>")["id"]
    appendix = cloud.create_page("PM", "INC-3 Appendix", "<p>logs</p>", parent_id=draft)["id"]
    cloud.add_comment(draft, "<p>approved</p>")
    cloud.put(f"rest/api/content/{draft}/move/append/{ARCHIVE_HOME}")
    for page_id in (draft, appendix):
        assert cloud.get_page_by_id(page_id, expand="space")["space"]["key"] == "PMARCHIVE"
    assert cloud.get_page_id("PMARCHIVE", "INC-3 Appendix") == appendix
    assert cloud.page_exists("PM", "INC-3 Postmortem") is False
    assert [r["title"] for r in cloud.cql("space = PMARCHIVE and ancestor = " + draft)[
        "results"]] == ["INC-3 Appendix"]
    comments = cloud.get_page_comments(draft, expand="space")["results"]
    assert comments[0]["space"]["key"] == "PMARCHIVE"


def test_cross_space_move_refuses_title_clash(cloud: ConfluenceServer) -> None:
    cloud.create_page("PMARCHIVE", "Same title", "<p>archived</p>")
    moving = cloud.create_page("PM", "Same title", "<p>draft</p>")["id"]
    with pytest.raises(HTTPError) as caught:
        cloud.put(f"rest/api/content/{moving}/move/append/{ARCHIVE_HOME}")
    assert caught.value.response.status_code == 400
    assert cloud.get_page_by_id(moving, expand="space")["space"]["key"] == "PM"


def test_data_center_move_page_action(dc: ConfluenceServer, sandbox) -> None:  # noqa: ANN001
    page = dc.create_page("PM", "INC-4 Postmortem", "<p>x</p>")["id"]
    dc.move_page("PMARCHIVE", page, target_id=ARCHIVE_HOME, position="append")
    assert dc.get_page_by_id(page, expand="space")["space"]["key"] == "PMARCHIVE"
    assert _parent(dc, page) == ARCHIVE_HOME

    target = dc.create_page("PM", "Landing", "<p>x</p>")["id"]
    dc.move_page("PM", page, target_title="Landing", position="append")
    assert _parent(dc, page) == target
    dc.move_page("PM", page, target_id=target, position="below")
    assert _parent(dc, page) == PM_HOME

    without_token = requests.post(f"{sandbox.url}/wiki/pages/movepage.action", auth=AUTH,
                                  params={"pageId": page, "targetId": target,
                                          "spaceKey": "PM", "position": "append"}, timeout=5)
    assert without_token.status_code == 403
    with pytest.raises(HTTPError) as caught:
        dc.move_page("PM", page, target_title="No such page", position="append")
    assert caught.value.response.status_code == 404
