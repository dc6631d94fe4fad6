"""Transitions and comments."""

from __future__ import annotations

from typing import Any

from flask import request

from sandbox.jira import adf, catalog, events, render
from sandbox.jira.fields_input import ADF_HELP, Changes, parse_fields, parse_update
from sandbox.jira.http import (
    JiraError,
    actor,
    api,
    base,
    body,
    int_arg,
    issue_or_404,
    jira,
    json_response,
    list_arg,
    no_content,
    route,
    site,
)
from sandbox.jira.model import Issue, now_ts
from sandbox.jira.routes_issues import apply_links_and_comments


def available(issue: Issue) -> list[catalog.Transition]:
    return [t for t in catalog.TRANSITIONS if issue.fields["status"] in t.sources]


def transition_json(t: catalog.Transition, with_fields: bool) -> dict[str, Any]:
    body_ = {"id": t.id, "name": t.name, "to": render.status(t.to, base(), api()), "hasScreen": False,
             "isGlobal": False, "isInitial": False, "isAvailable": True, "isConditional": False,
             "isLooped": False}
    if with_fields:
        body_["fields"] = {}
        if t.resolution:
            body_["fields"]["resolution"] = {
                "required": False, "name": "Resolution", "key": "resolution", "hasDefaultValue": True,
                "operations": ["set"], "schema": {"type": "resolution", "system": "resolution"},
                "allowedValues": [render.resolution(r, base(), api()) for r in catalog.RESOLUTIONS]}
    return body_


@route("/issue/<ref>/transitions", methods=["GET"])
def get_transitions(ref: str):
    issue = issue_or_404(ref)
    with_fields = "transitions.fields" in list_arg("expand")
    wanted = request.args.get("transitionId")
    items = [transition_json(t, with_fields) for t in available(issue) if wanted in (None, "", t.id)]
    return json_response({"expand": "transitions", "transitions": items})


def _chosen(issue: Issue, data: dict[str, Any]) -> catalog.Transition:
    ref = data.get("transition")
    if not isinstance(ref, dict) or (ref.get("id") in (None, "") and not ref.get("name")):
        raise JiraError(400, ["'transition' identifier must be specified."])
    options = available(issue)
    if ref.get("id") not in (None, ""):
        match = next((t for t in options if t.id == str(ref["id"])), None)
        if match is None:
            raise JiraError(400, [f"Transition id '{ref['id']}' is not valid for this issue."])
        return match
    match = next((t for t in options if t.name.lower() == str(ref["name"]).lower()), None)
    if match is None:
        raise JiraError(400, [f"Transition '{ref['name']}' is not valid for this issue."])
    return match


@route("/issue/<ref>/transitions", methods=["POST"])
def do_transition(ref: str):
    issue = issue_or_404(ref)
    data = body()
    if not isinstance(data, dict):
        raise JiraError(400, ["Can not deserialize instance of IssueUpdateBean out of the request body."])
    transition = _chosen(issue, data)
    changes = Changes()
    parse_fields(data.get("fields"), api(), issue.project, changes)
    parse_update(data.get("update"), api(), issue.project, issue, changes)
    if not changes.ok:
        raise JiraError(400, changes.messages, changes.errors)
    values: dict[str, Any] = {"status": transition.to}
    if transition.resolution == "":
        values.update(resolution=None, resolutiondate=None)
    elif transition.resolution:
        values["resolution"] = changes.values.pop("resolution", None) or transition.resolution
        values["resolutiondate"] = now_ts()
    values.update(changes.values)
    user = actor()
    history = jira().change(issue, values, user.account_id)
    events.updated(site(), issue, user, base(), history, transition.event)
    apply_links_and_comments(issue, changes)
    return no_content()


# -- comments ---------------------------------------------------------------------------
def _comment_body(data: Any) -> Any:
    value = data.get("body") if isinstance(data, dict) else None
    if value in (None, "") or (isinstance(value, str) and not value.strip()):
        raise JiraError(400, [], {"comment": "Comment body can not be empty!"})
    if api() == 3 and not adf.is_doc(value):
        raise JiraError(400, [], {"comment": ADF_HELP})
    if api() == 2 and not isinstance(value, str):
        raise JiraError(400, [], {"comment": "Operation value must be a string"})
    return value


def _comment_or_404(issue: Issue, comment_id: str) -> dict:
    comment = next((c for c in issue.comments if c["id"] == comment_id), None)
    if comment is None:
        raise JiraError(404, [f"Can not find a comment for the id: {comment_id}."])
    return comment


@route("/issue/<ref>/comment", methods=["GET"])
def list_comments(ref: str):
    issue = issue_or_404(ref)
    start, size = int_arg("startAt", 0), int_arg("maxResults", 5000, 5000)
    ordered = sorted(issue.comments, key=lambda c: c["created"],
                     reverse=request.args.get("orderBy", "").startswith("-"))
    page = [render.comment(issue, c, base(), api()) for c in ordered[start:start + size]]
    return json_response({"comments": page, "maxResults": size, "total": len(ordered), "startAt": start})


@route("/issue/<ref>/comment", methods=["POST"])
def add_comment(ref: str):
    issue = issue_or_404(ref)
    value = _comment_body(body())
    user = actor()
    comment = jira().add_comment(issue, value, user.account_id)
    events.commented(site(), issue, comment, user, base())
    return json_response(render.comment(issue, comment, base(), api()), 201)


@route("/issue/<ref>/comment/<comment_id>", methods=["GET"])
def get_comment(ref: str, comment_id: str):
    issue = issue_or_404(ref)
    return json_response(render.comment(issue, _comment_or_404(issue, comment_id), base(), api()))


@route("/issue/<ref>/comment/<comment_id>", methods=["PUT"])
def edit_comment(ref: str, comment_id: str):
    issue = issue_or_404(ref)
    comment = _comment_or_404(issue, comment_id)
    value = _comment_body(body())
    user = actor()
    jira().update_comment(issue, comment, value, user.account_id)
    events.commented(site(), issue, comment, user, base(), edited=True)
    return json_response(render.comment(issue, comment, base(), api()))


@route("/issue/<ref>/comment/<comment_id>", methods=["DELETE"])
def delete_comment(ref: str, comment_id: str):
    issue = issue_or_404(ref)
    comment = _comment_or_404(issue, comment_id)
    issue.comments.remove(comment)
    issue.fields["updated"] = now_ts()
    return no_content()
