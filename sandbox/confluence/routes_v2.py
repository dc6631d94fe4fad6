"""A slice of Confluence Cloud REST v2 (``/wiki/api/v2``): spaces, pages, page labels and page
properties, with v2's cursor links (``_links.next`` and a ``Link`` header) and error body."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from flask import Response, jsonify, request

from .errors import bad_request, not_found
from .model import Content, Property, Space, Version
from .routes_search import decode_cursor, encode_cursor
from .shapes import tiny_code, webui_path
from .state import ConfluenceState
from .web_helpers import blueprint, caller_id, confluence, int_arg, json_body, locked, shapes

V2 = "/api/v2"
V2_MAX_LIMIT = 250


def _version(version: Version) -> dict:
    return {"createdAt": version.when, "message": version.message, "number": version.number,
            "minorEdit": version.minor_edit, "authorId": version.by or ""}


def _space_json(space: Space) -> dict:
    """A v2 space; ``description`` only with ``description-format`` (plain or view) and
    ``icon`` only with ``include-icon=true``, as v2 answers (never null)."""
    base = shapes().base
    data = {"id": str(space.id), "key": space.key, "name": space.name, "type": space.type,
            "status": space.status, "authorId": space.created_by or "",
            "createdAt": space.created, "homepageId": space.homepage_id,
            "_links": {"webui": f"/spaces/{space.key}", "base": base}}
    description_format = request.args.get("description-format")
    if description_format == "plain":
        data["description"] = {"plain": {"representation": "plain", "value": space.description}}
    elif description_format == "view":
        data["description"] = {"view": {"representation": "view",
                                        "value": f"<p>{escape(space.description)}</p>" if space.description else ""}}
    elif description_format not in (None, ""):
        raise bad_request(f"Unsupported description-format: {description_format}")
    if request.args.get("include-icon", "").lower() == "true":
        path = f"/wiki/aa-avatar/space/{space.key}/icon"
        data["icon"] = {"path": path, "apiDownloadLink": f"/wiki/download/space-icon/{space.key}"}
    return data


def _page_json(state: ConfluenceState, page: Content, body_format: str | None) -> dict:
    view = shapes()
    space = state.spaces.get(page.space_key)
    data: dict = {
        "id": page.id, "status": page.status, "title": page.title,
        "spaceId": str(space.id) if space else None, "parentId": page.parent_id,
        "parentType": "page" if page.parent_id else None, "position": page.position,
        "authorId": page.created_by or "", "ownerId": page.created_by or "",
        "lastOwnerId": None, "createdAt": page.created, "version": _version(page.version),
        "body": {},
        "_links": {"webui": webui_path(page),
                   "editui": f"/pages/resumedraft.action?draftId={page.id}",
                   "tinyui": f"/x/{tiny_code(page.id)}", "base": view.base},
    }
    if body_format == "storage":
        data["body"] = {"storage": {"representation": "storage", "value": page.body}}
    elif body_format == "view":
        data["body"] = {"view": {"representation": "view", "value": view.render(page.body)}}
    elif body_format not in (None, "", "none"):
        raise bad_request(f"Unsupported body-format: {body_format}")
    return data


def _listing(items: list[dict], path: str) -> Response:
    """One v2 page of ``items`` with the cursor in ``_links.next`` and the ``Link`` header."""
    limit = int_arg("limit", 25, V2_MAX_LIMIT)
    cursor = request.args.get("cursor")
    start = decode_cursor(cursor) if cursor else 0
    chosen = items[start:start + limit]
    base = shapes().base
    links: dict = {"base": base}
    response = jsonify({"results": chosen, "_links": links})
    if start + limit < len(items):
        query = {k: v for k, v in request.args.items() if k != "cursor"}
        nxt = f"/wiki{V2}{path}?" + urlencode({**query, "cursor": encode_cursor(start + limit)})
        links["next"] = nxt
        response = jsonify({"results": chosen, "_links": links})
        response.headers["Link"] = f'<{nxt}>; rel="next", <{base}>; rel="base"'
    return response


def _space_for_id(state: ConfluenceState, space_id: object) -> Space:
    try:
        space = state.space_by_id(int(str(space_id)))
    except ValueError:
        space = None
    if space is None:
        raise not_found(f"Space with id {space_id} not found")
    return space


# ---------------------------------------------------------------- spaces


@blueprint.get(f"{V2}/spaces")
@locked
def v2_spaces() -> Response:
    state = confluence()
    keys = {k for raw in request.args.getlist("keys") for k in raw.split(",") if k}
    ids = {i for raw in request.args.getlist("ids") for i in raw.split(",") if i}
    spaces = [s for s in sorted(state.spaces.values(), key=lambda s: s.id)
              if (not keys or s.key in keys) and (not ids or str(s.id) in ids)]
    return _listing([_space_json(s) for s in spaces], "/spaces")


@blueprint.get(f"{V2}/spaces/<space_id>")
@locked
def v2_space(space_id: str) -> Response:
    return jsonify(_space_json(_space_for_id(confluence(), space_id)))


# ---------------------------------------------------------------- pages


@blueprint.get(f"{V2}/pages")
@locked
def v2_pages() -> Response:
    state = confluence()
    space_ids = {i for raw in request.args.getlist("space-id") for i in raw.split(",") if i}
    ids = {i for raw in request.args.getlist("id") for i in raw.split(",") if i}
    title = request.args.get("title")
    statuses = {s for raw in request.args.getlist("status") for s in raw.split(",") if s} or {
        "current", "archived"}
    body_format = request.args.get("body-format")
    pages = [p for p in sorted(state.contents.values(), key=lambda c: int(c.id))
             if p.type == "page" and p.status in statuses
             and (not ids or p.id in ids) and (title is None or p.title == title)
             and (not space_ids or str(state.spaces[p.space_key].id) in space_ids)]
    return _listing([_page_json(state, p, body_format) for p in pages], "/pages")


@blueprint.post(f"{V2}/pages")
@locked
def v2_create_page() -> Response:
    data = json_body()
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object")
    state = confluence()
    if not data.get("spaceId"):
        raise bad_request("spaceId is required")
    space = _space_for_id(state, data["spaceId"])
    storage_value = _v2_body(data.get("body"))
    root_level = request.args.get("root-level", "false").lower() == "true"
    page = state.create_page(space.key, data.get("title") or "", storage_value or "", caller_id(),
                             parent_id=str(data["parentId"]) if data.get("parentId") else None,
                             status=data.get("status") or "current", root_level=root_level)
    return jsonify(_page_json(state, page, "storage"))


def _v2_body(body: object) -> str | None:
    if body in (None, {}):
        return None
    if not isinstance(body, dict):
        raise bad_request("body must be an object")
    if body.get("representation") == "storage" and isinstance(body.get("value"), str):
        return body["value"]
    storage_part = body.get("storage")
    if isinstance(storage_part, dict) and isinstance(storage_part.get("value"), str):
        return storage_part["value"]
    raise bad_request("Only the storage representation is supported")


@blueprint.get(f"{V2}/pages/<page_id>")
@locked
def v2_page(page_id: str) -> Response:
    state = confluence()
    page = state.page(page_id)
    data = _page_json(state, page, request.args.get("body-format"))
    if request.args.get("include-labels") == "true":
        data["labels"] = {"results": [_label(state, n) for n in page.labels], "meta": {}}
    if request.args.get("include-properties") == "true":
        data["properties"] = {"results": [_prop(p) for p in page.properties.values()], "meta": {}}
    return jsonify(data)


@blueprint.put(f"{V2}/pages/<page_id>")
@locked
def v2_update_page(page_id: str) -> Response:
    data = json_body()
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object")
    for field in ("id", "status", "title", "version"):
        if field not in data:
            raise bad_request(f"{field} is required")
    if str(data["id"]) != page_id:
        raise bad_request("The id in the body does not match the path")
    state = confluence()
    page = state.page(page_id)
    if data.get("spaceId") and str(data["spaceId"]) != str(state.spaces[page.space_key].id):
        raise bad_request("Moving a page to another space is not supported on this endpoint")
    version = data["version"] if isinstance(data["version"], dict) else {}
    number = version.get("number")
    if not isinstance(number, int):
        raise bad_request("version.number is required")
    state.update_content(page_id, user=caller_id(), version=number, title=data["title"],
                         body=_v2_body(data.get("body")),
                         parent_id=str(data["parentId"]) if data.get("parentId") else None,
                         message=str(version.get("message") or ""), status=data["status"])
    return jsonify(_page_json(state, page, "storage"))


# ---------------------------------------------------------------- labels & properties


def _label(state: ConfluenceState, name: str) -> dict:
    return {"id": state.label_id(name), "name": name, "prefix": "global"}


def _prop(prop: Property) -> dict:
    return {"id": prop.id, "key": prop.key, "value": prop.value,
            "version": {"createdAt": prop.when, "message": prop.message, "number": prop.version,
                        "minorEdit": prop.minor_edit, "authorId": prop.by or ""}}


@blueprint.get(f"{V2}/pages/<page_id>/labels")
@locked
def v2_labels(page_id: str) -> Response:
    state = confluence()
    page = state.page(page_id)
    prefix = request.args.get("prefix")
    labels = [] if prefix and prefix != "global" else page.labels
    return _listing([_label(state, n) for n in labels], f"/pages/{page_id}/labels")


@blueprint.get(f"{V2}/pages/<page_id>/properties")
@locked
def v2_properties(page_id: str) -> Response:
    state = confluence()
    state.page(page_id)
    key = request.args.get("key")
    props = [p for p in state.properties(page_id) if key is None or p.key == key]
    return _listing([_prop(p) for p in props], f"/pages/{page_id}/properties")


@blueprint.post(f"{V2}/pages/<page_id>/properties")
@locked
def v2_create_property(page_id: str) -> Response:
    data = json_body()
    if not isinstance(data, dict) or not isinstance(data.get("key"), str) or "value" not in data:
        raise bad_request("A property needs a key and a value")
    state = confluence()
    state.page(page_id)
    return jsonify(_prop(state.create_property(page_id, data["key"], data["value"], caller_id())))


def _prop_by_id(state: ConfluenceState, page_id: str, property_id: str) -> Property:
    prop = next((p for p in state.properties(page_id) if p.id == property_id), None)
    if prop is None:
        raise not_found(f"Property {property_id} not found on page {page_id}")
    return prop


@blueprint.get(f"{V2}/pages/<page_id>/properties/<property_id>")
@locked
def v2_property(page_id: str, property_id: str) -> Response:
    state = confluence()
    state.page(page_id)
    return jsonify(_prop(_prop_by_id(state, page_id, property_id)))


@blueprint.put(f"{V2}/pages/<page_id>/properties/<property_id>")
@locked
def v2_update_property(page_id: str, property_id: str) -> Response:
    data = json_body()
    state = confluence()
    state.page(page_id)
    prop = _prop_by_id(state, page_id, property_id)
    if not isinstance(data, dict) or "value" not in data:
        raise bad_request("A property update needs a key, a value and a version")
    if data.get("key") not in (None, prop.key):
        raise bad_request("The key of a property cannot be changed")
    version = data.get("version") if isinstance(data.get("version"), dict) else {}
    number = version.get("number")
    if not isinstance(number, int):
        raise bad_request("version.number is required")
    updated = state.update_property(page_id, prop.key, data["value"], number, caller_id(),
                                    message=str(version.get("message") or ""))
    return jsonify(_prop(updated))


@blueprint.delete(f"{V2}/pages/<page_id>/properties/<property_id>")
@locked
def v2_delete_property(page_id: str, property_id: str) -> Response:
    state = confluence()
    state.page(page_id)
    state.delete_property(page_id, _prop_by_id(state, page_id, property_id).key)
    return Response(status=204)
