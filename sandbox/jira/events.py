"""Jira webhook events: payload shapes as Jira Cloud sends them (v2 issue, string bodies)."""

from __future__ import annotations

import time
from typing import Any

from sandbox import people
from sandbox.jira import catalog, jql, render
from sandbox.jira.model import Issue, JiraState, Link, change_items


def _now_ms() -> int:
    return int(time.time() * 1000)


def _variables(issue: Issue, user: people.Person) -> dict[str, str]:
    project = issue.project
    return {"issue.key": issue.key, "issue.id": str(issue.id), "project.key": project.key,
            "project.id": project.id, "modifiedUser.accountId": user.account_id,
            "modifiedUser.name": user.name}


def _full_issue(state: JiraState, issue: Issue, base: str) -> dict[str, Any]:
    return render.issue(state, issue, base, 2, list(render.ALL))


def _short_issue(issue: Issue, base: str) -> dict[str, Any]:
    f = issue.fields
    return {"id": str(issue.id), "self": f"{base}/rest/api/2/issue/{issue.id}", "key": issue.key,
            "fields": {"summary": f["summary"],
                       "issuetype": render.issuetype(catalog.find(catalog.ISSUE_TYPES, f["issuetype"]), base),
                       "project": render.project_ref(issue.project, base),
                       "assignee": render.user(f.get("assignee"), base),
                       "priority": render.priority(catalog.find(catalog.PRIORITIES, f["priority"]), base),
                       "status": render.status(f["status"], base)}}


def _emit(sandbox, event: str, payload: dict[str, Any], issues: list[Issue], user: people.Person) -> None:
    state = sandbox.jira
    sandbox.webhooks.emit(
        event, payload,
        accepts=lambda hook: any(jql.matches(state, hook.jql, i, user.account_id) for i in issues),
        variables=_variables(issues[0], user))


def issue_event(sandbox, webhook_event: str, type_name: str, issue: Issue, user: people.Person, base: str,
                history: dict | None = None, comment: dict | None = None) -> None:
    """``jira:issue_created``/``jira:issue_updated`` with changelog or comment."""
    payload: dict[str, Any] = {"timestamp": _now_ms(), "webhookEvent": webhook_event,
                               "issue_event_type_name": type_name, "user": user.jira_user(base),
                               "issue": _full_issue(sandbox.jira, issue, base)}
    if history is not None:
        payload["changelog"] = {"id": history["id"], "items": history["items"]}
    if comment is not None:
        payload["comment"] = render.comment(issue, comment, base, 2)
    _emit(sandbox, webhook_event, payload, [issue], user)


def created(sandbox, issue: Issue, user: people.Person, base: str) -> None:
    items = [item for fid, value in issue.fields.items()
             if fid in catalog.FIELDS_BY_ID and catalog.FIELDS_BY_ID[fid].kind not in
             ("fixed", "comments", "issuelinks", "project", "datetime") and value not in (None, [], "")
             and fid != "creator"
             for item in change_items(fid, None, value, issue.project)]
    items += [item for fdef in catalog.CUSTOM_FIELDS if fdef.kind == "datetime" and issue.fields.get(fdef.id)
              for item in change_items(fdef.id, None, issue.fields[fdef.id], issue.project)]
    history = {"id": str(sandbox.jira.next_id("history")), "items": items}
    issue_event(sandbox, "jira:issue_created", "issue_created", issue, user, base, history)


def updated(sandbox, issue: Issue, user: people.Person, base: str, history: dict | None,
            type_name: str | None = None) -> None:
    if history is None:
        return
    if type_name is None:
        fields = {item.get("fieldId") for item in history["items"]}
        type_name = "issue_assigned" if fields == {"assignee"} else "issue_updated"
    issue_event(sandbox, "jira:issue_updated", type_name, issue, user, base, history)


def commented(sandbox, issue: Issue, comment: dict, user: people.Person, base: str, edited: bool = False) -> None:
    """``comment_created``/``comment_updated`` plus the legacy ``jira:issue_updated`` form."""
    event = "comment_updated" if edited else "comment_created"
    payload = {"timestamp": _now_ms(), "webhookEvent": event,
               "comment": render.comment(issue, comment, base, 2), "issue": _short_issue(issue, base)}
    _emit(sandbox, event, payload, [issue], user)
    issue_event(sandbox, "jira:issue_updated", "issue_comment_edited" if edited else "issue_commented",
                issue, user, base, comment=comment)


def linked(sandbox, link: Link, user: people.Person) -> None:
    ltype = catalog.find(catalog.LINK_TYPES, link.type_id)
    payload = {"timestamp": _now_ms(), "webhookEvent": "issuelink_created",
               "issueLink": {"id": link.id, "sourceIssueId": link.source, "destinationIssueId": link.destination,
                             "issueLinkType": {"id": int(ltype["id"]), "name": ltype["name"],
                                               "outwardName": ltype["outward"], "inwardName": ltype["inward"],
                                               "isSubTaskLinkType": False, "isSystemLinkType": False},
                             "systemLink": False}}
    state = sandbox.jira
    _emit(sandbox, "issuelink_created", payload, [state.issues[link.source], state.issues[link.destination]], user)
