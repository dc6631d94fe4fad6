"""Labels, content properties and watchers (REST v1)."""

from __future__ import annotations

from flask import Response, jsonify, request

from .errors import ConfluenceApiError, bad_request
from .shapes import parse_expand
from .web_helpers import (
    blueprint,
    caller_id,
    confluence,
    find_person,
    json_body,
    locked,
    paging,
    require_xsrf_safe,
    shapes,
)

# ---------------------------------------------------------------- labels


@blueprint.get("/rest/api/content/<content_id>/label")
@locked
def get_labels(content_id: str) -> Response:
    content = confluence().content(content_id)
    start, limit = paging(200)
    prefix = request.args.get("prefix")
    if prefix and prefix != "global":
        return jsonify({"results": [], "start": start, "limit": limit, "size": 0,
                        "_links": shapes().links(f"/rest/api/content/{content.id}/label")})
    return jsonify(shapes().labels(content, start, limit))


@blueprint.post("/rest/api/content/<content_id>/label")
@locked
def add_labels(content_id: str) -> Response:
    data = json_body()
    items = data if isinstance(data, list) else [data]
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
            continue
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise bad_request("Each label must be an object with a prefix and a name")
        if item.get("prefix", "global") not in ("global", "my", "team"):
            raise bad_request(f"Invalid label prefix: {item.get('prefix')}")
        names.append(item["name"])
    state = confluence()
    content = state.add_labels(content_id, names)
    return jsonify(shapes().labels(content))


@blueprint.delete("/rest/api/content/<content_id>/label")
@locked
def remove_label_by_query(content_id: str) -> Response:
    name = request.args.get("name")
    if not name:
        raise bad_request("The name of the label to remove must be given")
    confluence().remove_label(content_id, name)
    return Response(status=204)


@blueprint.delete("/rest/api/content/<content_id>/label/<path:label>")
@locked
def remove_label(content_id: str, label: str) -> Response:
    if "/" in label:
        raise bad_request("A label name cannot contain '/'")
    confluence().remove_label(content_id, label)
    return Response(status=204)


# ---------------------------------------------------------------- content properties


@blueprint.get("/rest/api/content/<content_id>/property")
@locked
def list_properties(content_id: str) -> Response:
    state = confluence()
    content = state.content(content_id)
    props = state.properties(content_id)
    key = request.args.get("key")
    if key:
        props = [p for p in props if p.key == key]
    start, limit = paging(10)
    view = shapes()
    expand = parse_expand(request.args.get("expand"))
    chosen = props[start:start + limit]
    return jsonify(view.collection([view.prop(content, p, expand) for p in chosen], start, limit,
                                   f"/rest/api/content/{content.id}/property",
                                   {"expand": request.args.get("expand")}, total=len(props)))


@blueprint.post("/rest/api/content/<content_id>/property")
@locked
def create_property(content_id: str) -> Response:
    data = json_body()
    if not isinstance(data, dict) or not isinstance(data.get("key"), str):
        raise bad_request("A content property needs a key and a value")
    if "value" not in data:
        raise bad_request("A content property needs a value")
    return _create(content_id, data["key"], data["value"])


@blueprint.post("/rest/api/content/<content_id>/property/<path:key>")
@locked
def create_property_for_key(content_id: str, key: str) -> Response:
    data = json_body()
    if not isinstance(data, dict) or "value" not in data:
        raise bad_request("A content property needs a value")
    return _create(content_id, key, data["value"])


def _create(content_id: str, key: str, value: object) -> Response:
    state = confluence()
    content = state.content(content_id)
    prop = state.create_property(content.id, key, value, caller_id())
    return jsonify(shapes().prop(content, prop))


@blueprint.get("/rest/api/content/<content_id>/property/<path:key>")
@locked
def get_property(content_id: str, key: str) -> Response:
    state = confluence()
    content = state.content(content_id)
    return jsonify(shapes().prop(content, state.property(content_id, key),
                                 parse_expand(request.args.get("expand"))))


@blueprint.put("/rest/api/content/<content_id>/property/<path:key>")
@locked
def update_property(content_id: str, key: str) -> Response:
    data = json_body()
    if not isinstance(data, dict) or "value" not in data:
        raise bad_request("A content property update needs a value and a version")
    if data.get("key") not in (None, key):
        raise bad_request(f"The key in the body ({data.get('key')}) does not match the path ({key})")
    version = data.get("version")
    number = version.get("number") if isinstance(version, dict) else None
    if not isinstance(number, int):
        raise bad_request("A content property update needs version.number")
    state = confluence()
    content = state.content(content_id)
    prop = state.update_property(content.id, key, data["value"], number, caller_id(),
                                 message=str(version.get("message") or ""),
                                 minor_edit=bool(version.get("minorEdit")))
    return jsonify(shapes().prop(content, prop))


@blueprint.delete("/rest/api/content/<content_id>/property/<path:key>")
@locked
def delete_property(content_id: str, key: str) -> Response:
    confluence().delete_property(content_id, key)
    return Response(status=204)


# ---------------------------------------------------------------- watchers


def _watcher_args() -> dict:
    return {"account_id": request.args.get("accountId"),
            "username": request.args.get("username"), "key": request.args.get("key")}


@blueprint.get("/rest/api/user/watch/content/<content_id>")
@locked
def is_watching(content_id: str) -> Response:
    content = confluence().content(content_id)
    person = find_person(**_watcher_args())
    return jsonify({"watching": person.account_id in content.watchers})


@blueprint.post("/rest/api/user/watch/content/<content_id>")
@locked
def add_watcher(content_id: str) -> Response:
    require_xsrf_safe()
    person = find_person(**_watcher_args())
    confluence().set_watch(content_id, person.account_id, True)
    return Response(status=204)


@blueprint.delete("/rest/api/user/watch/content/<content_id>")
@locked
def remove_watcher(content_id: str) -> Response:
    require_xsrf_safe()
    person = find_person(**_watcher_args())
    confluence().set_watch(content_id, person.account_id, False)
    return Response(status=204)


@blueprint.get("/rest/api/user/watch/space/<space_key>")
@locked
def is_watching_space(space_key: str) -> Response:
    space = confluence().space(space_key)
    return jsonify({"watching": find_person(**_watcher_args()).account_id in space.watchers})


@blueprint.post("/rest/api/user/watch/space/<space_key>")
@locked
def add_space_watcher(space_key: str) -> Response:
    require_xsrf_safe()
    confluence().set_space_watch(space_key, find_person(**_watcher_args()).account_id, True)
    return Response(status=204)


@blueprint.delete("/rest/api/user/watch/space/<space_key>")
@locked
def remove_space_watcher(space_key: str) -> Response:
    require_xsrf_safe()
    confluence().set_space_watch(space_key, find_person(**_watcher_args()).account_id, False)
    return Response(status=204)


@blueprint.get("/rest/api/content/<content_id>/notification/child-created")
@locked
def page_watches(content_id: str) -> Response:
    """Cloud's "Get watches for page": a WatchArray of the page's own watchers."""
    content = confluence().content(content_id)
    view = shapes()
    start, limit = paging(200)
    watches = [{"type": "page", "watcher": view.watch_user(a), "contentId": int(content.id)}
               for a in content.watchers]
    return jsonify(_watch_page(view, watches, start, limit,
                               f"/rest/api/content/{content.id}/notification/child-created"))


@blueprint.get("/rest/api/content/<content_id>/notification/created")
@locked
def space_watches(content_id: str) -> Response:
    """Cloud's "Get watches for space": a SpaceWatchArray for the page's space."""
    state = confluence()
    content = state.content(content_id)
    space = state.space(content.space_key)
    view = shapes()
    start, limit = paging(200)
    watches = [{"type": "space", "watcher": view.watch_user(a), "spaceKey": space.key}
               for a in space.watchers]
    return jsonify(_watch_page(view, watches, start, limit,
                               f"/rest/api/content/{content.id}/notification/created"))


@blueprint.get("/rest/api/content/<content_id>/watchers")
@locked
def page_watchers_dc(content_id: str) -> Response:
    """Data Center's list of users watching a page."""
    content = confluence().content(content_id)
    view = shapes()
    start, limit = paging(200)
    users = [view.user(a) for a in content.watchers]
    return jsonify(view.collection(users[start:start + limit], start, limit,
                                   f"/rest/api/content/{content.id}/watchers", total=len(users)))


def _watch_page(view, watches: list[dict], start: int, limit: int, path: str) -> dict:  # noqa: ANN001
    return view.collection(watches[start:start + limit], start, limit, path, total=len(watches))


# ---------------------------------------------------------------- users


@blueprint.get("/rest/api/user")
@locked
def get_user() -> Response:
    """One user by ``accountId`` (Cloud), ``username`` or ``key`` (Data Center's user key)."""
    args = _watcher_args()
    if not any(args.values()):
        raise ConfluenceApiError(400, "One of accountId, username or key is required")
    return jsonify(shapes().user(find_person(**args).account_id))
