"""Content REST v1: create, read, list, update, delete; history and versions; children,
descendants and comments."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from .errors import ConfluenceApiError, bad_request, not_found
from .model import Content
from .shapes import parse_expand
from .state import ConfluenceState
from .web_helpers import (
    blueprint,
    caller_id,
    confluence,
    int_arg,
    json_body,
    locked,
    paging,
    shapes,
)

DEFAULT_EXPAND = "space,history,version"
WRITE_EXPAND = "space,history,version,ancestors,container,body.storage"
CONTENT_TYPES = ("page", "comment")


def _expand(default: str = "") -> dict:
    return parse_expand(default, ",".join(request.args.getlist("expand")))


def _statuses() -> tuple[str, ...]:
    values = [s.strip() for raw in request.args.getlist("status") for s in raw.split(",")]
    return tuple(v for v in values if v) or ("current",)


# ---------------------------------------------------------------- create


@blueprint.post("/rest/api/content")
@blueprint.post("/rest/api/content/")
@locked
def create_content() -> Response:
    data = json_body()
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object describing the content")
    state = confluence()
    content_type = data.get("type")
    if not content_type:
        raise bad_request("Content type must be provided")
    if content_type not in CONTENT_TYPES:
        raise bad_request(f"Unsupported content type: {content_type}")
    body = _storage_value(data.get("body"), required=content_type == "comment")
    user = caller_id()
    if content_type == "comment":
        container = data.get("container") or {}
        if not container.get("id"):
            raise bad_request("A comment must have a container")
        ancestors = data.get("ancestors") or []
        reply_to = ancestors[-1].get("id") if ancestors and isinstance(ancestors[-1], dict) else None
        content = state.create_comment(str(container["id"]), body or "", user, reply_to)
    else:
        space_key = (data.get("space") or {}).get("key") if isinstance(data.get("space"), dict) else None
        if not space_key:
            raise bad_request("Space must be provided to create content")
        if not isinstance(data.get("title"), str) or not data["title"].strip():
            raise bad_request("Title cannot be empty")
        try:
            state.space(space_key)
        except ConfluenceApiError:
            raise ConfluenceApiError(
                403, f"Could not create content with type page: no space with key '{space_key}' "
                     "exists or you do not have permission to add content to it") from None
        status = data.get("status") or request.args.get("status") or "current"
        if status not in ("current", "draft"):
            raise bad_request(f"Cannot create content with status '{status}'")
        content = state.create_page(
            space_key, data["title"], body or "", user, parent_id=_parent_id(data),
            message=str((data.get("version") or {}).get("message") or ""), status=status,
            labels=_labels_in(data))
    _apply_metadata_properties(state, content, data, user)
    return jsonify(shapes().content(content, _expand(WRITE_EXPAND)))


def _storage_value(body: Any, required: bool) -> str | None:
    if body in (None, {}):
        if required:
            raise bad_request("Content body must be provided")
        return None
    if not isinstance(body, dict):
        raise bad_request("Content body must be an object keyed by representation")
    representation = next(iter(k for k in body if not k.startswith("_")), None)
    value = body.get(representation) if representation else None
    if representation not in ("storage", "editor") or not isinstance(value, dict):
        raise bad_request(f"Unsupported body representation: {representation}; "
                          "this site accepts 'storage'")
    text = value.get("value")
    if not isinstance(text, str):
        raise bad_request("Body value must be a string")
    return text


def _parent_id(data: dict) -> str | None:
    ancestors = data.get("ancestors")
    if not ancestors:
        return None
    if not isinstance(ancestors, list) or not isinstance(ancestors[-1], dict) or \
            not ancestors[-1].get("id"):
        raise bad_request("Ancestors must be a list of objects with an id")
    return str(ancestors[-1]["id"])


def _labels_in(data: dict) -> list[str] | None:
    labels = (data.get("metadata") or {}).get("labels")
    if labels is None:
        return None
    if isinstance(labels, dict):
        labels = labels.get("results", [])
    if not isinstance(labels, list):
        raise bad_request("metadata.labels must be a list of labels")
    return [str(item.get("name") if isinstance(item, dict) else item) for item in labels]


def _apply_metadata_properties(state: ConfluenceState, content: Content, data: dict,
                               user: str | None) -> None:
    properties = (data.get("metadata") or {}).get("properties") or {}
    if not isinstance(properties, dict):
        raise bad_request("metadata.properties must be an object")
    for key, entry in properties.items():
        if not isinstance(entry, dict) or "value" not in entry:
            continue
        existing = content.properties.get(key)
        if existing is None:
            state.create_property(content.id, key, entry["value"], user)
        elif existing.value != entry["value"]:
            state.update_property(content.id, key, entry["value"], existing.version + 1, user)


# ---------------------------------------------------------------- read


@blueprint.get("/rest/api/content")
@blueprint.get("/rest/api/content/")
@locked
def list_content() -> Response:
    state = confluence()
    start, limit = paging()
    content_type = request.args.get("type", "page")
    space_key = request.args.get("spaceKey")
    title = request.args.get("title")
    statuses = _statuses()
    found = [c for c in state.contents.values()
             if c.type == content_type
             and ("any" in statuses or c.status in statuses)
             and (not space_key or c.space_key.lower() == space_key.lower())
             and (title is None or c.title.lower() == title.lower())]
    found = _order(found, request.args.get("orderby"))
    chosen = found[start:start + limit]
    view = shapes()
    expand = _expand(DEFAULT_EXPAND)
    params = {k: request.args.get(k) for k in ("type", "spaceKey", "title", "expand")}
    return jsonify(view.collection([view.content(c, expand) for c in chosen], start, limit,
                                   "/rest/api/content", params, total=len(found)))


def _order(found: list[Content], orderby: str | None) -> list[Content]:
    ordered = sorted(found, key=lambda c: int(c.id))
    if not orderby:
        return ordered
    field, _, direction = orderby.strip().partition(" ")
    keys = {"title": lambda c: c.title.lower(), "history.createdDate": lambda c: c.created,
            "created": lambda c: c.created, "version.when": lambda c: c.last_modified,
            "lastmodified": lambda c: c.last_modified, "id": lambda c: int(c.id)}
    if field not in keys:
        raise bad_request(f"Cannot order content by '{field}'")
    return sorted(ordered, key=keys[field], reverse=direction.strip().lower() == "desc")


@blueprint.get("/rest/api/content/<content_id>")
@locked
def get_content(content_id: str) -> Response:
    state = confluence()
    content = state.content(content_id, _statuses())
    version = None
    if request.args.get("version"):
        version = state.version_of(content, int_arg("version", content.version.number))
    return jsonify(shapes().content(content, _expand(DEFAULT_EXPAND), version=version))


# ---------------------------------------------------------------- update & delete


@blueprint.put("/rest/api/content/<content_id>")
@locked
def update_content(content_id: str) -> Response:
    data = json_body()
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object describing the content")
    state = confluence()
    content = state.content(content_id, ("current", "draft", "trashed"))
    if data.get("type") and data["type"] != content.type:
        raise bad_request(f"Cannot change the type of content {content.id} "
                          f"from {content.type} to {data['type']}")
    version = data.get("version")
    if not isinstance(version, dict) or not isinstance(version.get("number"), int):
        raise bad_request("Must supply an incremented version when updating Content. "
                          f"No version supplied. Current version is: {content.version.number}")
    if content.type == "page" and (not isinstance(data.get("title"), str)
                                   or not data["title"].strip()):
        raise bad_request("Title cannot be empty")
    if content.status == "trashed" and data.get("status") != "current":
        raise not_found(f"No content found with id : ContentId{{id={content_id}}}")
    user = caller_id()
    state.update_content(
        content.id, user=user, version=version["number"], title=data.get("title"),
        body=_storage_value(data.get("body"), required=False), parent_id=_parent_id(data),
        message=str(version.get("message") or ""), minor_edit=bool(version.get("minorEdit")),
        status=data.get("status"))
    labels = _labels_in(data)
    if labels is not None:  # labels in an update replace the existing ones
        content.labels = []
        state.add_labels(content.id, labels)
    _apply_metadata_properties(state, content, data, user)
    return jsonify(shapes().content(content, _expand(WRITE_EXPAND)))


@blueprint.delete("/rest/api/content/<content_id>")
@locked
def delete_content(content_id: str) -> Response:
    state = confluence()
    content = state.contents.get(content_id)
    purge = request.args.get("status") == "trashed" or (content is not None
                                                        and content.type == "comment")
    state.delete_content(content_id, purge=purge)
    return Response(status=204)


# ---------------------------------------------------------------- history & versions


@blueprint.get("/rest/api/content/<content_id>/history")
@locked
def content_history(content_id: str) -> Response:
    content = confluence().content(content_id, ("current", "draft", "trashed"))
    expand = _expand()
    expand.setdefault("lastUpdated", {})
    return jsonify(shapes().history(content, expand))


@blueprint.get("/rest/api/content/<content_id>/version")
@locked
def content_versions(content_id: str) -> Response:
    content = confluence().content(content_id, ("current", "draft", "trashed"))
    start, limit = paging(200)
    newest_first = list(reversed(content.versions))
    view = shapes()
    chosen = newest_first[start:start + limit]
    return jsonify(view.collection([view.version(content, v, _expand()) for v in chosen], start,
                                   limit, f"/rest/api/content/{content.id}/version",
                                   {"expand": request.args.get("expand")},
                                   total=len(newest_first)))


@blueprint.get("/rest/api/content/<content_id>/version/<int:number>")
@locked
def content_version(content_id: str, number: int) -> Response:
    state = confluence()
    content = state.content(content_id, ("current", "draft", "trashed"))
    return jsonify(shapes().version(content, state.version_of(content, number), _expand()))


# ---------------------------------------------------------------- children & descendants


@blueprint.get("/rest/api/content/<content_id>/child")
@locked
def content_children(content_id: str) -> Response:
    content = confluence().content(content_id)
    return jsonify(shapes().children(content, _expand(), "child"))


@blueprint.get("/rest/api/content/<content_id>/descendant")
@locked
def content_descendants(content_id: str) -> Response:
    content = confluence().content(content_id)
    return jsonify(shapes().children(content, _expand(), "descendant"))


@blueprint.get("/rest/api/content/<content_id>/child/<child_type>")
@locked
def content_children_of_type(content_id: str, child_type: str) -> Response:
    return _related(content_id, child_type, "child")


@blueprint.get("/rest/api/content/<content_id>/descendant/<child_type>")
@locked
def content_descendants_of_type(content_id: str, child_type: str) -> Response:
    return _related(content_id, child_type, "descendant")


def _related(content_id: str, child_type: str, kind: str) -> Response:
    state = confluence()
    content = state.content(content_id)
    if child_type not in ("page", "comment", "attachment"):
        raise bad_request(f"Unknown content type: {child_type}")
    if content.type == "comment" and child_type != "attachment":
        raise bad_request(f"Cannot find {child_type} children of a comment")
    if child_type == "attachment":
        items: list[Content] = []
    elif kind == "child":
        items = state.children(content.id, child_type)
    else:
        items = state.descendants(content.id, child_type)
    start, limit = paging()
    view = shapes()
    expand = _expand()
    chosen = items[start:start + limit]
    return jsonify(view.collection([view.content(c, expand) for c in chosen], start, limit,
                                   f"/rest/api/content/{content.id}/{kind}/{child_type}",
                                   {"expand": request.args.get("expand")}, total=len(items)))
