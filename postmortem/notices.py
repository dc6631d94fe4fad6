"""Messages Debrief posts for people in Jira (texts in ``postmortem.messages``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from postmortem.messages import LANGUAGES, message


def _wiki_text(text: str) -> str:
    """Keep Jira wiki markup characters in titles from turning into markup."""
    return "".join("\\" + ch if ch in "[]|{}*_+^~-!#" else ch for ch in text)


def draft_comment(language: str, *, title: str, url: str, reasons: list[str]) -> str:
    """The comment left on the incident when its postmortem draft is created."""
    lang = language if language in LANGUAGES else "en"
    because = "; ".join(reasons) if reasons else message(lang, "jira.requested")
    return message(lang, "jira.draft_comment", title=_wiki_text(title), url=url, reasons=because)


# Why a draft could not be made, in words for the people on the incident (no stack traces).
FAILURE_KINDS = ("denied", "not_found", "title_clash", "rejected", "incident_data", "template", "unreachable")


@dataclass(frozen=True)
class DraftFailure:
    """A failed drafting run as the incident's people are told of it."""

    kind: str  # one of FAILURE_KINDS
    what: str  # the step that failed, in a few words (e.g. "create page 'Postmortem: INC-7 …' in PM")
    retried: bool  # Debrief will try again by itself
    job_id: str  # what an admin replays

    def __post_init__(self) -> None:
        if self.kind not in FAILURE_KINDS:
            raise ValueError(f"failure kind must be one of {', '.join(FAILURE_KINDS)}, not {self.kind!r}")


def failure_reference(job_id: str, since: datetime) -> str:
    """Names one failure episode, in its comments and for support: ``draft-INC-7 2026-11-25T10:15:02Z``.
    It is written into the comment as it is (a job id and a time: no markup), so the comment can be
    found again by it before it is ever posted twice."""
    return f"{job_id} {since.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"


def recovery_reference(failure: str) -> str:
    return f"{failure} solved"


def draft_failed_comment(language: str, *, key: str, failure: DraftFailure, reference: str) -> str:
    """The comment saying the postmortem could not be drafted, why, and what happens next."""
    lang = language if language in LANGUAGES else "en"
    what = _wiki_text(_one_line(failure.what))
    reason = message(lang, f"failure.reason.{failure.kind}", what=what)
    next_step = (message(lang, "failure.retry") if failure.retried else
                 message(lang, "failure.parked", fix=message(lang, f"failure.fix.{failure.kind}"),
                         job=_wiki_text(failure.job_id)))
    return message(lang, "jira.draft_failed", key=_wiki_text(key), reason=reason, next_step=next_step,
                   reference=reference)


def draft_recovered_comment(language: str, *, key: str, title: str, url: str, reference: str) -> str:
    """The comment saying the postmortem was drafted after an earlier failure was told."""
    lang = language if language in LANGUAGES else "en"
    return message(lang, "jira.draft_recovered", key=_wiki_text(key), title=_wiki_text(title), url=url,
                   reference=reference)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"
