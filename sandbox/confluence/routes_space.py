"""Spaces (REST v1) and page moves: the Cloud REST move and Data Center's movepage.action."""

from __future__ import annotations

from flask import Response, jsonify, request

from .errors import ConfluenceApiError, bad_request, not_found
from .shapes import parse_expand
from .web_helpers import blueprint, caller, caller_id, confluence, json_body, locked, paging, shapes

# ---------------------------------------------------------------- spaces


@blueprint.get("/rest/api/space")
@locked
def list_spaces() -> Response:
    state = confluence()
    start, limit = paging()
    keys = {k for raw in request.args.getlist("spaceKey") for k in raw.split(",") if k}
    wanted_type = request.args.get("type")
    spaces = sorted(state.spaces.values(), key=lambda s: s.key)
    spaces = [s for s in spaces if (not keys or s.key in keys)
              and (not wanted_type or s.type == wanted_type)]
    view = shapes()
    expand = parse_expand(",".join(request.args.getlist("expand")))
    chosen = spaces[start:start + limit]
    return jsonify(view.collection([view.space(s, expand) for s in chosen], start, limit,
                                   "/rest/api/space", {"expand": request.args.get("expand")},
                                   total=len(spaces)))


@blueprint.get("/rest/api/space/<space_key>")
@locked
def get_space(space_key: str) -> Response:
    space = confluence().space(space_key)
    expand = parse_expand("homepage", ",".join(request.args.getlist("expand")))
    return jsonify(shapes().space(space, expand))


@blueprint.post("/rest/api/space")
@blueprint.post("/rest/api/space/")
@locked
def create_space() -> Response:
    data = json_body()
    if not isinstance(data, dict):
        raise bad_request("The request body must describe the space")
    key, name = data.get("key"), data.get("name")
    if not isinstance(key, str) or not isinstance(name, str):
        raise bad_request("A space needs a key and a name")
    description = ((data.get("description") or {}).get("plain") or {}).get("value") or ""
    space = confluence().create_space(key, name, str(description), caller_id())
    return jsonify(shapes().space(space, parse_expand("homepage,description")))


@blueprint.get("/rest/api/space/<space_key>/content")
@locked
def space_content(space_key: str) -> Response:
    state = confluence()
    space = state.space(space_key)
    start, limit = paging()
    depth = request.args.get("depth", "all")
    pages = [c for c in state.current("page") if c.space_key == space.key]
    if depth == "root":
        pages = [c for c in pages if c.parent_id is None]
    pages.sort(key=lambda c: int(c.id))
    view = shapes()
    expand = parse_expand(",".join(request.args.getlist("expand")))
    page_block = view.collection([view.content(c, expand) for c in pages[start:start + limit]],
                                 start, limit, f"/rest/api/space/{space.key}/content/page",
                                 total=len(pages))
    return jsonify({"page": page_block, "blogpost": view.collection(
        [], 0, limit, f"/rest/api/space/{space.key}/content/blogpost"),
        "_links": view.links()})


# ---------------------------------------------------------------- move


@blueprint.put("/rest/api/content/<page_id>/move/<position>/<target_id>")
@locked
def move_page(page_id: str, position: str, target_id: str) -> Response:
    page = confluence().move(page_id, position, target_id)
    return jsonify({"pageId": page.id})


_ACTION_POSITIONS = {"append": "append", "above": "before", "below": "after",
                     "before": "before", "after": "after"}


@blueprint.route("/pages/movepage.action", methods=["GET", "POST"])
@locked
def move_page_action() -> Response:
    """Data Center's UI action (what atlassian-python-api's ``move_page`` calls)."""
    if caller() is None:
        raise ConfluenceApiError(401, "This request is not authorized. Please check your credentials.")
    if request.headers.get("X-Atlassian-Token", "").lower() != "no-check" \
            and not request.values.get("atl_token"):
        raise ConfluenceApiError(403, "XSRF Security Token Missing")
    state = confluence()
    page_id = request.values.get("pageId")
    if not page_id:
        raise bad_request("pageId is required")
    position = request.values.get("position", "append")
    space_key = request.values.get("spaceKey")
    if position == "topLevel":
        if not space_key:
            raise bad_request("spaceKey is required to move a page to the top level")
        page = state.move_to_top_level(page_id, space_key)
        return jsonify({"page": {"id": page.id, "title": page.title, "spaceKey": page.space_key}})
    if position not in _ACTION_POSITIONS:
        raise bad_request(f"Invalid position: {position}")
    target_id = request.values.get("targetId")
    target_title = request.values.get("targetTitle")
    if not target_id:
        if not target_title or not space_key:
            raise bad_request("targetId, or targetTitle and spaceKey, are required")
        target = state.find_by_title(space_key, target_title)
        if target is None:
            raise not_found(f"No page titled '{target_title}' in space {space_key}")
        target_id = target.id
    page = state.move(page_id, _ACTION_POSITIONS[position], target_id)
    return jsonify({"page": {"id": page.id, "title": page.title, "spaceKey": page.space_key}})
