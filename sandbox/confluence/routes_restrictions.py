"""Content restrictions (REST v1) and the permissions they and space permissions enforce.

- ``GET /rest/api/content/{id}/restriction``, ``.../restriction/byOperation`` and
  ``.../restriction/byOperation/{operation}`` read a page's restrictions;
- ``PUT .../restriction`` replaces the restrictions of each operation sent, ``POST`` adds to
  them, ``DELETE`` removes them all. Users are named by ``accountId`` (Cloud) or ``username`` /
  ``userKey`` (Data Center); groups by ``name``.

Enforced on every write to a page (body, title, labels, properties, restrictions, moves): a
page with an ``update`` restriction can be edited only by the users it names and members of
the groups it names; anyone else gets 403. Nothing stops a caller from restricting a page to
others only: it then locks itself out, which is why a client must keep its own account in.
A space's ``read_only`` account ids (a test hook: set on the state) get 403 when they add or
move pages into it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from sandbox import people
from sandbox.auth import datacenter_caller

from .errors import ConfluenceApiError, bad_request
from .model import Content
from .web_helpers import blueprint, caller, confluence, json_body, locked, shapes, site, site_root

OPERATIONS = ("read", "update")

# Endpoints that change a page, with the view argument naming it.
_EDITS = {
    "confluence.update_content": "content_id", "confluence.delete_content": "content_id",
    "confluence.add_labels": "content_id", "confluence.remove_label_by_query": "content_id",
    "confluence.remove_label": "content_id", "confluence.create_property": "content_id",
    "confluence.create_property_for_key": "content_id", "confluence.update_property": "content_id",
    "confluence.delete_property": "content_id", "confluence.move_page": "page_id",
    "confluence.v2_update_page": "page_id", "confluence.set_restrictions": "content_id",
    "confluence.add_restrictions": "content_id", "confluence.delete_restrictions": "content_id",
}


def can_edit(content: Content, person: people.Person | None) -> bool:
    rule = content.restrictions.get("update") or {}
    users, groups = rule.get("user") or [], rule.get("group") or []
    if not users and not groups:
        return True
    if person is None:
        return False
    return person.account_id in users or bool(people.groups_of(person) & set(groups))


def _forbidden_edit(content: Content) -> ConfluenceApiError:
    return ConfluenceApiError(403, f"User not permitted to edit content with id {content.id}: "
                                   "it is restricted to other users")


@blueprint.before_request
def _enforce() -> None:
    """Refuse edits of restricted pages, and pages added or moved into a read-only space."""
    endpoint = request.endpoint or ""
    if request.method not in ("PUT", "POST", "DELETE") and endpoint != "confluence.move_page_action":
        return
    with site().lock:
        state = confluence()
        person = caller()
        page_id = None
        if endpoint in _EDITS:
            page_id = (request.view_args or {}).get(_EDITS[endpoint])
        elif endpoint == "confluence.move_page_action":
            page_id = request.values.get("pageId")
        content = state.contents.get(str(page_id)) if page_id else None
        if content is not None and content.status == "current" and not can_edit(content, person):
            raise _forbidden_edit(content)
        target_space = _target_space(endpoint, state)
        if target_space is not None and person is not None and person.account_id in target_space.read_only:
            raise ConfluenceApiError(403, f"You do not have permission to add content to space {target_space.key}")


def _target_space(endpoint: str, state):
    if endpoint == "confluence.move_page":
        target = state.contents.get(str((request.view_args or {}).get("target_id")))
        return state.spaces.get(target.space_key) if target else None
    if endpoint == "confluence.move_page_action":
        target = state.contents.get(str(request.values.get("targetId") or ""))
        key = target.space_key if target else request.values.get("spaceKey")
        return state.spaces.get(key or "")
    if endpoint == "confluence.create_content":
        data = request.get_json(silent=True, force=True)
        if isinstance(data, dict) and data.get("type", "page") == "page" and isinstance(data.get("space"), dict):
            return state.spaces.get(str(data["space"].get("key")))
    return None


# ---------------------------------------------------------------- shapes


def _user(account_id: str) -> dict:
    person = people.by_account_id(account_id)
    if person is None:
        return {"type": "unknown", "accountId": account_id}
    return person.confluence_user(site_root(), datacenter=datacenter_caller())


def _operation(content: Content, operation: str) -> dict:
    rule = content.restrictions.get(operation) or {}
    users = [_user(a) for a in rule.get("user") or []]
    groups = [{"type": "group", "name": g} for g in rule.get("group") or []]
    return {
        "operation": operation,
        "restrictions": {
            "user": {"results": users, "start": 0, "limit": 200, "size": len(users)},
            "group": {"results": groups, "start": 0, "limit": 200, "size": len(groups)},
        },
        "_expandable": {"content": f"/rest/api/content/{content.id}"},
        "_links": {"self": f"{site_root()}/rest/api/content/{content.id}/restriction/byOperation/{operation}"},
    }


def _content(content_id: str) -> Content:
    return confluence().content(content_id)


# ---------------------------------------------------------------- reads


@blueprint.get("/rest/api/content/<content_id>/restriction")
@locked
def get_restrictions(content_id: str) -> Response:
    content = _content(content_id)
    results = [_operation(content, op) for op in OPERATIONS]
    return jsonify({"results": results, "start": 0, "limit": 100, "size": len(results),
                    "_links": {"base": site_root(), "context": "/wiki"}})


@blueprint.get("/rest/api/content/<content_id>/restriction/byOperation")
@locked
def get_restrictions_by_operation(content_id: str) -> Response:
    content = _content(content_id)
    return jsonify({**{op: _operation(content, op) for op in OPERATIONS},
                    "_links": {"base": site_root(), "context": "/wiki"}})


@blueprint.get("/rest/api/content/<content_id>/restriction/byOperation/<operation>")
@locked
def get_restriction_of_operation(content_id: str, operation: str) -> Response:
    if operation not in OPERATIONS:
        raise bad_request(f"Invalid operation: {operation}. Must be one of {', '.join(OPERATIONS)}")
    return jsonify(_operation(_content(content_id), operation))


# ---------------------------------------------------------------- writes


def _who(entry: Any) -> str:
    if not isinstance(entry, dict):
        raise bad_request("Each user restriction must be an object naming the user")
    person = None
    if entry.get("accountId"):
        person = people.by_account_id(str(entry["accountId"]))
    elif entry.get("username"):
        person = people.by_name(str(entry["username"]))
    elif entry.get("userKey"):
        person = people.by_confluence_key(str(entry["userKey"]))
    else:
        raise bad_request("A user restriction needs an accountId (Cloud) or a username or userKey")
    if person is None:
        raise bad_request(f"No user found for restriction {entry}")
    return person.account_id


def _group(entry: Any) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not name:
        raise bad_request("Each group restriction must be an object with a name")
    if name not in people.GROUPS:
        raise bad_request(f"No group found with name {name}")
    return name


def _listed(value: Any) -> list:
    if isinstance(value, dict):  # the shape GET returns: {"results": [...]}
        value = value.get("results") or []
    if not isinstance(value, list):
        raise bad_request("user and group restrictions must be lists")
    return value


def _requested() -> dict[str, dict[str, list[str]]]:
    data = json_body()
    if isinstance(data, dict):
        data = data.get("results")
    if not isinstance(data, list):
        raise bad_request("The request body must be a list of restrictions by operation")
    wanted: dict[str, dict[str, list[str]]] = {}
    for item in data:
        if not isinstance(item, dict) or item.get("operation") not in OPERATIONS:
            raise bad_request(f"Each restriction needs an operation: one of {', '.join(OPERATIONS)}")
        rules = item.get("restrictions") or {}
        if not isinstance(rules, dict):
            raise bad_request("restrictions must be an object with user and group lists")
        wanted[item["operation"]] = {
            "user": list(dict.fromkeys(_who(u) for u in _listed(rules.get("user") or []))),
            "group": list(dict.fromkeys(_group(g) for g in _listed(rules.get("group") or []))),
        }
    return wanted


def _changed(content: Content) -> Response:
    confluence().note_for_search(content)
    results = [_operation(content, op) for op in OPERATIONS]
    return jsonify({"results": results, "start": 0, "limit": 100, "size": len(results),
                    "_links": {"base": site_root(), "context": "/wiki"}})


@blueprint.put("/rest/api/content/<content_id>/restriction")
@locked
def set_restrictions(content_id: str) -> Response:
    content = _content(content_id)
    for operation, rule in _requested().items():
        if rule["user"] or rule["group"]:
            content.restrictions[operation] = rule
        else:
            content.restrictions.pop(operation, None)
    return _changed(content)


@blueprint.post("/rest/api/content/<content_id>/restriction")
@locked
def add_restrictions(content_id: str) -> Response:
    content = _content(content_id)
    for operation, rule in _requested().items():
        current = content.restrictions.setdefault(operation, {"user": [], "group": []})
        current["user"] = list(dict.fromkeys([*current.get("user", []), *rule["user"]]))
        current["group"] = list(dict.fromkeys([*current.get("group", []), *rule["group"]]))
    return _changed(content)


@blueprint.delete("/rest/api/content/<content_id>/restriction")
@locked
def delete_restrictions(content_id: str) -> Response:
    content = _content(content_id)
    content.restrictions.clear()
    return _changed(content)


@blueprint.get("/rest/api/user/current")
@locked
def current_user() -> Response:
    """Who the caller is (Cloud: with the account id; Data Center: username and user key)."""
    person = caller()
    if person is None:
        raise ConfluenceApiError(401, "This request is not authorized. Please check your credentials.")
    return jsonify(shapes().user(person.account_id))
