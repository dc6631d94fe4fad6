"""Jira data the sandbox keeps: issues (fields, comments, history, remote links) and links.

Field values are stored in one internal form per field kind (ids for catalogue items, account
ids for users, option ids for selects, Jira timestamp strings for datetimes, the text or ADF
document as given for rich text) and rendered per API version by ``render``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox import people
from sandbox.jira import adf, catalog
from sandbox.search_history import SearchHistory


def format_ts(moment: datetime) -> str:
    """Jira's timestamp form, e.g. ``2026-11-25T10:15:30.123+0000``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


def now_ts() -> str:
    return format_ts(datetime.now(UTC))


def parse_ts(value: str) -> datetime:
    """Parse a Jira timestamp (``+0000`` or ``+00:00``/``Z`` offsets, optional millis)."""
    text = value.strip().replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = text[:-2] + ":" + text[-2:]
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Issue:
    id: int
    key: str
    fields: dict[str, Any]
    comments: list[dict[str, Any]] = field(default_factory=list)
    histories: list[dict[str, Any]] = field(default_factory=list)
    remote_links: list[dict[str, Any]] = field(default_factory=list)

    @property
    def project(self) -> catalog.Project:
        return catalog.project(self.fields["project"])


@dataclass
class Link:
    id: int
    type_id: str
    source: int  # issue id; "source <outward> destination"
    destination: int


def display(fdef: catalog.FieldDef, value: Any) -> tuple[str | None, str | None]:
    """(raw, string) of a stored value as changelog items carry them."""
    if value is None or value == [] or value == "":
        return None, None
    kind = fdef.kind
    if kind in ("string", "url"):
        return None, str(value)
    if kind == "doc":
        return None, adf.as_text(value)
    if kind == "priority":
        return value, catalog.find(catalog.PRIORITIES, value)["name"]
    if kind == "resolution":
        return value, catalog.find(catalog.RESOLUTIONS, value)["name"]
    if kind == "issuetype":
        return value, catalog.find(catalog.ISSUE_TYPES, value)["name"]
    if kind == "status":
        return value, catalog.status(value).name
    if kind == "user":
        person = people.by_account_id(value)
        return value, person.display_name if person else value
    if kind == "labels":
        return None, " ".join(value)
    if kind == "select":
        return value, fdef.option_value(value)
    return str(value), str(value)


def change_items(fid: str, old: Any, new: Any, project: catalog.Project) -> list[dict[str, Any]]:
    """Changelog items for one field going from ``old`` to ``new``."""
    fdef = catalog.FIELDS_BY_ID[fid]
    base = {"fieldtype": "custom" if fdef.custom else "jira", "fieldId": fid}
    if fdef.kind == "components":
        names = dict(project.components)
        items = [{"field": "Component", **base, "from": cid, "fromString": names.get(cid), "to": None,
                  "toString": None} for cid in old or [] if cid not in (new or [])]
        items += [{"field": "Component", **base, "from": None, "fromString": None, "to": cid,
                   "toString": names.get(cid)} for cid in new or [] if cid not in (old or [])]
        return items
    frm, frm_s = display(fdef, old)
    to, to_s = display(fdef, new)
    item = {"field": fdef.name if fdef.custom else fid, **base,
            "from": frm, "fromString": frm_s, "to": to, "toString": to_s}
    if fdef.kind == "user":
        item["tmpFromAccountId"], item["tmpToAccountId"] = old, new
    return [item]


class JiraState:
    """All Jira issues, links and id counters of the site."""

    def __init__(self) -> None:
        self.issues: dict[int, Issue] = {}
        self.links: list[Link] = []
        self.counters: dict[str, int] = {"issue": 10000, "comment": 10000, "history": 10000,
                                         "link": 10000, "remote": 10000}
        self.key_counters: dict[str, int] = {p.key: 0 for p in catalog.PROJECTS}
        # Create screens that differ from the default: "<project key>/<issue type id>" ->
        # {"required": [field ids], "absent": [field ids]} (what a Jira admin configures).
        self.screens: dict[str, dict[str, list[str]]] = {}
        # People without the Assignable User permission in a project: project key -> account ids
        # (Jira refuses them as the assignee: "User '…' cannot be assigned issues.").
        self.unassignable: dict[str, set[str]] = {}
        self.search_history = SearchHistory()  # what lagged JQL search sees (sandbox.faults)

    # -- ids and lookup -------------------------------------------------------------------
    def next_id(self, counter: str) -> int:
        self.counters[counter] += 1
        return self.counters[counter]

    def get(self, ref: str | int) -> Issue | None:
        text = str(ref)
        if text.isdigit():
            return self.issues.get(int(text))
        upper = text.upper()
        return next((i for i in self.issues.values() if i.key == upper), None)

    def all_issues(self) -> list[Issue]:
        return list(self.issues.values())

    def create_screen(self, project: catalog.Project, type_id: str) -> tuple[list[catalog.FieldDef], set[str]]:
        """The fields on the create screen of ``project`` for one issue type, and the required ones."""
        custom = self.screens.get(f"{project.key}/{type_id}", {})
        absent = set(custom.get("absent", ()))
        fields = [f for f in catalog.screen_fields(project) if f.id not in absent]
        fields += [catalog.FIELDS_BY_ID[fid] for fid in custom.get("required", ())
                   if fid in catalog.FIELDS_BY_ID and catalog.FIELDS_BY_ID[fid] not in fields]
        required = {*catalog.SCREEN_REQUIRED, *catalog.SCREEN_DEFAULTED, *custom.get("required", ())}
        return fields, required

    # -- mutations ------------------------------------------------------------------------
    def create(self, values: dict[str, Any], author: str, at: str | None = None) -> Issue:
        """Create an issue from validated internal values (project, issuetype, summary...)."""
        at = at or now_ts()
        project = catalog.project(values["project"])
        self.key_counters[project.key] += 1
        issue_id = self.next_id("issue")
        fields: dict[str, Any] = {f.id: None for f in catalog.FIELDS if f.kind != "fixed"}
        fields.update({"labels": [], "components": [], "issuelinks": None, "comment": None})
        fields.update(values)
        fields.update({
            "project": project.key, "status": catalog.INITIAL_STATUS,
            "priority": values.get("priority") or catalog.DEFAULT_PRIORITY,
            "reporter": values.get("reporter") or author, "creator": author,
            "created": at, "updated": at, "statuscategorychangedate": at,
        })
        issue = Issue(issue_id, f"{project.key}-{self.key_counters[project.key]}", fields)
        self.issues[issue_id] = issue
        self.search_history.note(issue.id, issue.fields)
        return issue

    def record(self, issue: Issue, author: str, items: list[dict[str, Any]], at: str | None = None) -> dict | None:
        """Append a change history (if there are items) and bump ``updated``."""
        if not items:
            return None
        at = at or now_ts()
        history = {"id": str(self.next_id("history")), "author": author, "created": at, "items": items}
        issue.histories.append(history)
        issue.fields["updated"] = at
        self.search_history.note(issue.id, issue.fields)
        return history

    def change(self, issue: Issue, values: dict[str, Any], author: str, at: str | None = None) -> dict | None:
        """Set fields, recording one history with an item per changed field."""
        at = at or now_ts()
        items: list[dict[str, Any]] = []
        for fid, new in values.items():
            old = issue.fields.get(fid)
            if old == new or (old in (None, [], "") and new in (None, [], "")):
                continue
            items += change_items(fid, old, new, issue.project)
            issue.fields[fid] = new
            if fid == "status":
                old_cat = catalog.status(old).category if old else None
                if old_cat != catalog.status(new).category:
                    issue.fields["statuscategorychangedate"] = at
        return self.record(issue, author, items, at)

    def add_comment(self, issue: Issue, body: Any, author: str, at: str | None = None) -> dict:
        at = at or now_ts()
        comment = {"id": str(self.next_id("comment")), "author": author, "updateAuthor": author,
                   "body": body, "created": at, "updated": at}
        issue.comments.append(comment)
        issue.fields["updated"] = at
        return comment

    def update_comment(self, issue: Issue, comment: dict, body: Any, author: str) -> dict:
        comment.update(body=body, updateAuthor=author, updated=now_ts())
        issue.fields["updated"] = comment["updated"]
        return comment

    def add_link(self, type_id: str, source: Issue, destination: Issue, author: str,
                 at: str | None = None) -> Link:
        """Link two issues (idempotent for an identical link) and note it in both histories."""
        existing = next((lk for lk in self.links if (lk.type_id, lk.source, lk.destination)
                         == (type_id, source.id, destination.id)), None)
        if existing:
            return existing
        link = Link(self.next_id("link"), type_id, source.id, destination.id)
        self.links.append(link)
        ltype = catalog.find(catalog.LINK_TYPES, type_id)
        for here, there, verb in ((source, destination, ltype["outward"]), (destination, source, ltype["inward"])):
            self.record(here, author, [{"field": "Link", "fieldtype": "jira", "from": None, "fromString": None,
                                        "to": there.key, "toString": f"This issue {verb} {there.key}"}], at)
        return link

    def links_of(self, issue: Issue) -> list[Link]:
        return [lk for lk in self.links if issue.id in (lk.source, lk.destination)]

    def upsert_remote_link(self, issue: Issue, data: dict[str, Any], author: str) -> tuple[dict, bool]:
        """Create a remote link or, when ``globalId`` matches one, replace it (201 vs 200)."""
        global_id = data.get("globalId")
        record = {"globalId": global_id, "application": data.get("application"),
                  "relationship": data.get("relationship"), "object": data["object"]}
        current = next((r for r in issue.remote_links if global_id and r.get("globalId") == global_id), None)
        if current:
            current.update(record)
            issue.fields["updated"] = now_ts()
            return current, False
        record["id"] = self.next_id("remote")
        issue.remote_links.append(record)
        title = data["object"].get("title") or data["object"].get("url")
        self.record(issue, author, [{"field": "RemoteIssueLink", "fieldtype": "jira", "from": None,
                                     "fromString": None, "to": str(record["id"]),
                                     "toString": f'This issue links to "{title}"'}])
        return record, True

    # -- persistence ----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {"issues": [asdict(i) for i in self.issues.values()],
                "links": [asdict(lk) for lk in self.links],
                "counters": dict(self.counters), "key_counters": dict(self.key_counters),
                "screens": dict(self.screens)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JiraState:
        state = cls()
        state.issues = {i["id"]: Issue(**i) for i in data.get("issues", [])}
        state.links = [Link(**lk) for lk in data.get("links", [])]
        state.counters.update(data.get("counters", {}))
        state.key_counters.update(data.get("key_counters", {}))
        state.screens.update(data.get("screens", {}))
        return state


