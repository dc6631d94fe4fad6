"""JSON shapes of Jira resources, for API v2 (strings) and v3 (ADF documents)."""

from __future__ import annotations

from typing import Any

from sandbox import people
from sandbox.auth import datacenter_caller
from sandbox.jira import adf, catalog
from sandbox.jira.model import Issue, JiraState

FIXED_VALUES: dict[str, Any] = {
    "subtasks": [], "fixVersions": [], "versions": [], "attachment": [], "timetracking": {},
    "lastViewed": None, "security": None, "progress": {"progress": 0, "total": 0},
    "aggregateprogress": {"progress": 0, "total": 0}, "timespent": None,
    "timeoriginalestimate": None, "timeestimate": None, "workratio": -1,
}


def api_base(base: str, api: int) -> str:
    return f"{base}/rest/api/{api}"


def user(account_id: str | None, base: str) -> dict | None:
    if not account_id:
        return None
    person = people.by_account_id(account_id)
    return person.jira_user(base, datacenter=datacenter_caller()) if person else {"accountId": account_id, "active": False,
                                                   "displayName": account_id}


def status(status_id: str, base: str, api: int = 2) -> dict:
    s = catalog.status(status_id)
    cat = catalog.STATUS_CATEGORIES[s.category]
    return {"self": f"{api_base(base, api)}/status/{s.id}", "description": s.description,
            "iconUrl": f"{base}/images/icons/statuses/generic.png", "name": s.name, "id": s.id,
            "statusCategory": {"self": f"{api_base(base, api)}/statuscategory/{cat['id']}", **cat}}


def priority(item: dict, base: str, api: int = 2) -> dict:
    return {"self": f"{api_base(base, api)}/priority/{item['id']}",
            "iconUrl": f"{base}/images/icons/priorities/{item['name'].lower()}.svg",
            "name": item["name"], "id": item["id"]}


def priority_full(item: dict, base: str, api: int = 2) -> dict:
    return {**priority(item, base, api), "statusColor": item["statusColor"],
            "description": item["description"], "isDefault": item["id"] == catalog.DEFAULT_PRIORITY}


def resolution(item: dict, base: str, api: int = 2) -> dict:
    return {"self": f"{api_base(base, api)}/resolution/{item['id']}", **item}


def issuetype(item: dict, base: str, api: int = 2) -> dict:
    return {"self": f"{api_base(base, api)}/issuetype/{item['id']}", "id": item["id"],
            "description": item["description"],
            "iconUrl": f"{base}/secure/viewavatar?size=medium&avatarId={item['avatarId']}&avatarType=issuetype",
            "name": item["name"], "subtask": False, "avatarId": item["avatarId"], "hierarchyLevel": 0}


def project_ref(p: catalog.Project, base: str, api: int = 2) -> dict:
    return {"self": f"{api_base(base, api)}/project/{p.id}", "id": p.id, "key": p.key, "name": p.name,
            "projectTypeKey": "software", "simplified": False,
            "avatarUrls": {size: f"{base}/secure/projectavatar?pid={p.id}&size={px}" for size, px in
                           (("48x48", "large"), ("24x24", "small"), ("16x16", "xsmall"), ("32x32", "medium"))}}


def component(p: catalog.Project, cid: str, base: str, api: int = 2) -> dict:
    name = dict(p.components)[cid]
    return {"self": f"{api_base(base, api)}/component/{cid}", "id": cid, "name": name}


def project_full(p: catalog.Project, base: str, api: int = 2) -> dict:
    return {**project_ref(p, base, api), "description": p.description, "lead": user(p.lead, base),
            "components": [{**component(p, cid, base, api), "project": p.key, "projectId": int(p.id),
                            "isAssigneeTypeValid": False} for cid, _ in p.components],
            "issueTypes": [issuetype(catalog.find(catalog.ISSUE_TYPES, t), base, api) for t in p.issue_types],
            "assigneeType": "UNASSIGNED", "versions": [], "roles": {}, "style": "classic", "isPrivate": False,
            "properties": {}}


def link_type(item: dict, base: str, api: int = 2) -> dict:
    return {**item, "self": f"{api_base(base, api)}/issueLinkType/{item['id']}"}


def text_value(value: Any, api: int) -> Any:
    return adf.as_doc(value) if api == 3 else adf.as_text(value)


def comment(issue: Issue, c: dict, base: str, api: int) -> dict:
    return {"self": f"{api_base(base, api)}/issue/{issue.id}/comment/{c['id']}", "id": c["id"],
            "author": user(c["author"], base), "body": text_value(c["body"], api),
            "updateAuthor": user(c["updateAuthor"], base), "created": c["created"],
            "updated": c["updated"], "jsdPublic": True}


def linked_issue(other: Issue, base: str, api: int) -> dict:
    f = other.fields
    return {"id": str(other.id), "key": other.key, "self": f"{api_base(base, api)}/issue/{other.id}",
            "fields": {"summary": f["summary"], "status": status(f["status"], base, api),
                       "priority": priority(catalog.find(catalog.PRIORITIES, f["priority"]), base, api),
                       "issuetype": issuetype(catalog.find(catalog.ISSUE_TYPES, f["issuetype"]), base, api)}}


def issue_links(state: JiraState, issue: Issue, base: str, api: int) -> list[dict]:
    result = []
    for lk in state.links_of(issue):
        outward = lk.source == issue.id
        other = state.issues[lk.destination if outward else lk.source]
        result.append({"id": str(lk.id), "self": f"{api_base(base, api)}/issueLink/{lk.id}",
                       "type": link_type(catalog.find(catalog.LINK_TYPES, lk.type_id), base, api),
                       "outwardIssue" if outward else "inwardIssue": linked_issue(other, base, api)})
    return result


def remote_link(issue: Issue, r: dict, base: str, api: int) -> dict:
    body = {"id": r["id"], "self": f"{api_base(base, api)}/issue/{issue.key}/remotelink/{r['id']}"}
    for key in ("globalId", "application", "relationship"):
        if r.get(key) is not None:
            body[key] = r[key]
    body["object"] = r["object"]
    return body


def field_value(state: JiraState, issue: Issue, fdef: catalog.FieldDef, base: str, api: int) -> Any:
    value = issue.fields.get(fdef.id)
    kind = fdef.kind
    if kind == "fixed":
        if fdef.id == "watches":
            return {"self": f"{api_base(base, api)}/issue/{issue.key}/watchers", "watchCount": 1,
                    "isWatching": True}
        if fdef.id == "votes":
            return {"self": f"{api_base(base, api)}/issue/{issue.key}/votes", "votes": 0, "hasVoted": False}
        if fdef.id == "worklog":
            return {"startAt": 0, "maxResults": 20, "total": 0, "worklogs": []}
        return FIXED_VALUES.get(fdef.id)
    if kind == "comments":
        items = [comment(issue, c, base, api) for c in issue.comments]
        return {"comments": items, "self": f"{api_base(base, api)}/issue/{issue.id}/comment",
                "maxResults": len(items), "total": len(items), "startAt": 0}
    if kind == "issuelinks":
        return issue_links(state, issue, base, api)
    if value is None:
        return [] if kind in ("labels", "components") else None
    if kind == "doc":
        return text_value(value, api)
    if kind == "project":
        return project_ref(catalog.project(value), base, api)
    if kind == "issuetype":
        return issuetype(catalog.find(catalog.ISSUE_TYPES, value), base, api)
    if kind == "status":
        return status(value, base, api)
    if kind == "priority":
        return priority(catalog.find(catalog.PRIORITIES, value), base, api)
    if kind == "resolution":
        return resolution(catalog.find(catalog.RESOLUTIONS, value), base, api)
    if kind == "user":
        return user(value, base)
    if kind == "components":
        return [component(issue.project, cid, base, api) for cid in value]
    if kind == "select":
        return {"self": f"{api_base(base, api)}/customFieldOption/{value}", "value": fdef.option_value(value),
                "id": value}
    if kind == "labels":
        return list(value)
    return value


NAVIGABLE = tuple(f.id for f in catalog.FIELDS if f.navigable)
ALL = tuple(f.id for f in catalog.FIELDS)


def resolve_fields(params: list[str], default: str) -> list[str]:
    """Which field ids a ``fields=`` parameter asks for (``*all``, ``*navigable``, ``-x``, ``id``)."""
    tokens = [t.strip() for p in params for t in p.split(",") if t.strip()] or [default]
    chosen: list[str] = []
    excluded = {t[1:] for t in tokens if t.startswith("-")}
    positives = [t for t in tokens if not t.startswith("-")] or ["*navigable"]
    for token in positives:
        if token == "*all":
            chosen += ALL
        elif token == "*navigable":
            chosen += NAVIGABLE
        elif token in catalog.FIELDS_BY_ID:
            chosen.append(token)
        else:
            fdef = catalog.field_by_clause(token)
            if fdef:
                chosen.append(fdef.id)
    seen: dict[str, None] = {}
    for fid in chosen:
        if fid not in excluded:
            seen[fid] = None
    return list(seen)


def changelog_history(h: dict, base: str) -> dict:
    return {"id": h["id"], "author": user(h["author"], base), "created": h["created"], "items": h["items"]}


def issue(state: JiraState, item: Issue, base: str, api: int, field_ids: list[str],
          expand: set[str] | None = None) -> dict:
    """A full IssueBean with the chosen fields and expansions."""
    expand = expand or set()
    body: dict[str, Any] = {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": str(item.id), "self": f"{api_base(base, api)}/issue/{item.id}", "key": item.key,
    }
    defs = [catalog.FIELDS_BY_ID[f] for f in field_ids]
    body["fields"] = {f.id: field_value(state, item, f, base, api) for f in defs}
    if "renderedFields" in expand:
        body["renderedFields"] = {f.id: (adf.to_html(item.fields.get(f.id)) if f.kind == "doc"
                                         else body["fields"].get(f.id)) for f in defs}
    if "names" in expand:
        body["names"] = {f.id: f.name for f in defs}
    if "schema" in expand:
        body["schema"] = {f.id: f.schema for f in defs}
    if "changelog" in expand:
        histories = [changelog_history(h, base) for h in item.histories]
        body["changelog"] = {"startAt": 0, "maxResults": len(histories), "total": len(histories),
                             "histories": histories}
    return body


def field_details(fdef: catalog.FieldDef) -> dict:
    body = {"id": fdef.id, "key": fdef.id, "name": fdef.name, "custom": fdef.custom,
            "orderable": fdef.orderable, "navigable": fdef.navigable, "searchable": fdef.kind != "fixed",
            "clauseNames": list(fdef.clause_names), "schema": fdef.schema}
    if fdef.custom:
        body["untranslatedName"] = fdef.name
    return body
