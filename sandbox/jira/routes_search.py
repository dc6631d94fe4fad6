"""JQL search: the Cloud token-paged ``search/jql`` and the older ``search`` (startAt/total).

Under a ``search_lag`` fault (``sandbox.faults``) the query matches issues as they were that many
seconds ago (issues created since are not found); the results show the issues as they are now."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import replace
from typing import Any

from flask import request

from sandbox.jira import catalog, render
from sandbox.jira.http import JiraError, actor, api, base, jira, json_response, route, site
from sandbox.jira.jql import JqlError, compile_query, order_issues

REMOVED = ("The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
           "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046")
UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."


def _params() -> dict[str, Any]:
    """Search parameters from the query string (GET) or the JSON body (POST)."""
    if request.method == "POST":
        data = request.get_json(silent=True, force=True)
        if not isinstance(data, dict):
            raise JiraError(400, ["No content to map to Object due to end of input"])
        fields = data.get("fields")
        expand = data.get("expand") or ""
        return {"jql": data.get("jql") or "", "fields": fields if isinstance(fields, list) else
                ([fields] if fields else []), "expand": expand if isinstance(expand, str) else ",".join(expand),
                "startAt": data.get("startAt", 0), "maxResults": data.get("maxResults"),
                "nextPageToken": data.get("nextPageToken")}
    return {"jql": request.args.get("jql", ""), "fields": request.args.getlist("fields"),
            "expand": ",".join(request.args.getlist("expand")), "startAt": request.args.get("startAt", 0),
            "maxResults": request.args.get("maxResults"), "nextPageToken": request.args.get("nextPageToken")}


def _int(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise JiraError(400, [f"The value '{value}' is invalid for the parameter '{name}'."]) from None
    if number < 0:
        raise JiraError(400, [f"The '{name}' parameter must not be negative."])
    return number


def _run(jql_text: str, bounded: bool):
    try:
        query, predicate = compile_query(jql_text, jira(), actor().account_id)
    except JqlError as err:
        raise JiraError(400, [str(err)]) from None
    if bounded and query.where is None:
        raise JiraError(400, [UNBOUNDED])
    lag = site().faults.search_lag(request.method, request.path)
    return order_issues([i for i in jira().all_issues() if _matches_then(i, predicate, lag)], query.order)


def _matches_then(issue, predicate, lag: float) -> bool:  # noqa: ANN001 - Issue, JQL predicate
    """Whether ``issue`` matched ``lag`` seconds ago (always its current self without a lag)."""
    if lag <= 0:
        return predicate(issue)
    visible, fields = jira().search_history.as_of(issue.id, lag)
    if not visible:
        return False
    return predicate(issue if fields is None else replace(issue, fields=fields))


def _token(offset: int, jql_text: str) -> str:
    digest = hashlib.sha1(jql_text.encode()).hexdigest()[:10]
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "q": digest}).encode()).decode().rstrip("=")


def _offset(token: str | None, jql_text: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] != hashlib.sha1(jql_text.encode()).hexdigest()[:10]:
            raise ValueError
        return int(data["o"])
    except (ValueError, KeyError, TypeError):
        raise JiraError(400, ["The provided next page token is invalid or expired."]) from None


def _bodies(issues: list, field_ids: list[str], expand: set[str]) -> list[dict]:
    return [render.issue(jira(), i, base(), api(), field_ids, expand) for i in issues]


def _names_schema(result: dict, field_ids: list[str], expand: set[str]) -> None:
    defs = [catalog.FIELDS_BY_ID[f] for f in field_ids]
    if "names" in expand:
        result["names"] = {f.id: f.name for f in defs}
    if "schema" in expand:
        result["schema"] = {f.id: f.schema for f in defs}


@route("/search/jql", methods=["GET", "POST"])
def search_jql():
    p = _params()
    requested = p["fields"] or ["id"]
    field_ids = [] if requested == ["id"] else render.resolve_fields(requested, "id")
    size = min(_int(p["maxResults"], "maxResults", 50), 5000 if not field_ids else 100)
    offset = _offset(p["nextPageToken"], p["jql"])
    issues = _run(p["jql"], bounded=True)
    page = issues[offset:offset + size]
    expand = {e.strip() for e in p["expand"].split(",") if e.strip()}
    items = ([{"id": str(i.id)} for i in page] if not field_ids and not expand
             else _bodies(page, field_ids, expand - {"names", "schema"}))
    result: dict[str, Any] = {"issues": items, "isLast": offset + size >= len(issues)}
    if not result["isLast"]:
        result["nextPageToken"] = _token(offset + size, p["jql"])
    _names_schema(result, field_ids, expand)
    return json_response(result)


@route("/search", methods=["GET", "POST"])
def search_classic():
    if api() == 3:
        raise JiraError(410, [REMOVED])
    p = _params()
    field_ids = render.resolve_fields(p["fields"], "*navigable")
    start = _int(p["startAt"], "startAt", 0)
    size = min(_int(p["maxResults"], "maxResults", 50), 1000)
    issues = _run(p["jql"], bounded=False)
    expand = {e.strip() for e in p["expand"].split(",") if e.strip()}
    result: dict[str, Any] = {"expand": "schema,names", "startAt": start, "maxResults": size,
                              "total": len(issues),
                              "issues": _bodies(issues[start:start + size], field_ids,
                                                expand - {"names", "schema"})}
    _names_schema(result, field_ids, expand)
    return json_response(result)
