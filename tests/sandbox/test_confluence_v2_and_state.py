"""REST v2 slice (through atlassian's ConfluenceV2 client) and the state's JSON round trip."""

from __future__ import annotations

import json
import warnings

import pytest
import requests
from atlassian import ConfluenceV2
from atlassian.confluence import ConfluenceServer

from sandbox.confluence import ConfluenceState
from sandbox.confluence.seed import seeded_state

AUTH = ("demo@example.com", "demo-token")


@pytest.fixture
def v2(sandbox) -> ConfluenceV2:  # noqa: ANN001 - shared fixture
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the client warns that v1 methods are deprecated
        return ConfluenceV2(url=sandbox.url + "/wiki", username=AUTH[0], password=AUTH[1])


def test_v2_spaces_and_pages(v2: ConfluenceV2) -> None:
    space = v2.get_space_by_key("PM")
    assert (space["key"], space["homepageId"]) == ("PM", "98001")
    page = v2.create_page(space_id=space["id"], title="V2 draft", body="<p>one</p>",
                          parent_id="98001", representation="storage")
    assert (page["parentId"], page["spaceId"], page["version"]["number"]) == (
        "98001", space["id"], 1)
    fetched = v2.get_page_by_id(page["id"], body_format="storage")
    assert fetched["body"]["storage"]["value"] == "<p>one</p>"
    updated = v2.update_page(page["id"], title="V2 draft", body="<p>two</p>", status="current",
                             representation="storage")
    assert updated["version"]["number"] == 2
    assert updated["version"]["message"] == "Updated via Python API"
    titles = [p["title"] for p in v2.get_pages(space_id=space["id"], limit=1)]
    assert "V2 draft" in titles and "Postmortems Home" in titles


def test_v2_labels_properties_and_errors(v2: ConfluenceV2, sandbox) -> None:  # noqa: ANN001
    assert [lbl["name"] for lbl in v2.get_page_labels("98004")] == [
        "postmortem", "sev2", "archived"]
    created = v2.create_page_property("98003", "debrief", {"stage": "draft"})
    assert created["version"]["number"] == 1
    url = f"{sandbox.url}/wiki/api/v2/pages/98003/properties/{created['id']}"
    stale = requests.put(url, json={"key": "debrief", "value": 1, "version": {"number": 1}},
                         auth=AUTH, timeout=5)
    assert stale.status_code == 409
    assert stale.json()["errors"][0]["code"] == "CONFLICT"
    fresh = requests.put(url, json={"key": "debrief", "value": 2, "version": {"number": 2}},
                         auth=AUTH, timeout=5)
    assert fresh.json()["value"] == 2
    listing = requests.get(f"{sandbox.url}/wiki/api/v2/pages/98004/labels?limit=1", auth=AUTH,
                           timeout=5)
    assert listing.json()["_links"]["next"].startswith("/wiki/api/v2/pages/98004/labels?")
    assert 'rel="next"' in listing.headers["Link"]
    missing = requests.get(f"{sandbox.url}/wiki/api/v2/pages/1", auth=AUTH, timeout=5)
    assert missing.status_code == 404 and missing.json()["errors"][0]["status"] == 404
    assert requests.delete(url, auth=AUTH, timeout=5).status_code == 204


def test_state_round_trips_through_json(sandbox) -> None:  # noqa: ANN001
    client = ConfluenceServer(sandbox.url + "/wiki", username=AUTH[0], password=AUTH[1],
                              cloud=True)
    page_id = client.create_page("PM", "Kept", "<p>x</p>")["id"]
    client.set_page_label(page_id, "kept")
    client.set_page_property(page_id, {"key": "k", "value": {"n": 1}})
    client.add_comment(page_id, "<p>c</p>")
    state = sandbox.state.confluence
    with sandbox.state.lock:
        saved = json.loads(json.dumps(state.to_json()))
    restored = ConfluenceState.from_json(saved)
    assert restored.to_json() == saved
    page = restored.page(page_id)
    assert page.labels == ["kept"] and page.properties["k"].value == {"n": 1}
    assert restored.children(page_id, "comment")[0].body == "<p>c</p>"
    next_page = restored.create_page("PM", "After restore", "<p>y</p>", None)
    assert int(next_page.id) > int(page_id) + 1


def test_seed_is_stable() -> None:
    seeded = seeded_state()
    assert {k: s.homepage_id for k, s in seeded.spaces.items()} == {
        "PM": "98001", "PMARCHIVE": "98002"}
    assert seeded.page("98003").title == "How to write a postmortem"
    assert seeded.page("98004").labels == ["postmortem", "sev2", "archived"]
