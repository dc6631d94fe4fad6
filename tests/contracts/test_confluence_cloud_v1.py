"""Confluence Cloud REST API v1 operations on the sandbox, checked against the saved v1 spec."""

from __future__ import annotations

from typing import Any

from tests.contracts.support import Api, covers

P = "confluence-cloud-v1"


def page_body(
    title: str, space: str = "PM", parent: str | None = None, html: str = "<p>Draft.</p>"
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "page",
        "title": title,
        "space": {"key": space},
        "body": {"storage": {"value": html, "representation": "storage"}},
    }
    if parent is not None:
        body["ancestors"] = [{"id": parent}]
    return body


def create_page(wiki: Api, title: str = "Contract page", **kwargs: Any) -> dict[str, Any]:
    return wiki.ok("createContent", 200, json_body=page_body(title, **kwargs))


# --- content ------------------------------------------------------------------------------


@covers(P, "createContent", "getContentById")
def test_create_then_get_page(wiki: Api):
    page = create_page(wiki, "Postmortem: checkout 502s")
    assert page["type"] == "page" and page["status"] == "current"
    assert page["space"]["key"] == "PM" and page["version"]["number"] == 1
    fetched = wiki.ok(
        "getContentById",
        200,
        path={"id": page["id"]},
        params={"expand": "body.storage,version,space,ancestors,history"},
    )
    assert fetched["body"]["storage"]["value"] == "<p>Draft.</p>"
    assert fetched["title"] == "Postmortem: checkout 502s"


@covers(P, "createContent", "getContentChildrenByType")
def test_child_pages(wiki: Api):
    parent = create_page(wiki, "Parent")
    child = create_page(wiki, "Child", parent=parent["id"])
    children = wiki.ok("getContentChildrenByType", 200, path={"id": parent["id"]})
    assert [c["id"] for c in children["results"]] == [child["id"]]
    assert children["size"] == 1


@covers(P, "getContent")
def test_list_content_by_space_and_title(wiki: Api):
    page = create_page(wiki, "Findable by title")
    found = wiki.ok(
        "getContent",
        200,
        params={
            "spaceKey": "PM",
            "type": "page",
            "title": "Findable by title",
            "expand": "version",
        },
    )
    assert [c["id"] for c in found["results"]] == [page["id"]]


@covers(P, "updateContent")
def test_update_page_increments_version(wiki: Api):
    page = create_page(wiki)
    update = {
        "type": "page",
        "title": "Contract page (edited)",
        "version": {"number": 2, "message": "edit"},
        "body": {"storage": {"value": "<p>Final.</p>", "representation": "storage"}},
    }
    updated = wiki.ok("updateContent", 200, path={"id": page["id"]}, json_body=update)
    assert updated["version"]["number"] == 2 and updated["title"] == "Contract page (edited)"


@covers(P, "deleteContent")
def test_delete_page(wiki: Api):
    page = create_page(wiki)
    assert wiki.ok("deleteContent", 204, path={"id": page["id"]}) is None
    wiki.fails("getContentById", 404, path={"id": page["id"]})


@covers(P, "getHistoryForContent")
def test_history(wiki: Api):
    page = create_page(wiki)
    history = wiki.ok("getHistoryForContent", 200, path={"id": page["id"]})
    assert history["latest"] is True
    assert history["createdBy"]["accountId"]


@covers(P, "movePage")
def test_move_page_append_and_across_spaces(wiki: Api):
    target = create_page(wiki, "Archive parent", space="PMARCHIVE")
    page = create_page(wiki, "To be archived")
    moved = wiki.ok(
        "movePage", 200, path={"pageId": page["id"], "position": "append", "targetId": target["id"]}
    )
    assert moved["pageId"] == page["id"]
    after = wiki.ok(
        "getContentById", 200, path={"id": page["id"]}, params={"expand": "space,ancestors"}
    )
    assert after["space"]["key"] == "PMARCHIVE"
    assert after["ancestors"][-1]["id"] == target["id"]


# --- labels -------------------------------------------------------------------------------


@covers(
    P,
    "addLabelsToContent",
    "getLabelsForContent",
    "removeLabelFromContent",
    "removeLabelFromContentUsingQueryParameter",
)
def test_labels(wiki: Api):
    page = create_page(wiki)
    added = wiki.ok(
        "addLabelsToContent",
        200,
        path={"id": page["id"]},
        json_body=[
            {"prefix": "global", "name": "postmortem"},
            {"prefix": "global", "name": "sev-2"},
        ],
    )
    assert {label["name"] for label in added["results"]} == {"postmortem", "sev-2"}
    single = wiki.ok(
        "addLabelsToContent",
        200,
        path={"id": page["id"]},
        json_body={"prefix": "global", "name": "draft"},
    )
    assert {label["name"] for label in single["results"]} == {"postmortem", "sev-2", "draft"}

    assert wiki.ok("removeLabelFromContent", 204, path={"id": page["id"], "label": "draft"}) is None
    assert (
        wiki.ok(
            "removeLabelFromContentUsingQueryParameter",
            204,
            path={"id": page["id"]},
            params={"name": "sev-2"},
        )
        is None
    )
    remaining = wiki.ok("getLabelsForContent", 200, path={"id": page["id"]})
    assert [label["name"] for label in remaining["results"]] == ["postmortem"]


# --- content properties -------------------------------------------------------------------


@covers(
    P,
    "createContentProperty",
    "getContentProperty",
    "getContentProperties",
    "updateContentProperty",
    "deleteContentProperty",
)
def test_content_properties(wiki: Api):
    page = create_page(wiki)
    ids = {"id": page["id"]}
    created = wiki.ok(
        "createContentProperty",
        200,
        path=ids,
        json_body={"key": "debrief", "value": {"incident": "INC-1"}},
    )
    assert created["version"]["number"] == 1
    got = wiki.ok("getContentProperty", 200, path={**ids, "key": "debrief"})
    assert got["value"] == {"incident": "INC-1"}
    listed = wiki.ok("getContentProperties", 200, path=ids)
    assert [p["key"] for p in listed["results"]] == ["debrief"]
    updated = wiki.ok(
        "updateContentProperty",
        200,
        path={**ids, "key": "debrief"},
        json_body={"value": {"incident": "INC-1", "state": "review"}, "version": {"number": 2}},
    )
    assert updated["version"]["number"] == 2
    assert wiki.ok("deleteContentProperty", 204, path={**ids, "key": "debrief"}) is None
    wiki.fails("getContentProperty", 404, path={**ids, "key": "debrief"})


@covers(P, "updateContentProperty")
def test_put_creates_missing_property_at_version_1(wiki: Api):
    page = create_page(wiki)
    created = wiki.ok(
        "updateContentProperty",
        200,
        path={"id": page["id"], "key": "fresh"},
        json_body={"value": "x", "version": {"number": 1}},
    )
    assert created["key"] == "fresh" and created["version"]["number"] == 1


# --- search, spaces, watches --------------------------------------------------------------


@covers(P, "searchByCQL")
def test_cql_search(wiki: Api):
    page = create_page(wiki, "Searchable postmortem")
    wiki.ok(
        "addLabelsToContent",
        200,
        path={"id": page["id"]},
        json_body=[{"prefix": "global", "name": "findme"}],
    )
    result = wiki.ok(
        "searchByCQL", 200, params={"cql": 'type = page AND label = "findme"', "limit": 10}
    )
    assert [r["content"]["id"] for r in result["results"]] == [page["id"]]
    assert result["totalSize"] == 1


@covers(P, "searchContentByCQL")
def test_content_search(wiki: Api):
    page = create_page(wiki, "Content search target")
    result = wiki.ok(
        "searchContentByCQL", 200, params={"cql": 'space = PM AND title = "Content search target"'}
    )
    assert [c["id"] for c in result["results"]] == [page["id"]]


@covers(P, "getSpaces", "getSpace")
def test_spaces(wiki: Api):
    keys = {s["key"] for s in wiki.ok("getSpaces", 200)["results"]}
    assert {"PM", "PMARCHIVE"} <= keys
    space = wiki.ok(
        "getSpace", 200, path={"spaceKey": "PM"}, params={"expand": "homepage,description.plain"}
    )
    assert space["key"] == "PM"


@covers(P, "createSpace")
def test_create_space(wiki: Api):
    space = wiki.ok("createSpace", 200, json_body={"key": "CONTRACT", "name": "Contract tests"})
    assert space["key"] == "CONTRACT" and space["name"] == "Contract tests"
    assert wiki.ok("getSpace", 200, path={"spaceKey": "CONTRACT"})["key"] == "CONTRACT"


@covers(P, "addContentWatcher", "getContentWatchStatus", "removeContentWatcher")
def test_watch_content(wiki: Api):
    page = create_page(wiki)
    path = {"contentId": page["id"]}
    token = {"X-Atlassian-Token": "no-check"}
    assert wiki.ok("addContentWatcher", 204, path=path, headers=token) is None
    assert wiki.ok("getContentWatchStatus", 200, path=path)["watching"] is True
    assert wiki.ok("removeContentWatcher", 204, path=path, headers=token) is None
    assert wiki.ok("getContentWatchStatus", 200, path=path)["watching"] is False


# --- requests the real API rejects --------------------------------------------------------


@covers(P, "createContent")
def test_create_without_type(wiki: Api):
    body = page_body("No type")
    del body["type"]
    assert wiki.contract.request_violations("createContent", body), "the spec requires type"
    error = wiki.fails("createContent", 400, json_body=body)
    assert error["statusCode"] == 400 and error["message"]


@covers(P, "createContent")
def test_create_with_invalid_type(wiki: Api):
    assert (
        wiki.fails("createContent", 400, json_body={**page_body("Bad type"), "type": "nonsense"})[
            "statusCode"
        ]
        == 400
    )


@covers(P, "createContent")
def test_create_in_unknown_space(wiki: Api):
    # Confluence answers a space the caller cannot add to (or that does not exist) with 403.
    assert (
        wiki.fails("createContent", 403, json_body=page_body("Nowhere", space="NOSUCHSPACE"))[
            "statusCode"
        ]
        == 403
    )


@covers(P, "createContent")
def test_create_under_unknown_parent(wiki: Api):
    assert (
        wiki.fails("createContent", 404, json_body=page_body("Orphan", parent="999999999"))[
            "statusCode"
        ]
        == 404
    )


@covers(P, "createContent")
def test_create_unauthenticated(wiki: Api):
    wiki.fails(
        "createContent", 401, json_body=page_body("Anon"), auth=("demo@example.com", "wrong-token")
    )


@covers(
    P, "getContentById", "getHistoryForContent", "getLabelsForContent", "getContentChildrenByType"
)
def test_unknown_content_is_404(wiki: Api):
    for op_id in (
        "getContentById",
        "getHistoryForContent",
        "getLabelsForContent",
        "getContentChildrenByType",
    ):
        error = wiki.fails(op_id, 404, path={"id": "999999999"})
        assert error["statusCode"] == 404, op_id


@covers(P, "updateContent")
def test_update_with_stale_version(wiki: Api):
    page = create_page(wiki)
    stale = {
        "type": "page",
        "title": "Stale",
        "version": {"number": 1},
        "body": page_body("x")["body"],
    }
    assert (
        wiki.fails("updateContent", 409, path={"id": page["id"]}, json_body=stale)["statusCode"]
        == 409
    )


@covers(P, "updateContent")
def test_update_without_version(wiki: Api):
    page = create_page(wiki)
    body = {"type": "page", "title": "No version"}
    assert wiki.contract.request_violations("updateContent", body), "the spec requires version"
    assert (
        wiki.fails("updateContent", 400, path={"id": page["id"]}, json_body=body)["statusCode"]
        == 400
    )


@covers(P, "createContentProperty")
def test_duplicate_property_key(wiki: Api):
    page = create_page(wiki)
    wiki.ok(
        "createContentProperty", 200, path={"id": page["id"]}, json_body={"key": "k", "value": "v"}
    )
    wiki.fails(
        "createContentProperty",
        400,
        path={"id": page["id"]},
        json_body={"key": "k", "value": "again"},
    )


@covers(P, "updateContentProperty")
def test_property_version_not_incremented(wiki: Api):
    page = create_page(wiki)
    path = {"id": page["id"], "key": "k"}
    wiki.ok(
        "createContentProperty", 200, path={"id": page["id"]}, json_body={"key": "k", "value": "v"}
    )
    wiki.fails(
        "updateContentProperty", 409, path=path, json_body={"value": "w", "version": {"number": 1}}
    )


@covers(P, "updateContentProperty")
def test_property_missing_and_version_not_1(wiki: Api):
    page = create_page(wiki)
    wiki.fails(
        "updateContentProperty",
        404,
        path={"id": page["id"], "key": "absent"},
        json_body={"value": "v", "version": {"number": 5}},
    )


@covers(P, "addLabelsToContent")
def test_label_too_long(wiki: Api):
    page = create_page(wiki)
    wiki.fails(
        "addLabelsToContent",
        400,
        path={"id": page["id"]},
        json_body=[{"prefix": "global", "name": "x" * 300}],
    )


@covers(P, "getSpace")
def test_unknown_space(wiki: Api):
    assert wiki.fails("getSpace", 404, path={"spaceKey": "NOSUCHSPACE"})["statusCode"] == 404


@covers(P, "createSpace")
def test_create_existing_space(wiki: Api):
    wiki.fails("createSpace", 400, json_body={"key": "PM", "name": "Again"})


@covers(P, "createSpace")
def test_create_space_without_name(wiki: Api):
    body = {"key": "NONAME"}
    assert wiki.contract.request_violations("createSpace", body), "the spec requires name"
    wiki.fails("createSpace", 400, json_body=body)


@covers(P, "searchByCQL", "searchContentByCQL")
def test_bad_cql(wiki: Api):
    assert wiki.fails("searchByCQL", 400, params={"cql": "type = = page"})["statusCode"] == 400
    assert (
        wiki.fails("searchContentByCQL", 400, params={"cql": "type = = page"})["statusCode"] == 400
    )


@covers(P, "movePage")
def test_move_to_unknown_target(wiki: Api):
    page = create_page(wiki)
    wiki.fails(
        "movePage", 404, path={"pageId": page["id"], "position": "append", "targetId": "999999999"}
    )


@covers(P, "movePage")
def test_move_under_own_descendant(wiki: Api):
    parent = create_page(wiki, "Loop parent")
    child = create_page(wiki, "Loop child", parent=parent["id"])
    wiki.fails(
        "movePage",
        400,
        path={"pageId": parent["id"], "position": "append", "targetId": child["id"]},
    )
