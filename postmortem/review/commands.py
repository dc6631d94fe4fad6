"""Review commands in page comments: ``/approve`` (``/승인``), ``/reject <reason>`` (``/반려``),
``/waive <finding id> <reason>`` (``/면제``). A pure parser of a comment's plain text.

Only a comment whose text starts with ``/`` and a known or unknown command word is a command;
anything else is conversation (None). A command missing what it needs is a ``Command`` with
``problem`` set, so the page can say why it was ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

APPROVE, REJECT, WAIVE = "approve", "reject", "waive"
_WORDS = {"approve": APPROVE, "승인": APPROVE, "reject": REJECT, "반려": REJECT, "waive": WAIVE,
          "면제": WAIVE}
_COMMAND = re.compile(r"^/(\S+)\s*(.*)$", re.DOTALL)
_FINDING_ID = re.compile(r"^[bp]-[0-9a-f]{8}$", re.IGNORECASE)


@dataclass(frozen=True)
class Command:
    kind: str  # approve | reject | waive | unknown
    word: str  # as typed, e.g. "/승인"
    finding: str = ""  # /waive: the finding id
    reason: str = ""
    problem: str = ""  # needs_reason | needs_id | unknown ("" when well-formed)


@dataclass(frozen=True)
class PageComment:
    """A page comment as the review reads it: who wrote it (their identities: Cloud account id;
    Data Center username and user key), when, and its plain text."""

    id: str
    author_ids: tuple[str, ...]
    author_name: str
    created: str  # ISO 8601
    text: str


def parse_command(text: str) -> Command | None:
    """The command a comment's text gives, or None when it is not a command."""
    stripped = " ".join(text.replace("\u00a0", " ").split()) if text else ""
    found = _COMMAND.match(stripped)
    if not found:
        return None
    word, rest = found.group(1), found.group(2).strip()
    kind = _WORDS.get(word.casefold())
    typed = f"/{word}"
    if kind is None:
        return Command("unknown", typed, problem="unknown")
    if kind == APPROVE:
        return Command(APPROVE, typed, reason=rest)
    if kind == REJECT:
        return Command(REJECT, typed, reason=rest, problem="" if rest else "needs_reason")
    finding, _, reason = rest.partition(" ")
    if not finding or not _FINDING_ID.match(finding):
        return Command(WAIVE, typed, finding=finding, reason=reason.strip(), problem="needs_id")
    if not reason.strip():
        return Command(WAIVE, typed, finding=finding.lower(), problem="needs_reason")
    return Command(WAIVE, typed, finding=finding.lower(), reason=reason.strip())
