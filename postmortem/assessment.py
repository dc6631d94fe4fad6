"""Which issues are incidents, and whether an incident needs a postmortem.

The one place where an issue becomes an incident and meets the trigger criteria; the web
intake and the jobs that fetch an issue themselves both come through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from postmortem.fieldmap import FieldMap, incident_from_issue
from postmortem.incident import Incident
from postmortem.severity import SeverityScale
from postmortem.triggers import Decision, TriggerCriteria, decide


@dataclass(frozen=True)
class IncidentScope:
    """The projects and issue types that count as incidents, and how their fields read."""

    projects: frozenset[str]
    issue_types: frozenset[str]
    fields: FieldMap
    severity: SeverityScale

    @staticmethod
    def _kind(issue: Mapping[str, Any]) -> tuple[str | None, str | None]:
        fields = issue.get("fields") or {}
        project = (fields.get("project") or {}).get("key") or str(issue.get("key", "")).split("-")[0]
        return project, (fields.get("issuetype") or {}).get("name")

    def covers(self, issue: Mapping[str, Any]) -> bool:
        project, issue_type = self._kind(issue)
        return project in self.projects and (not self.issue_types or issue_type in self.issue_types)

    def why_not(self, issue: Mapping[str, Any]) -> str:
        project, issue_type = self._kind(issue)
        return f"{issue.get('key')} is not an incident (project {project}, type {issue_type})"


@dataclass(frozen=True)
class Assessment:
    incident: Incident
    decision: Decision


def assess(issue: Mapping[str, Any], scope: IncidentScope, criteria: TriggerCriteria, now: datetime,
           *, new_comment: str | None = None) -> Assessment | None:
    """The incident and the decision for an issue; None when the issue is not an incident.

    Raises IncidentDataError when a mapped field is missing or malformed.
    """
    if not scope.covers(issue):
        return None
    incident = incident_from_issue(issue, scope.fields, extra_fields=criteria.field_ids)
    return Assessment(incident, decide(incident, criteria, now, new_comment=new_comment))
