"""Issue routes: get, create (single and bulk), edit, assign, changelog."""

from __future__ import annotations

from typing import Any

from flask import request

from sandbox import people
from sandbox.jira import catalog, events, render
from sandbox.jira.fields_input import (
    Changes,
    FieldError,
    check_link_targets,
    parse_fields,
    parse_update,
    parse_value,
    unknown_field,
)
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
from sandbox.jira.model import Issue

BULK_LIMIT = 50


@route("/issue/<ref>", methods=["GET"])
def get_issue(ref: str):
    issue = issue_or_404(ref)
    fields = render.resolve_fields(request.args.getlist("fields"), "*all")
    return json_response(render.issue(jira(), issue, base(), api(), fields, set(list_arg("expand"))))


def _project_of(fields: dict[str, Any], changes: Changes) -> catalog.Project | None:
    ref = fields.get("project")
    key = (ref.get("key") or ref.get("id")) if isinstance(ref, dict) else ref
    project = catalog.project(key) if key not in (None, "") else None
    if project is None:
        changes.errors["project"] = "Specify a valid project ID or key"
    return project


def validate_create(data: Any) -> tuple[catalog.Project | None, Changes]:
    """Check one create request the way Jira does, collecting every field error."""
    changes = Changes()
    if not isinstance(data, dict) or not isinstance(data.get("fields", {}), dict):
        changes.messages.append("Can not deserialize instance of IssueUpdateBean out of the request body.")
        return None, changes
    fields = data.get("fields") or {}
    project = _project_of(fields, changes)
    if "issuetype" not in fields:
        changes.errors["issuetype"] = "Specify an issue type"
    if "summary" not in fields and "summary" not in (data.get("update") or {}):
        changes.errors["summary"] = "You must specify a summary of the issue."
    if project is None:
        return None, changes
    parse_fields({k: v for k, v in fields.items() if k != "project"}, api(), project, changes,
                 allowed_readonly=("reporter",))
    parse_update(data.get("update"), api(), project, None, changes)
    check_link_targets(jira(), changes)
    check_create_screen(project, changes)
    check_assignable(project, changes)
    return project, changes


def check_assignable(project: catalog.Project, changes: Changes) -> None:
    """The assignee needs the Assignable User permission in the project."""
    assignee = changes.values.get("assignee")
    if assignee and assignee in jira().unassignable.get(project.key, set()) and "assignee" not in changes.errors:
        person = people.by_account_id(assignee)
        changes.errors["assignee"] = f"User '{person.name if person else assignee}' cannot be assigned issues."


def check_create_screen(project: catalog.Project, changes: Changes) -> None:
    """Fields the create screen lacks cannot be set; fields it requires must be given."""
    type_id = changes.values.get("issuetype")
    if not type_id:
        return
    on_screen, required = jira().create_screen(project, type_id)
    ids = {f.id for f in on_screen}
    for fid in list(changes.values):
        if fid not in ids and fid not in changes.errors:
            changes.errors[fid] = unknown_field(fid)
    for fid in sorted(required - {"project", *catalog.SCREEN_DEFAULTED}):
        if changes.values.get(fid) in (None, "", []) and fid not in changes.errors:
            changes.errors[fid] = f"{catalog.FIELDS_BY_ID[fid].name} is required."


def apply_links_and_comments(issue: Issue, changes: Changes) -> None:
    sandbox, user, state = site(), actor(), jira()
    for body_value in changes.comments:
        comment = state.add_comment(issue, body_value, user.account_id)
        events.commented(sandbox, issue, comment, user, base())
    for type_id, direction, other_ref in changes.links:
        other = state.get(other_ref)
        source, destination = (issue, other) if direction == "outwardIssue" else (other, issue)
        events.linked(sandbox, state.add_link(type_id, source, destination, user.account_id), user)


def create_from(data: Any) -> Issue:
    project, changes = validate_create(data)
    if not changes.ok:
        raise JiraError(400, changes.messages, changes.errors)
    user = actor()
    issue = jira().create({"project": project.key, **changes.values}, user.account_id)
    events.created(site(), issue, user, base())
    apply_links_and_comments(issue, changes)
    return issue


def created_ref(issue: Issue) -> dict[str, str]:
    return {"id": str(issue.id), "key": issue.key, "self": f"{base()}/rest/api/{api()}/issue/{issue.id}"}


@route("/issue", methods=["POST"])
def create_issue():
    return json_response(created_ref(create_from(body())), 201)


@route("/issue/bulk", methods=["POST"])
def create_issues():
    data = body()
    updates = data.get("issueUpdates") if isinstance(data, dict) else None
    if not isinstance(updates, list):
        raise JiraError(400, ["Can not deserialize instance of issueUpdates out of the request body."])
    if len(updates) > BULK_LIMIT:
        raise JiraError(400, [f"Number of issues to create exceeds the limit of {BULK_LIMIT}."])
    issues, errors = [], []
    for number, item in enumerate(updates):
        try:
            issues.append(created_ref(create_from(item)))
        except JiraError as err:
            errors.append({"status": err.status, "failedElementNumber": number,
                           "elementErrors": {"errorMessages": err.messages, "errors": err.errors}})
    status = 400 if updates and not issues else 201
    return json_response({"issues": issues, "errors": errors}, status)


@route("/issue/<ref>", methods=["PUT"])
def edit_issue(ref: str):
    issue = issue_or_404(ref)
    data = body()
    if not isinstance(data, dict):
        raise JiraError(400, ["Can not deserialize instance of IssueUpdateBean out of the request body."])
    changes = Changes()
    parse_fields(data.get("fields"), api(), issue.project, changes)
    parse_update(data.get("update"), api(), issue.project, issue, changes)
    check_link_targets(jira(), changes)
    if not changes.ok:
        raise JiraError(400, changes.messages, changes.errors)
    user = actor()
    history = jira().change(issue, changes.values, user.account_id)
    events.updated(site(), issue, user, base(), history)
    apply_links_and_comments(issue, changes)
    if request.args.get("returnIssue") == "true":
        return json_response(render.issue(jira(), issue, base(), api(), list(render.ALL)))
    return no_content()


@route("/issue/<ref>/assignee", methods=["PUT"])
def assign_issue(ref: str):
    issue = issue_or_404(ref)
    try:
        assignee = parse_value(catalog.FIELDS_BY_ID["assignee"], body(), api(), issue.project)
    except FieldError as err:
        raise JiraError(400, [], {"assignee": err.message}) from None
    user = actor()
    history = jira().change(issue, {"assignee": assignee}, user.account_id)
    events.updated(site(), issue, user, base(), history)
    return no_content()


@route("/issue/<ref>/changelog", methods=["GET"])
def get_changelog(ref: str):
    issue = issue_or_404(ref)
    start, size = int_arg("startAt", 0), int_arg("maxResults", 100, 100)
    histories = issue.histories
    page = [render.changelog_history(h, base()) for h in histories[start:start + size]]
    url = f"{base()}/rest/api/{api()}/issue/{issue.key}/changelog"
    last = start + size >= len(histories)
    result = {"self": f"{url}?maxResults={size}&startAt={start}", "maxResults": size, "startAt": start,
              "total": len(histories), "isLast": last, "values": page}
    if not last:
        result["nextPage"] = f"{url}?maxResults={size}&startAt={start + size}"
    return json_response(result)


@route("/changelog/bulkfetch", methods=["POST"])
def bulk_changelog():
    """Change histories of many issues, optionally only for some fields, token-paged."""
    data = body()
    refs = data.get("issueIdsOrKeys") if isinstance(data, dict) else None
    field_ids = set(data.get("fieldIds") or []) if isinstance(data, dict) else set()
    if not isinstance(refs, list) or not refs or len(refs) > 1000:
        raise JiraError(400, ["issueIdsOrKeys must list between 1 and 1000 issues."])
    if len(field_ids) > 10:
        raise JiraError(400, ["fieldIds must not list more than 10 fields."])
    size = min(int(data.get("maxResults") or 1000), 10000)
    token = data.get("nextPageToken")
    offset = int(token) if isinstance(token, str) and token.isdigit() else 0
    pairs = []
    for ref in dict.fromkeys(str(r) for r in refs):
        issue = jira().get(ref)
        for history in issue.histories if issue else []:
            items = [i for i in history["items"] if not field_ids or i.get("fieldId") in field_ids]
            if items:
                pairs.append((issue, {**render.changelog_history(history, base()), "items": items}))
    logs: dict[str, list] = {}
    for issue, history in pairs[offset:offset + size]:
        logs.setdefault(str(issue.id), []).append(history)
    result: dict[str, Any] = {"issueChangeLogs": [{"issueId": k, "changeHistories": v} for k, v in logs.items()]}
    if offset + size < len(pairs):
        result["nextPageToken"] = str(offset + size)
    return json_response(result)
