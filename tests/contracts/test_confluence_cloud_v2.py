"""Confluence Cloud REST API v2 operations on the sandbox, checked against the saved v2 spec."""

from __future__ import annotations

import pytest

from tests.contracts.support import Api, covers

P = "confluence-cloud-v2"


@covers(P, "getSpaces")
def test_spaces_omit_description_and_icon_unless_asked(wiki2: Api):
    spaces = wiki2.ok("getSpaces", 200)["results"]
    assert {"PM", "PMARCHIVE"} <= {s["key"] for s in spaces}
    for space in spaces:  # the spec has objects there, never null: absent when not asked for
        assert "description" not in space and "icon" not in space


@covers(P, "getSpaces")
@pytest.mark.parametrize("fmt", ["plain", "view"])
def test_spaces_with_description_and_icon(wiki2: Api, fmt: str):
    spaces = wiki2.ok("getSpaces", 200, params={"keys": "PM", "description-format": fmt,
                                                "include-icon": "true"})["results"]
    [pm] = spaces
    assert pm["description"][fmt]["representation"] == fmt
    assert isinstance(pm["description"][fmt]["value"], str)
    assert pm["icon"]["path"].startswith("/wiki/")


@covers(P, "getSpaces")
def test_spaces_pages_with_a_cursor(wiki2: Api):
    first = wiki2.ok("getSpaces", 200, params={"limit": 1})
    assert len(first["results"]) == 1 and "next" in first["_links"]


@covers(P, "getSpaceById")
def test_space_by_id(wiki2: Api):
    [pm] = wiki2.ok("getSpaces", 200, params={"keys": "PM"})["results"]
    space = wiki2.ok("getSpaceById", 200, path={"id": pm["id"]})
    assert space["key"] == "PM" and "description" not in space and "icon" not in space
    described = wiki2.ok("getSpaceById", 200, path={"id": pm["id"]}, params={"description-format": "plain"})
    assert described["description"]["plain"]["representation"] == "plain"


@covers(P, "getSpaceById")
def test_unknown_space_is_404(wiki2: Api):
    body = wiki2.fails("getSpaceById", 404, path={"id": "999999"})
    assert body["errors"][0]["status"] == 404
