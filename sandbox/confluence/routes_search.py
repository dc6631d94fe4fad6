"""CQL search: ``/rest/api/search`` (SearchResult items) and ``/rest/api/content/search``
(Content items), both with cursor pagination whose ``_links.next`` is relative to ``/wiki``.

Under a ``search_lag`` fault (``sandbox.faults``) the query matches content as it was that
many seconds ago; the results show the content as it is now, as Confluence's do."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlencode

from flask import Response, jsonify, request

from sandbox import people

from . import cql, storage
from .errors import bad_request
from .model import Content, parse_iso
from .shapes import Shapes, parse_expand, webui_path
from .state import ConfluenceState
from .web_helpers import MAX_LIMIT, blueprint, caller, confluence, int_arg, locked, shapes, site

EXCERPT_LENGTH = 240
SEARCH_ONLY_PARAMS = ("expand", "excerpt", "cqlcontext", "includeArchivedSpaces")


def _identities(account_id: str | None) -> set[str]:
    person = people.by_account_id(account_id) if account_id else None
    if person is None:
        return {account_id} if account_id else set()
    return {person.account_id, person.name, person.email}


def _record(state: ConfluenceState, content: Content, lag: float = 0.0) -> cql.Record | None:
    """What search matches of ``content``: now, or ``lag`` seconds ago (None: not indexed yet)."""
    visible, then = state.search_history.as_of(content.id, lag) if lag > 0 else (True, None)
    if not visible:
        return None
    then = then or {"title": content.title, "labels": list(content.labels), "body": content.body}
    space = state.spaces.get(content.space_key)
    contributors: set[str] = set()
    for version in content.versions:
        contributors |= _identities(version.by)
    ancestors = [a.id for a in state.ancestors(content)] if content.type == "page" else []
    return cql.Record(
        id=content.id, type=content.type, space_key=content.space_key,
        space_title=space.name if space else "", title=then["title"],
        text=storage.plain_text(then["body"]), labels=list(then["labels"]), ancestors=ancestors,
        parent=content.parent_id if content.type == "page" else None,
        creator=_identities(content.created_by), contributors=contributors,
        created=parse_iso(content.created), lastmodified=parse_iso(content.last_modified))


def run_query(state: ConfluenceState, source: str, context: cql.Context, lag: float = 0.0) -> list[Content]:
    try:
        query = cql.parse(source)
        matches = cql.compile_query(query, context)
        records = [r for r in (_record(state, c, lag) for c in state.current()) if r is not None]
        hits = cql.sort_records([r for r in records if matches(r)], query)
    except cql.CqlError as exc:
        raise bad_request(f"Could not parse cql : {source}", [str(exc)]) from None
    return [state.contents[r.id] for r in hits]


def _context() -> cql.Context:
    person = caller()
    context = cql.Context(current_user={person.account_id, person.name, person.email}
                          if person else set())
    raw = request.args.get("cqlcontext")
    if raw:
        try:
            data = json.loads(raw)
        except ValueError:
            raise bad_request("cqlcontext must be a JSON object") from None
        if isinstance(data, dict) and data.get("spaceKey"):
            context.current_space = str(data["spaceKey"])
    return context


def _lag() -> float:
    return site().faults.search_lag(request.method, request.path)


def encode_cursor(start: int) -> str:
    return base64.urlsafe_b64encode(f"next:{start}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _, value = text.partition(":")
        if kind != "next" or not value.isdigit():
            raise ValueError(text)
        return int(value)
    except ValueError:
        raise bad_request(f"Invalid cursor: {cursor}") from None


def _window() -> tuple[str, int, int]:
    source = request.args.get("cql")
    if not source or not source.strip():
        raise bad_request("CQL query parameter 'cql' is required")
    limit = int_arg("limit", 25, MAX_LIMIT)
    cursor = request.args.get("cursor")
    start = decode_cursor(cursor) if cursor else int_arg("start", 0)
    return source, start, limit


def _links(view: Shapes, path: str, source: str, start: int, limit: int, total: int) -> dict:
    keep = {k: request.args.get(k) for k in SEARCH_ONLY_PARAMS if request.args.get(k)}
    links = view.links()
    links["self"] = f"{view.base}{path}?{urlencode({'cql': source, **keep})}"
    if start + limit < total and limit > 0:
        links["next"] = f"{path}?" + urlencode({"cql": source, **keep, "limit": limit,
                                                "cursor": encode_cursor(start + limit)})
    if start > 0:
        links["prev"] = f"{path}?" + urlencode({"cql": source, **keep, "limit": limit,
                                                "cursor": encode_cursor(max(start - limit, 0))})
    return links


@blueprint.get("/rest/api/search")
@locked
def search() -> Response:
    began = time.monotonic()
    state = confluence()
    source, start, limit = _window()
    hits = run_query(state, source, _context(), _lag())
    view = shapes()
    expand = parse_expand(",".join(request.args.getlist("expand")))
    content_expand = {**{k: v for k, v in expand.items() if k != "content"},
                      **expand.get("content", {})}
    excerpt_mode = request.args.get("excerpt", "highlight")
    results = [_search_result(view, c, content_expand, excerpt_mode)
               for c in hits[start:start + limit]]
    return jsonify({
        "results": results, "start": start, "limit": limit, "size": len(results),
        "totalSize": len(hits), "cqlQuery": source,
        "searchDuration": int((time.monotonic() - began) * 1000),
        "archivedResultCount": 0,
        "_links": _links(view, "/rest/api/search", source, start, limit, len(hits)),
    })


def _search_result(view: Shapes, content: Content, expand: dict, excerpt_mode: str) -> dict:
    space = view.state.spaces.get(content.space_key)
    text = storage.plain_text(content.body)
    excerpt = "" if excerpt_mode == "none" else (
        text[:EXCERPT_LENGTH] + ("..." if len(text) > EXCERPT_LENGTH else ""))
    return {
        "content": view.content(content, expand),
        "title": content.title,
        "excerpt": excerpt,
        "url": webui_path(content),
        "resultGlobalContainer": {"title": space.name if space else content.space_key,
                                  "displayUrl": f"/spaces/{content.space_key}"},
        "breadcrumbs": [],
        "entityType": "content",
        "iconCssClass": f"aui-icon content-type-{content.type}",
        "lastModified": content.last_modified,
        "friendlyLastModified": content.last_modified[:10],
        "score": 0.0,
    }


@blueprint.get("/rest/api/content/search")
@locked
def content_search() -> Response:
    state = confluence()
    source, start, limit = _window()
    hits = run_query(state, source, _context(), _lag())
    view = shapes()
    expand = parse_expand(",".join(request.args.getlist("expand")))
    results = [view.content(c, expand) for c in hits[start:start + limit]]
    return jsonify({
        "results": results, "start": start, "limit": limit, "size": len(results),
        "totalSize": len(hits), "cqlQuery": source,
        "_links": _links(view, "/rest/api/content/search", source, start, limit, len(hits)),
    })
