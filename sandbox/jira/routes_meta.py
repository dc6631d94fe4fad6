"""Site metadata: server info, priorities, issue types, statuses, resolutions, projects, fields, users."""

from __future__ import annotations

from flask import request

from sandbox import people
from sandbox.auth import datacenter_caller
from sandbox.jira import catalog, render
from sandbox.jira.http import JiraError, actor, api, base, int_arg, jira, json_response, route
from sandbox.jira.model import now_ts

USER_MISSING = "Specified user does not exist or you do not have required permissions"


def _page(values: list, start: int, size: int, path: str) -> dict:
    chunk = values[start:start + size]
    last = start + size >= len(values)
    result = {"self": f"{base()}/rest/api/{api()}/{path}?maxResults={size}&startAt={start}",
              "maxResults": size, "startAt": start, "total": len(values), "isLast": last, "values": chunk}
    if not last:
        result["nextPage"] = f"{base()}/rest/api/{api()}/{path}?maxResults={size}&startAt={start + size}"
    return result


@route("/serverInfo", methods=["GET"])
def server_info():
    return json_response({
        "baseUrl": base(), "displayUrl": base(), "displayUrlConfluence": f"{base()}/wiki",
        "displayUrlServicedeskHelpCenter": base(), "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0], "deploymentType": "Cloud", "buildNumber": 100290,
        "buildDate": "2026-11-20T00:00:00.000+0000", "serverTime": now_ts(),
        "scmInfo": "0d5c8c4f7e1a6b0f2d93e7a51c0b9e2f7a4d6c11", "serverTitle": "Jira",
        "defaultLocale": {"locale": "en_US"}, "serverTimeZone": "Etc/UTC"})


@route("/priority", methods=["GET"])
def priorities():
    return json_response([render.priority_full(p, base(), api()) for p in catalog.PRIORITIES])


@route("/priority/search", methods=["GET"])
def search_priorities():
    wanted = set(request.args.getlist("id"))
    name = (request.args.get("priorityName") or "").lower()
    values = [render.priority_full(p, base(), api()) for p in catalog.PRIORITIES
              if (not wanted or p["id"] in wanted) and name in p["name"].lower()]
    return json_response(_page(values, int_arg("startAt", 0), int_arg("maxResults", 50, 50), "priority/search"))


@route("/priority/<pid>", methods=["GET"])
def get_priority(pid: str):
    item = catalog.find(catalog.PRIORITIES, pid)
    if item is None:
        raise JiraError(404, [f"The priority with id '{pid}' does not exist."])
    return json_response(render.priority_full(item, base(), api()))


@route("/issuetype", methods=["GET"])
def issue_types():
    return json_response([render.issuetype(t, base(), api()) for t in catalog.ISSUE_TYPES])


@route("/issuetype/<tid>", methods=["GET"])
def get_issue_type(tid: str):
    item = catalog.find(catalog.ISSUE_TYPES, tid)
    if item is None:
        raise JiraError(404, [f"The issue type with id '{tid}' does not exist."])
    return json_response(render.issuetype(item, base(), api()))


@route("/status", methods=["GET"])
def statuses():
    return json_response([render.status(s.id, base(), api()) for s in catalog.STATUSES])


@route("/resolution", methods=["GET"])
def resolutions():
    return json_response([render.resolution(r, base(), api()) for r in catalog.RESOLUTIONS])


@route("/project", methods=["GET"])
def projects():
    return json_response([render.project_full(p, base(), api()) for p in catalog.PROJECTS])


@route("/project/search", methods=["GET"])
def search_projects():
    query = (request.args.get("query") or "").lower()
    values = [render.project_full(p, base(), api()) for p in catalog.PROJECTS
              if query in p.key.lower() or query in p.name.lower()]
    return json_response(_page(values, int_arg("startAt", 0), int_arg("maxResults", 50, 100), "project/search"))


def _project_or_404(ref: str) -> catalog.Project:
    project = catalog.project(ref)
    if project is None:
        raise JiraError(404, [f"No project could be found with key '{ref}'."])
    return project


@route("/project/<ref>", methods=["GET"])
def get_project(ref: str):
    return json_response(render.project_full(_project_or_404(ref), base(), api()))


@route("/project/<ref>/components", methods=["GET"])
def project_components(ref: str):
    return json_response(render.project_full(_project_or_404(ref), base(), api())["components"])


def _create_meta_page(values: list, key: str) -> dict:
    start, size = int_arg("startAt", 0), int_arg("maxResults", 50, 200)
    return {"maxResults": size, "startAt": start, "total": len(values), key: values[start:start + size]}


def _listed(name: str) -> set[str]:
    return {v.strip() for raw in request.args.getlist(name) for v in raw.split(",") if v.strip()}


@route("/issue/createmeta", methods=["GET"])
def create_meta():
    """The deprecated all-in-one createmeta (still documented beside the per-project one):
    projects filtered by projectKeys/projectIds, their issue types by issuetypeIds/issuetypeNames,
    and each type's create-screen fields with ``expand=projects.issuetypes.fields``."""
    keys, ids = _listed("projectKeys"), _listed("projectIds")
    type_ids, type_names = _listed("issuetypeIds"), {n.lower() for n in _listed("issuetypeNames")}
    with_fields = "projects.issuetypes.fields" in _listed("expand")
    projects = []
    for project in catalog.PROJECTS:
        if (keys or ids) and project.key not in keys and project.id not in ids:
            continue
        types = []
        for tid in project.issue_types:
            item = catalog.find(catalog.ISSUE_TYPES, tid)
            if (type_ids or type_names) and tid not in type_ids and item["name"].lower() not in type_names:
                continue
            entry = {**render.issuetype(item, base(), api()), "expand": "fields"}
            if with_fields:
                fields, required = jira().create_screen(project, tid)
                entry["fields"] = {f.id: _field_meta(f, f.id in required, with_id=False) for f in fields}
            types.append(entry)
        ref = render.project_ref(project, base(), api())
        projects.append({"expand": "issuetypes", "self": ref["self"], "id": ref["id"], "key": ref["key"],
                         "name": ref["name"], "avatarUrls": ref["avatarUrls"], "issuetypes": types})
    return json_response({"expand": "projects", "projects": projects})


@route("/issue/createmeta/<ref>/issuetypes", methods=["GET"])
def create_meta_issue_types(ref: str):
    """The issue types a project's issues can be created with (Jira 9+ / Cloud createmeta)."""
    project = _project_or_404(ref)
    types = [render.issuetype(catalog.find(catalog.ISSUE_TYPES, tid), base(), api()) for tid in project.issue_types]
    return json_response(_create_meta_page(types, "issueTypes"))


def _field_meta(fdef: catalog.FieldDef, required: bool, *, with_id: bool = True) -> dict:
    meta = {"required": required, "schema": dict(fdef.schema), "name": fdef.name, "key": fdef.id,
            "hasDefaultValue": fdef.id in ("priority", *catalog.SCREEN_DEFAULTED),
            "operations": ["add", "set", "remove"] if fdef.kind in ("labels", "components") else ["set"]}
    if with_id:  # the per-type listing names each field; the all-in-one one keys them by id
        meta["fieldId"] = fdef.id
    if fdef.options:
        meta["allowedValues"] = [{"id": oid, "value": value} for oid, value in fdef.options]
    return meta


@route("/issue/createmeta/<ref>/issuetypes/<tid>", methods=["GET"])
def create_meta_fields(ref: str, tid: str):
    """The fields of a project's create screen for one issue type, and which are required."""
    project = _project_or_404(ref)
    if tid not in project.issue_types:
        raise JiraError(404, [f"Issue type with id '{tid}' does not exist in project '{project.key}'."])
    fields, required = jira().create_screen(project, tid)
    return json_response(_create_meta_page([_field_meta(f, f.id in required) for f in fields], "fields"))


@route("/field", methods=["GET"])
def fields():
    return json_response([render.field_details(f) for f in catalog.FIELDS])


# -- users ----------------------------------------------------------------------------------
def _user_json(person: people.Person) -> dict:
    return {**person.jira_user(base(), datacenter=datacenter_caller()), "locale": "en_US", "groups": {"size": 0, "items": []},
            "applicationRoles": {"size": 1, "items": []}, "expand": "groups,applicationRoles"}


@route("/myself", methods=["GET"])
def myself():
    return json_response(_user_json(actor()))


@route("/user", methods=["GET"])
def get_user():
    account_id = request.args.get("accountId")
    name = request.args.get("username") or request.args.get("key")
    if not account_id and not name:
        raise JiraError(400, ["The 'accountId' query parameter needs to be provided."])
    person = people.by_account_id(account_id) if account_id else people.by_jira_ref(name)
    if person is None:
        raise JiraError(404, [USER_MISSING])
    return json_response(_user_json(person))


def _matches(person: people.Person, text: str) -> bool:
    text = text.lower()
    if text in (".", "*", ""):
        return True
    return any(part.startswith(text) for part in
               (person.display_name.lower(), person.email.lower(), person.name.lower(),
                *person.display_name.lower().split()))


@route("/user/search", methods=["GET"])
@route("/user/assignable/search", methods=["GET"], endpoint="assignable_users")
def search_users():
    account_id = request.args.get("accountId")
    text = request.args.get("query") if "query" in request.args else request.args.get("username")
    if account_id is None and text is None and request.endpoint.endswith("search_users"):
        raise JiraError(400, ["One of 'accountId', 'query' or 'username' must be specified."])
    found = [p for p in people.PEOPLE if (account_id is None or p.account_id == account_id)
             and (text is None or _matches(p, text))]
    start, size = int_arg("startAt", 0), int_arg("maxResults", 50, 1000)
    return json_response([p.jira_user(base(), datacenter=datacenter_caller()) for p in found[start:start + size]])
