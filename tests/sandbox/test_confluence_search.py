"""CQL search over HTTP: result shapes, cursor pagination, errors."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from atlassian.confluence import ConfluenceServer
from atlassian.errors import ApiValueError
from requests import HTTPError


@pytest.fixture
def cloud(sandbox) -> ConfluenceServer:  # noqa: ANN001 - shared fixture
    return ConfluenceServer(sandbox.url + "/wiki", username="demo@example.com",
                            password="demo-token", cloud=True)


@pytest.fixture
def drafts(cloud: ConfluenceServer) -> list[str]:
    ids = []
    for number in range(1, 8):
        page = cloud.create_page("PM", f"INC-{number} draft", f"<p>Incident {number} impact</p>")
        cloud.set_page_label(page["id"], "postmortem")
        if number % 2:
            cloud.set_page_label(page["id"], "odd")
        ids.append(page["id"])
    return ids


def test_cql_one_page_result_shape(cloud: ConfluenceServer, drafts: list[str],
                                   sandbox) -> None:  # noqa: ANN001
    found = cloud.cql('label = "postmortem" and space = PM order by title desc', limit=3,
                      expand="content.version")
    assert (found["size"], found["totalSize"], found["limit"]) == (3, 7, 3)
    assert found["cqlQuery"] == 'label = "postmortem" and space = PM order by title desc'
    first = found["results"][0]
    assert first["title"] == "INC-7 draft"
    assert first["content"]["id"] == drafts[6]
    assert first["content"]["version"]["number"] == 1
    assert first["entityType"] == "content"
    assert first["url"] == f"/spaces/PM/pages/{drafts[6]}/INC-7+draft"
    assert first["resultGlobalContainer"] == {"title": "Postmortems", "displayUrl": "/spaces/PM"}
    assert "Incident 7 impact" in first["excerpt"]
    assert first["lastModified"].endswith("Z")
    links = found["_links"]
    assert links["base"] == sandbox.url + "/wiki" and links["context"] == "/wiki"
    assert links["next"].startswith("/rest/api/search?")
    assert "cursor=" in links["next"]


def test_following_next_links_visits_every_result_once(cloud: ConfluenceServer,
                                                       drafts: list[str]) -> None:
    response = cloud.cql("label = postmortem and space = PM", limit=3)
    seen = [r["content"]["id"] for r in response["results"]]
    pages = 1
    while "next" in response["_links"]:
        links = response["_links"]
        response = cloud.get(links["base"] + links["next"], absolute=True)
        seen += [r["content"]["id"] for r in response["results"]]
        pages += 1
    assert pages == 3
    assert seen == sorted(drafts, key=int)
    assert "next" not in response["_links"] and "prev" in response["_links"]


def test_content_search_returns_content_items(cloud: ConfluenceServer, drafts: list[str]) -> None:
    found = cloud.get("rest/api/content/search",
                      params={"cql": "label = odd", "limit": 2, "expand": "metadata.labels"})
    assert [c["id"] for c in found["results"]] == [drafts[0], drafts[2]]
    assert {lbl["name"] for lbl in found["results"][0]["metadata"]["labels"]["results"]} == {
        "postmortem", "odd"}
    nxt = found["_links"]["next"]
    assert nxt.startswith("/rest/api/content/search?")
    second = cloud.get(found["_links"]["base"] + nxt, absolute=True)
    assert [c["id"] for c in second["results"]] == [drafts[4], drafts[6]]
    assert "next" not in second["_links"]
    assert parse_qs(urlparse(nxt).query)["expand"] == ["metadata.labels"]


@pytest.mark.parametrize(
    ("query", "expected_titles"),
    [
        ("type = page and space = PMARCHIVE and label = sev2", ["INC-1 Checkout latency spike"]),
        ('text ~ "cache node"', ["INC-1 Checkout latency spike"]),
        ('title ~ "how"', ["How to write a postmortem"]),
        ("ancestor = 98001 and label = guide", ["How to write a postmortem"]),
        ("parent = 98002", ["INC-1 Checkout latency spike"]),
        ("space in (PM, PMARCHIVE) and label not in (guide, sev2) and type = page "
         "order by title", ["Postmortem archive Home", "Postmortems Home"]),
        ("creator = 5b10ac8d82e05b22cc7d4ef5", ["INC-1 Checkout latency spike"]),
        ("id = 98003 or id = 98004 order by id desc",
         ["INC-1 Checkout latency spike", "How to write a postmortem"]),
        ("created < 2024-05-03 and type = page and space = PM order by title",
         ["How to write a postmortem", "Postmortems Home"]),
    ],
)
def test_seeded_queries(cloud: ConfluenceServer, query: str, expected_titles: list[str]) -> None:
    assert [r["title"] for r in cloud.cql(query)["results"]] == expected_titles


def test_comments_are_searchable_by_type(cloud: ConfluenceServer) -> None:
    page_id = cloud.create_page("PM", "Discussed", "<p>x</p>")["id"]
    cloud.add_comment(page_id, "<p>needs a timeline</p>")
    found = cloud.cql('type = comment and text ~ "timeline"')
    assert [r["content"]["type"] for r in found["results"]] == ["comment"]


def test_current_space_from_cqlcontext(cloud: ConfluenceServer) -> None:
    found = cloud.get("rest/api/search", params={
        "cql": "type = page and space = currentSpace() and label = guide",
        "cqlcontext": '{"spaceKey": "PM"}'})
    assert [r["title"] for r in found["results"]] == ["How to write a postmortem"]


@pytest.mark.parametrize("bad", ["type = ", "label in (a", "colour = red", "type ~ page",
                                 "title = \"open"])
def test_invalid_cql_is_400(cloud: ConfluenceServer, bad: str) -> None:
    with pytest.raises(ApiValueError) as caught:
        cloud.cql(bad)
    response = caught.value.reason.response
    assert response.status_code == 400
    assert response.json()["message"] == f"Could not parse cql : {bad}"


def test_bad_cursor_and_missing_cql(cloud: ConfluenceServer) -> None:
    for params in ({"cql": "type = page", "cursor": "garbage!"}, {}):
        with pytest.raises(HTTPError) as caught:
            cloud.get("rest/api/search", params=params)
        assert caught.value.response.status_code == 400
