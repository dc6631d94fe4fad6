"""Parse and validate the ``fields``/``update`` parts of create, edit and transition requests,
with the error messages Jira puts in ``errors.{fieldId}``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sandbox import people
from sandbox.jira import adf, catalog
from sandbox.jira.model import Issue, JiraState, format_ts, parse_ts

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$")
DATETIME_HELP = "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."
ADF_HELP = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"


class FieldError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Changes:
    """What a request asks for once validated."""

    values: dict[str, Any] = field(default_factory=dict)
    comments: list[Any] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (type id, direction, other key)
    errors: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.messages


def _ref(value: Any, *keys: str) -> str | None:
    if isinstance(value, dict):
        for key in keys:
            if value.get(key) not in (None, ""):
                return str(value[key])
        return None
    return None if value is None else str(value)


def parse_value(fdef: catalog.FieldDef, value: Any, api: int, project: catalog.Project | None) -> Any:
    """One field value to its stored form, or :class:`FieldError`."""
    kind = fdef.kind
    if kind == "string":
        if not isinstance(value, str):
            raise FieldError("Operation value must be a string")
        if fdef.id == "summary":
            if not value.strip():
                raise FieldError("You must specify a summary of the issue.")
            if len(value) > 255:
                raise FieldError("Summary must be less than 255 characters.")
            if "\n" in value or "\r" in value:
                raise FieldError("The summary is invalid because it contains newline characters.")
        return value
    if kind == "doc":
        if value is None:
            return None
        if api == 3:
            if not adf.is_doc(value):
                raise FieldError(ADF_HELP)
            return value
        if not isinstance(value, str):
            raise FieldError("Operation value must be a string")
        return value
    if kind == "issuetype":
        item = catalog.find(catalog.ISSUE_TYPES, _ref(value, "id", "name") or "")
        if item is None or (project and item["id"] not in project.issue_types):
            raise FieldError("Specify a valid issue type")
        return item["id"]
    if kind == "priority":
        if value is None:
            return None
        ref = _ref(value, "id", "name")
        item = catalog.find(catalog.PRIORITIES, ref or "")
        if item is None:
            key = "id" if isinstance(value, dict) and "id" in value else "name"
            raise FieldError(f"Priority {'with id' if key == 'id' else 'name'} '{ref}' is not valid")
        return item["id"]
    if kind == "resolution":
        if value is None:
            return None
        item = catalog.find(catalog.RESOLUTIONS, _ref(value, "id", "name") or "")
        if item is None:
            raise FieldError(f"Resolution '{_ref(value, 'id', 'name')}' is not valid")
        return item["id"]
    if kind == "user":
        if value is None or (isinstance(value, dict) and _ref(value, "accountId", "name", "id") in (None, "-1")):
            return None
        ref = _ref(value, "accountId", "name", "id", "key", "emailAddress")
        person = people.by_account_id(ref or "") or people.by_jira_ref(ref or "")
        if person is None:
            raise FieldError(f"User '{ref}' does not exist.")
        return person.account_id
    if kind == "labels":
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise FieldError("Operation value must be an array of strings")
        for label in value:
            check_label(label)
        return list(dict.fromkeys(value))
    if kind == "components":
        if not isinstance(value, list):
            raise FieldError("Operation value must be an array")
        return [component_id(project, item) for item in value]
    if kind == "select":
        if value is None:
            return None
        if isinstance(value, dict) and "id" in value:
            if fdef.option_value(str(value["id"])) is None:
                raise FieldError(f"Option id '{value['id']}' is not valid")
            return str(value["id"])
        text = _ref(value, "value") if isinstance(value, dict) else value
        option = fdef.option_by_value(str(text)) if text is not None else None
        if option is None:
            raise FieldError(f"Option value '{text}' is not valid")
        return option
    if kind == "datetime":
        if value is None:
            return None
        if not isinstance(value, str) or not DATETIME.match(value):
            raise FieldError(DATETIME_HELP)
        try:
            moment = parse_ts(value)
        except ValueError:
            raise FieldError(DATETIME_HELP) from None
        return format_ts(moment)
    if kind == "date":
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise FieldError(f"Error parsing date string: {value}") from None
    if kind == "url":
        if value in (None, ""):
            return None
        if not isinstance(value, str) or not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://\S+$", value):
            raise FieldError("Not a valid URL")
        return value
    raise FieldError(f"Field '{fdef.id}' cannot be set. It is not on the appropriate screen, or unknown.")


def check_label(label: str) -> None:
    if not label or " " in label:
        raise FieldError(f"The label '{label}' contains spaces which is invalid.")
    if len(label) > 255:
        raise FieldError("The label must not exceed 255 characters.")


def component_id(project: catalog.Project | None, item: Any) -> str:
    components = project.components if project else ()
    if isinstance(item, dict) and "id" in item:
        if str(item["id"]) not in dict(components):
            raise FieldError(f"Component with id '{item['id']}' does not exist.")
        return str(item["id"])
    name = _ref(item, "name")
    match = next((cid for cid, cname in components if cname == name), None)
    if match is None:
        raise FieldError(f"Component name '{name}' is not valid")
    return match


def unknown_field(fid: str) -> str:
    return f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown."


def parse_fields(fields: Any, api: int, project: catalog.Project | None, changes: Changes,
                 allowed_readonly: tuple[str, ...] = ()) -> None:
    if fields is None:
        return
    if not isinstance(fields, dict):
        changes.messages.append("Can not deserialize instance of fields out of the request body.")
        return
    for fid, value in fields.items():
        fdef = catalog.FIELDS_BY_ID.get(fid)
        if fdef is None or fdef.kind in ("fixed", "issuelinks", "comments", "project") or (
                not fdef.editable and fid not in allowed_readonly):
            if fid != "project":
                changes.errors[fid] = unknown_field(fid)
            continue
        try:
            changes.values[fid] = parse_value(fdef, value, api, project)
        except FieldError as err:
            changes.errors[fid] = err.message


def parse_update(update: Any, api: int, project: catalog.Project | None, issue: Issue | None,
                 changes: Changes) -> None:
    """Apply ``update`` operations (``add``/``remove``/``set``/``edit``) on top of ``changes``."""
    if not update:
        return
    if not isinstance(update, dict):
        changes.messages.append("Can not deserialize instance of update out of the request body.")
        return
    for fid, ops in update.items():
        if not isinstance(ops, list):
            changes.errors[fid] = "Operation value must be an array of operations"
            continue
        try:
            if fid == "comment":
                _comment_ops(ops, api, changes)
            elif fid == "issuelinks":
                _link_ops(ops, changes)
            else:
                _field_ops(fid, ops, api, project, issue, changes)
        except FieldError as err:
            changes.errors[fid] = err.message


def _comment_ops(ops: list, api: int, changes: Changes) -> None:
    for op in ops:
        body = (op.get("add") or {}).get("body") if isinstance(op, dict) else None
        if body is None:
            raise FieldError("Comment body can not be empty!")
        if api == 3 and not adf.is_doc(body):
            raise FieldError(ADF_HELP)
        if api == 2 and not isinstance(body, str):
            raise FieldError("Operation value must be a string")
        changes.comments.append(body)


def _link_ops(ops: list, changes: Changes) -> None:
    for op in ops:
        add = op.get("add") if isinstance(op, dict) else None
        if not isinstance(add, dict):
            raise FieldError("Only the 'add' operation is supported for issue links.")
        ltype = catalog.link_type(add.get("type") or {})
        if ltype is None:
            raise FieldError("No issue link type with name or id found.")
        for direction in ("outwardIssue", "inwardIssue"):
            other = _ref(add.get(direction), "key", "id")
            if other:
                changes.links.append((ltype["id"], direction, other))
                break
        else:
            raise FieldError("Issue link must name an inwardIssue or an outwardIssue.")


def _field_ops(fid: str, ops: list, api: int, project: catalog.Project | None, issue: Issue | None,
               changes: Changes) -> None:
    fdef = catalog.FIELDS_BY_ID.get(fid)
    if fdef is None or not fdef.editable or fdef.kind in ("fixed", "project"):
        raise FieldError(unknown_field(fid))
    multi = fdef.kind in ("labels", "components")
    current = changes.values.get(fid, list(issue.fields.get(fid) or []) if issue and multi else None)
    if multi and current is None:
        current = []
    for op in ops:
        if not isinstance(op, dict) or len(op) != 1:
            raise FieldError("Operation value must be a single operation object")
        (name, arg), = op.items()
        if name == "set":
            current = parse_value(fdef, arg, api, project)
        elif multi and name in ("add", "remove"):
            item = _multi_item(fdef, arg, project)
            if name == "add" and item not in current:
                current = [*current, item]
            elif name == "remove":
                current = [x for x in current if x != item]
        else:
            raise FieldError(f"Operation '{name}' is not supported for field '{fid}'.")
    changes.values[fid] = current


def _multi_item(fdef: catalog.FieldDef, arg: Any, project: catalog.Project | None) -> str:
    if fdef.kind == "labels":
        if not isinstance(arg, str):
            raise FieldError("Operation value must be a string")
        check_label(arg)
        return arg
    return component_id(project, arg)


def check_link_targets(state: JiraState, changes: Changes) -> None:
    for _, _, other in changes.links:
        if state.get(other) is None:
            changes.errors["issuelinks"] = f"Issue '{other}' does not exist or you do not have permission to see it."
