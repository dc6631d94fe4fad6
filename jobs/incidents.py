"""Loading an incident from Jira, with its full history, for any job."""

from __future__ import annotations

from config.settings import Settings
from connector.jira import JiraGateway
from postmortem.fieldmap import incident_from_issue, with_activity
from postmortem.incident import Incident


def load_incident(jira: JiraGateway, settings: Settings, key_or_id: str, *, issue: dict | None = None) -> Incident:
    """The incident with its history and comments: one Jira read when they fit in the issue."""
    if issue is not None:
        incident = incident_from_issue(issue, settings.incidents.fields, browse_base=jira.base_url)
        return with_activity(incident, jira.changelog(incident.key), jira.comments(incident.key))
    issue, histories, comments = jira.issue_with_activity(key_or_id)
    incident = incident_from_issue(issue, settings.incidents.fields, browse_base=jira.base_url)
    return with_activity(incident, histories, comments)
