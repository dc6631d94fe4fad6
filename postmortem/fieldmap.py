"""From a Jira issue (as JSON) to an Incident, through the configured field mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from postmortem import jira_values as jv
from postmortem.incident import Change, Comment, HistoryEntry, Incident

# Fields the mapping may name besides custom fields.
SYSTEM_FIELDS = frozenset({
    "priority", "components", "labels", "created", "updated", "resolutiondate", "duedate",
    "status", "resolution", "environment", "fixVersions", "versions",
})


@dataclass(frozen=True)
class FieldMap:
    """Which Jira field holds each incident fact (``app.yaml: incidents.fields``)."""

    severity: str = "priority"
    started: str | None = None
    detected: str | None = None
    mitigated: str | None = None
    resolved: str = "resolutiondate"
    service: str | None = "components"
    detection_method: str | None = None
    impact: str | None = None
    # Maps the value of the impact field to "downtime" / "degradation"; other values mean none.
    impact_values: Mapping[str, str] = field(default_factory=lambda: {
        "Downtime": "downtime", "Degradation": "degradation",
    })
    # When severity comes from the priority, how priorities read as severities.
    priority_to_severity: Mapping[str, str] = field(default_factory=dict)

    def referenced_fields(self) -> list[str]:
        names = [self.severity, self.started, self.detected, self.mitigated, self.resolved,
                 self.service, self.detection_method, self.impact]
        return [n for n in names if n]


class IncidentDataError(ValueError):
    """The issue lacks what Debrief needs, or a mapped field holds the wrong kind of value."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.problems.items()))


def incident_from_issue(issue: Mapping[str, Any], mapping: FieldMap, *, browse_base: str = "",
                        extra_fields: frozenset[str] | None = None) -> Incident:
    """Build an Incident from a Jira issue object (REST or webhook ``issue``).

    ``extra_fields`` names the fields whose values rules match on (``Incident.field_values``);
    None keeps every custom and system field (real issues carry hundreds).

    Raises IncidentDataError naming every missing or malformed field.
    """
    problems: dict[str, str] = {}
    fields = issue.get("fields")
    if not isinstance(fields, Mapping):
        raise IncidentDataError({"issue.fields": "missing"})
    key = issue.get("key")
    if not isinstance(key, str) or not key:
        problems["issue.key"] = "missing"
    summary = fields.get("summary")
    if not isinstance(summary, str):
        problems["issue.fields.summary"] = "missing"

    def when(name: str | None):
        if not name:
            return None
        try:
            return jv.parse_datetime(fields.get(name))
        except ValueError:
            problems[f"issue.fields.{name}"] = f"not a date: {fields.get(name)!r}"
            return None

    severity = jv.text_of(fields.get(mapping.severity)) if mapping.severity else None
    priority = jv.text_of(fields.get("priority"))
    if mapping.severity == "priority" and severity is not None:
        severity = mapping.priority_to_severity.get(severity, severity)
    impact_raw = jv.text_of(fields.get(mapping.impact)) if mapping.impact else None
    started, detected = when(mapping.started), when(mapping.detected)
    mitigated, resolved, created = when(mapping.mitigated), when(mapping.resolved), when("created")
    if problems:
        raise IncidentDataError(problems)

    comments_field = fields.get("comment")
    raw_comments = comments_field.get("comments", []) if isinstance(comments_field, Mapping) else []
    comments = tuple(comment_from_json(c) for c in raw_comments if isinstance(c, Mapping))
    wanted = fields.keys() if extra_fields is None else extra_fields
    field_values = tuple(
        (name, text) for name in wanted
        if (name.startswith("customfield_") or name in SYSTEM_FIELDS) and (text := jv.text_of(fields.get(name)))
    )
    return Incident(
        key=key,
        summary=summary,
        project=((fields.get("project") or {}).get("key") or key.split("-")[0]),
        issue_type=(fields.get("issuetype") or {}).get("name", ""),
        status=(fields.get("status") or {}).get("name", ""),
        url=f"{browse_base.rstrip('/')}/browse/{key}" if browse_base else "",
        description=jv.body_text(fields.get("description")),
        severity=severity,
        priority=priority,
        service=jv.text_of(fields.get(mapping.service)) if mapping.service else None,
        impact=mapping.impact_values.get(impact_raw) if impact_raw else None,
        detection_method=jv.text_of(fields.get(mapping.detection_method)) if mapping.detection_method else None,
        labels=frozenset(str(x) for x in fields.get("labels") or ()),
        field_values=field_values,
        created=created,
        started=started,
        detected=detected,
        mitigated=mitigated,
        resolved=resolved,
        reporter=jv.person(fields.get("reporter")),
        assignee=jv.person(fields.get("assignee")),
        comments=comments,
    )


def comment_from_json(data: Mapping[str, Any]) -> Comment:
    created = None
    try:
        created = jv.parse_datetime(data.get("created"))
    except ValueError:
        created = None
    return Comment(author=jv.person(data.get("author")), body=jv.body_text(data.get("body")),
                   created=created, id=str(data.get("id", "")))


def history_from_json(histories: list[Mapping[str, Any]]) -> tuple[HistoryEntry, ...]:
    """Jira changelog histories (REST ``values`` or ``changelog.histories``), oldest first."""
    entries = []
    for h in histories:
        try:
            created = jv.parse_datetime(h.get("created"))
        except ValueError:
            continue
        if created is None:
            continue
        changes = tuple(Change(str(i.get("field", "")), i.get("fromString"), i.get("toString"))
                        for i in h.get("items") or () if isinstance(i, Mapping))
        entries.append(HistoryEntry(jv.person(h.get("author")), created, changes))
    return tuple(sorted(entries, key=lambda e: e.created))


def with_activity(incident: Incident, histories: list[Mapping[str, Any]],
                  comments: list[Mapping[str, Any]]) -> Incident:
    """The incident with its full changelog and comments (fetched separately, paged)."""
    return replace(incident, history=history_from_json(histories),
                   comments=tuple(comment_from_json(c) for c in comments if isinstance(c, Mapping)))
