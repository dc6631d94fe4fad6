"""What Debrief itself wrote into a draft from Jira, so a gate can tell it from what people added."""

from __future__ import annotations

from datetime import datetime

from postmortem.incident import Incident
from postmortem.page_context import build_page_context
from postmortem.triggers import Decision


def drafted_timeline(incident: Incident, *, language: str, timezone: str, now: datetime) -> tuple[tuple[str, ...], ...]:
    """The timeline rows the template draws from the incident (when, who, what), as the page
    shows them in ``language`` and ``timezone``."""
    context = build_page_context(incident, Decision(()), language=language, timezone=timezone, template="default",
                                 labels=(), now=now)
    return tuple((row["when"], row["who"], row["what"]) for row in context["timeline"])
