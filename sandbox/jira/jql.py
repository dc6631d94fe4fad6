"""JQL evaluation over the sandbox's issues: validation with Jira's messages, matching, ordering."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox import people
from sandbox.jira import adf, catalog
from sandbox.jira.jql_parse import BoolOp, Clause, JqlError, Not, Query, Value, parse
from sandbox.jira.model import Issue, JiraState, parse_ts

__all__ = ["JqlError", "compile_query", "search", "matches"]

Predicate = Callable[[Issue], bool]
EQUALITY = ("=", "!=", "in", "not in")
ORDERING = (">", ">=", "<", "<=")
TEXT_OPS = ("~", "!~")
EMPTY_OPS = ("is", "is not")
PSEUDO = {"key": "key", "issuekey": "key", "id": "key", "text": "text", "comment": "comment"}
RELATIVE = re.compile(r"^([+-]?\d+)([wdhm])$")


@dataclass
class Context:
    state: JiraState
    user: str | None  # account id for currentUser()
    now: datetime


@dataclass(frozen=True)
class FieldRef:
    name: str  # as written
    pseudo: str | None
    fdef: catalog.FieldDef | None

    @property
    def kind(self) -> str:
        return self.pseudo or self.fdef.kind


def resolve_field(name: str) -> FieldRef:
    lowered = name.lower()
    if lowered in PSEUDO:
        return FieldRef(name, PSEUDO[lowered], None)
    custom = re.fullmatch(r"customfield_(\d+)", lowered)
    fdef = catalog.field_by_clause(f"cf[{custom.group(1)}]" if custom else name)
    if fdef is None or fdef.kind == "fixed":
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
    return FieldRef(name, None, fdef)


# -- value resolution ---------------------------------------------------------------------
def _not_found(value: Value, ref: FieldRef) -> JqlError:
    return JqlError(f"The value '{value.text}' does not exist for the field '{ref.name}'.")


def _date(value: Value, ctx: Context, ref: FieldRef) -> datetime:
    if value.function:
        fn = value.function.lower()
        day = ctx.now.replace(hour=0, minute=0, second=0, microsecond=0)
        shift = _relative(value.args[0]) if value.args else timedelta()
        if fn == "now":
            return ctx.now
        if fn == "startofday":
            return day + shift
        if fn == "endofday":
            return day + timedelta(days=1) - timedelta(milliseconds=1) + shift
        raise JqlError(f"Unable to find JQL function '{value.function}()'.")
    text = value.text.strip()
    if RELATIVE.match(text):
        return ctx.now + _relative(text)
    for fmt in ("%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            pass
    try:
        return parse_ts(text)
    except ValueError:
        raise JqlError(
            f"Date value '{text}' for field '{ref.name}' is invalid. Valid formats include: "
            "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
            "e.g. '-5d', '4w 2d'.") from None


def _relative(text: str) -> timedelta:
    m = RELATIVE.match(text.strip())
    if not m:
        raise JqlError(f"Duration '{text}' is invalid.")
    unit = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}[m.group(2)]
    return timedelta(**{unit: int(m.group(1))})


def _users(value: Value, ctx: Context, ref: FieldRef) -> str:
    if value.function:
        if value.function.lower() != "currentuser":
            raise JqlError(f"Unable to find JQL function '{value.function}()'.")
        return ctx.user or ""
    person = people.by_account_id(value.text) or people.by_jira_ref(value.text) or next(
        (p for p in people.PEOPLE if p.display_name.lower() == value.text.lower()), None)
    if person is None:
        raise JqlError(f"The value '{value.text}' does not exist for the field '{ref.name}'.")
    return person.account_id


def _catalog_id(items: tuple[dict, ...], value: Value, ref: FieldRef) -> str:
    item = catalog.find(items, value.text)
    if item is None:
        raise _not_found(value, ref)
    return item["id"]


def canonical(ref: FieldRef, value: Value, ctx: Context) -> Any:
    """Turn a JQL value into the stored form it is compared with."""
    kind = ref.kind
    if value.function and kind not in ("user", "datetime", "date"):
        raise JqlError(f"Unable to find JQL function '{value.function}()'.")
    if kind == "key":
        issue = ctx.state.get(value.text)
        if issue is None:
            raise JqlError(f"An issue with key '{value.text}' does not exist for field '{ref.name}'.")
        return issue.id
    if kind == "project":
        project = catalog.project(value.text)
        if project is None:
            raise _not_found(value, ref)
        return project.key
    if kind == "issuetype":
        return _catalog_id(catalog.ISSUE_TYPES, value, ref)
    if kind == "priority":
        return _catalog_id(catalog.PRIORITIES, value, ref)
    if kind == "resolution":
        if value.text.lower() == "unresolved":
            return None
        return _catalog_id(catalog.RESOLUTIONS, value, ref)
    if kind == "status":
        status = next((s for s in catalog.STATUSES if value.text in (s.id,) or s.name.lower() == value.text.lower()),
                      None)
        if status is None:
            raise _not_found(value, ref)
        return status.id
    if kind == "user":
        return _users(value, ctx, ref)
    if kind == "components":
        project_components = [c for p in catalog.PROJECTS for c in p.components]
        match = next((cid for cid, name in project_components if value.text in (cid,) or
                      name.lower() == value.text.lower()), None)
        if match is None:
            raise _not_found(value, ref)
        return match
    if kind == "select":
        option = ref.fdef.option_by_value(value.text) or (
            value.text if ref.fdef.option_value(value.text) else None)
        if option is None:
            option = next((oid for oid, v in ref.fdef.options if v.lower() == value.text.lower()), None)
        if option is None:
            raise _not_found(value, ref)
        return option
    if kind in ("datetime", "date"):
        return _date(value, ctx, ref)
    return value.text


# -- per-issue values ---------------------------------------------------------------------
def stored(ref: FieldRef, issue: Issue) -> list[Any]:
    """The issue's values for the field as a list (empty when the field is empty)."""
    kind = ref.kind
    if kind == "key":
        return [issue.id]
    value = issue.fields.get(ref.fdef.id) if ref.fdef else None
    if kind in ("labels", "components"):
        return list(value or [])
    if kind in ("datetime", "date"):
        if not value:
            return []
        return [parse_ts(value) if kind == "datetime" else datetime.fromisoformat(value).replace(tzinfo=UTC)]
    return [] if value in (None, "") else [value]


def text_of(ref: FieldRef, issue: Issue) -> str:
    f = issue.fields
    if ref.kind == "comment" or ref.kind == "comments":
        return "\n".join(adf.as_text(c["body"]) or "" for c in issue.comments)
    if ref.kind == "text":
        parts = [f.get("summary") or "", adf.as_text(f.get("description")) or "",
                 adf.as_text(f.get("environment")) or ""]
        parts += [adf.as_text(c["body"]) or "" for c in issue.comments]
        parts += [str(f.get(cf.id) or "") for cf in catalog.CUSTOM_FIELDS if cf.kind in ("string", "url")]
        return "\n".join(parts)
    value = issue.fields.get(ref.fdef.id)
    return (adf.as_text(value) if ref.kind == "doc" else str(value or "")) or ""


def text_match(needle: str, haystack: str) -> bool:
    hay = haystack.lower()
    needle = needle.strip()
    if len(needle) > 1 and needle[0] == needle[-1] == '"':
        return needle[1:-1].lower() in hay
    terms = [t.rstrip("*?").lower() for t in re.split(r"\s+", needle) if t.rstrip("*?")]
    return bool(terms) and all(t in hay for t in terms)


# -- compilation --------------------------------------------------------------------------
def _supported(ref: FieldRef, op: str) -> None:
    kind = ref.kind
    if kind in ("text", "comment", "comments"):
        allowed = TEXT_OPS
    elif kind in ("string", "doc"):
        allowed = TEXT_OPS + EMPTY_OPS
    elif kind in ("datetime", "date"):
        allowed = EQUALITY + ORDERING + EMPTY_OPS
    elif kind == "key":
        allowed = EQUALITY + ORDERING
    elif kind == "url":
        allowed = EQUALITY + EMPTY_OPS + TEXT_OPS
    else:
        allowed = EQUALITY + EMPTY_OPS
    if op not in allowed:
        raise JqlError(f"The operator '{op.upper()}' is not supported by the '{ref.name}' field.")


def compile_clause(clause: Clause, ctx: Context) -> Predicate:
    ref = resolve_field(clause.field)
    op = clause.op
    _supported(ref, op)
    if op in EMPTY_OPS:
        want_empty = op == "is"
        if ref.kind in ("string", "doc"):
            return lambda issue: (not text_of(ref, issue)) == want_empty
        return lambda issue: (not stored(ref, issue)) == want_empty
    if op in TEXT_OPS:
        needle = clause.values[0].text
        negate = op == "!~"
        return lambda issue: text_match(needle, text_of(ref, issue)) != negate
    wanted = [None if v.empty else canonical(ref, v, ctx) for v in clause.values]
    if op in ORDERING:
        target = wanted[0]
        if ref.kind == "key":
            target_issue = ctx.state.issues[target]
            number = int(target_issue.key.split("-")[1])
            project = target_issue.fields["project"]

            def by_key(issue: Issue) -> bool:
                n = int(issue.key.split("-")[1])
                return issue.fields["project"] == project and _compare(n, op, number)
            return by_key
        return lambda issue: any(_compare(v, op, target) for v in stored(ref, issue))
    if ref.kind in ("datetime", "date"):
        def positive(issue: Issue) -> bool:
            values = stored(ref, issue)
            return any((w is None and not values) or
                       (w is not None and any(abs((v - w).total_seconds()) < 60 for v in values))
                       for w in wanted)
    else:
        def positive(issue: Issue) -> bool:
            values = stored(ref, issue)
            return any((w is None and not values) or (w is not None and w in values) for w in wanted)
    if op in ("=", "in"):
        return positive
    if None in wanted:
        return lambda issue: not positive(issue)
    # Jira's != and NOT IN never match issues where the field is empty.
    return lambda issue: bool(stored(ref, issue)) and not positive(issue)


def _compare(left: Any, op: str, right: Any) -> bool:
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def compile_node(node: object, ctx: Context) -> Predicate:
    if isinstance(node, Clause):
        return compile_clause(node, ctx)
    if isinstance(node, Not):
        inner = compile_node(node.child, ctx)
        return lambda issue: not inner(issue)
    if isinstance(node, BoolOp):
        parts = [compile_node(c, ctx) for c in node.children]
        if node.op == "and":
            return lambda issue: all(p(issue) for p in parts)
        return lambda issue: any(p(issue) for p in parts)
    raise JqlError("Error in the JQL Query: unsupported expression.")


def sort_value(ref: FieldRef, issue: Issue) -> Any:
    kind = ref.kind
    if kind == "key":
        project, number = issue.key.split("-")
        return (project, int(number))
    value = issue.fields.get(ref.fdef.id)
    if value in (None, [], ""):
        return None
    if kind == "priority":
        return -int(value)
    if kind in ("datetime",):
        return parse_ts(value)
    if kind == "select":
        return [oid for oid, _ in ref.fdef.options].index(value)
    if kind == "user":
        person = people.by_account_id(value)
        return (person.display_name if person else value).lower()
    if kind == "status":
        return catalog.status(value).name.lower()
    if kind in ("labels", "components"):
        return " ".join(value).lower()
    return (adf.as_text(value) if kind == "doc" else str(value)).lower()


def order_issues(issues: list[Issue], order: list[tuple[str, bool]]) -> list[Issue]:
    if not order:
        order = [("created", True)]
        issues = sorted(issues, key=lambda i: i.id, reverse=True)
    for name, desc in reversed(order):
        ref = resolve_field(name)
        present = [i for i in issues if sort_value(ref, i) is not None]
        missing = [i for i in issues if sort_value(ref, i) is None]
        present.sort(key=lambda i, r=ref: sort_value(r, i), reverse=desc)
        issues = present + missing
    return issues


def compile_query(text: str, state: JiraState, user: str | None = None,
                  now: datetime | None = None) -> tuple[Query, Predicate]:
    """Parse and validate; returns the query and a predicate over issues."""
    query = parse(text)
    ctx = Context(state, user, now or datetime.now(UTC))
    predicate = compile_node(query.where, ctx) if query.where is not None else (lambda issue: True)
    for name, _ in query.order:
        resolve_field(name)
    return query, predicate


def search(state: JiraState, text: str, user: str | None = None) -> list[Issue]:
    """All issues matching ``text`` in the query's order."""
    query, predicate = compile_query(text, state, user)
    return order_issues([i for i in state.all_issues() if predicate(i)], query.order)


def matches(state: JiraState, text: str, issue: Issue, user: str | None = None) -> bool:
    """Whether one issue satisfies a JQL filter (webhook filters); invalid JQL never matches."""
    if not text or not text.strip():
        return True
    try:
        _, predicate = compile_query(text, state, user)
    except JqlError:
        return False
    return predicate(issue)
