"""Issue links, link types and remote links."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from sandbox.jira import catalog, events, render
from sandbox.jira.http import (
    JiraError,
    actor,
    api,
    base,
    body,
    issue_or_404,
    jira,
    json_response,
    no_content,
    route,
    site,
)
from sandbox.jira.model import Issue


def _ref(data: Any) -> str | None:
    if isinstance(data, dict):
        return data.get("key") or (str(data["id"]) if data.get("id") is not None else None)
    return None


@route("/issueLink", methods=["POST"])
def create_link():
    data = body()
    if not isinstance(data, dict):
        raise JiraError(400, ["Can not deserialize instance of LinkIssueRequestJsonBean."])
    ltype = catalog.link_type(data.get("type") or {})
    if ltype is None:
        name = (data.get("type") or {}).get("name") or (data.get("type") or {}).get("id")
        raise JiraError(404, [f"No issue link type with name '{name}' found."])
    refs = {side: _ref(data.get(side)) for side in ("inwardIssue", "outwardIssue")}
    missing = {side: f"'{side}' is required." for side, ref in refs.items() if not ref}
    if missing:
        raise JiraError(400, [], missing)
    source, destination = jira().get(refs["inwardIssue"]), jira().get(refs["outwardIssue"])
    if source is None or destination is None:
        raise JiraError(404, ["Issue Does Not Exist"])
    user = actor()
    link = jira().add_link(ltype["id"], source, destination, user.account_id)
    comment_body = (data.get("comment") or {}).get("body") if isinstance(data.get("comment"), dict) else None
    if comment_body:
        comment = jira().add_comment(source, comment_body, user.account_id)
        events.commented(site(), source, comment, user, base())
    events.linked(site(), link, user)
    return Response(status=201)


@route("/issueLink/<int:link_id>", methods=["GET"])
def get_link(link_id: int):
    link = next((lk for lk in jira().links if lk.id == link_id), None)
    if link is None:
        raise JiraError(404, [f"No issue link with id '{link_id}' exists."])
    state = jira()
    return json_response({
        "id": str(link.id), "self": f"{base()}/rest/api/{api()}/issueLink/{link.id}",
        "type": render.link_type(catalog.find(catalog.LINK_TYPES, link.type_id), base(), api()),
        "inwardIssue": render.linked_issue(state.issues[link.source], base(), api()),
        "outwardIssue": render.linked_issue(state.issues[link.destination], base(), api())})


@route("/issueLink/<int:link_id>", methods=["DELETE"])
def delete_link(link_id: int):
    state = jira()
    link = next((lk for lk in state.links if lk.id == link_id), None)
    if link is None:
        raise JiraError(404, [f"No issue link with id '{link_id}' exists."])
    state.links.remove(link)
    return no_content()


@route("/issueLinkType", methods=["GET"])
def link_types():
    return json_response({"issueLinkTypes": [render.link_type(t, base(), api()) for t in catalog.LINK_TYPES]})


# -- remote links -----------------------------------------------------------------------
def _validate_remote(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise JiraError(400, ["Can not deserialize instance of RemoteIssueLinkRequest."])
    obj = data.get("object")
    errors: dict[str, str] = {}
    if not isinstance(obj, dict):
        errors["object"] = "'object' is required."
    else:
        if not obj.get("url"):
            errors["url"] = "'url' is required."
        if not obj.get("title"):
            errors["title"] = "'title' is required."
    if errors:
        raise JiraError(400, [], errors)
    return data


def _remote_or_404(issue: Issue, link_id: str) -> dict:
    link = next((r for r in issue.remote_links if str(r["id"]) == link_id), None)
    if link is None:
        raise JiraError(404, [f"No remote link with id '{link_id}' exists on issue '{issue.key}'."])
    return link


@route("/issue/<ref>/remotelink", methods=["GET"])
def list_remote_links(ref: str):
    issue = issue_or_404(ref)
    global_id = request.args.get("globalId")
    if global_id:
        link = next((r for r in issue.remote_links if r.get("globalId") == global_id), None)
        if link is None:
            raise JiraError(404, [f"No remote link with globalId '{global_id}' exists on issue '{issue.key}'."])
        return json_response(render.remote_link(issue, link, base(), api()))
    return json_response([render.remote_link(issue, r, base(), api()) for r in issue.remote_links])


@route("/issue/<ref>/remotelink", methods=["POST"])
def upsert_remote_link(ref: str):
    issue = issue_or_404(ref)
    link, created = jira().upsert_remote_link(issue, _validate_remote(body()), actor().account_id)
    ident = {"id": link["id"], "self": f"{base()}/rest/api/{api()}/issue/{issue.key}/remotelink/{link['id']}"}
    return json_response(ident, 201 if created else 200)


@route("/issue/<ref>/remotelink/<link_id>", methods=["GET"])
def get_remote_link(ref: str, link_id: str):
    issue = issue_or_404(ref)
    return json_response(render.remote_link(issue, _remote_or_404(issue, link_id), base(), api()))


@route("/issue/<ref>/remotelink/<link_id>", methods=["PUT"])
def update_remote_link(ref: str, link_id: str):
    issue = issue_or_404(ref)
    link = _remote_or_404(issue, link_id)
    data = _validate_remote(body())
    link.update({"globalId": data.get("globalId"), "application": data.get("application"),
                 "relationship": data.get("relationship"), "object": data["object"]})
    return no_content()


@route("/issue/<ref>/remotelink/<link_id>", methods=["DELETE"])
def delete_remote_link(ref: str, link_id: str):
    issue = issue_or_404(ref)
    issue.remote_links.remove(_remote_or_404(issue, link_id))
    return no_content()


@route("/issue/<ref>/remotelink", methods=["DELETE"])
def delete_remote_link_by_global_id(ref: str):
    issue = issue_or_404(ref)
    global_id = request.args.get("globalId")
    link = next((r for r in issue.remote_links if global_id and r.get("globalId") == global_id), None)
    if link is None:
        raise JiraError(404, [f"No remote link with globalId '{global_id}' exists on issue '{issue.key}'."])
    issue.remote_links.remove(link)
    return no_content()
