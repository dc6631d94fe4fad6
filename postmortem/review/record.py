"""What the review remembers between runs, in the page state (``PageState.extra["review"]``),
and the gate results it publishes (``PageState.extra["gates"]``).

- ``approvals``: each ``/approve`` by a reviewer, bound to the content hash of the page when
  Debrief first read the comment;
- ``rejections``: ``/reject <reason>`` by a reviewer (an approval before it no longer counts);
- ``waivers``: ``/waive <finding id> <reason>`` by a reviewer;
- ``ignored``: commands that did not count, with why (shown on the page);
- ``seen``: the comment ids already read (a comment is read once: its binding does not move);
- ``shared``: the share e-mail sent {content, at, to};
- ``counted``: the comment ids of the approvals that counted when the gates last ran (the
  panel shows the others as needing a new approval, and why).

``from_dict`` never raises: what it cannot read is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATE_KEY = "review"
GATES_KEY = "gates"


def _when(at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return None


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


@dataclass(frozen=True)
class Act:
    """One reviewer command that counted (approval, rejection or waiver)."""

    by: str  # the reviewer as configured (account id or username)
    name: str  # display name
    comment: str  # comment id
    at: str  # ISO 8601
    content: str = ""  # content hash when read (approvals, rejections)
    reason: str = ""
    finding: str = ""  # waivers

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    def after(self, other: Act) -> bool:
        """Whether this command came after ``other``: by time, or by comment id when the two
        times cannot be compared."""
        a, b = _when(self.at), _when(other.at)
        if a is not None and b is not None and (a.tzinfo is None) == (b.tzinfo is None):
            return a > b
        return self.comment > other.comment

    @classmethod
    def from_dict(cls, data: Any) -> Act | None:
        if not isinstance(data, Mapping) or not _s(data.get("comment")):
            return None
        return cls(*(_s(data.get(k)) for k in ("by", "name", "comment", "at", "content", "reason", "finding")))


@dataclass(frozen=True)
class Ignored:
    comment: str
    name: str
    why: str  # a sentence in the page's language

    def to_dict(self) -> dict:
        return {"comment": self.comment, "name": self.name, "why": self.why}

    @classmethod
    def from_dict(cls, data: Any) -> Ignored | None:
        if not isinstance(data, Mapping) or not _s(data.get("comment")):
            return None
        return cls(_s(data["comment"]), _s(data.get("name")), _s(data.get("why")))


def _many(cls, values: Any) -> tuple:
    if not isinstance(values, list | tuple):
        return ()
    return tuple(x for x in (cls.from_dict(v) for v in values) if x is not None)


@dataclass(frozen=True)
class ReviewRecord:
    approvals: tuple[Act, ...] = ()
    rejections: tuple[Act, ...] = ()
    waivers: tuple[Act, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    seen: tuple[str, ...] = ()
    shared: Mapping[str, Any] = field(default_factory=dict)
    owner: Mapping[str, str] = field(default_factory=dict)  # {id, name}: for the agenda and reminders
    findings: tuple[Mapping[str, Any], ...] = ()  # the checker's findings, open and waived (panel)
    language: str = ""  # of the texts recorded (the page's)
    content: str = ""  # the content hash last reviewed
    counted: tuple[str, ...] | None = None  # approvals (comment ids) that counted; None: not judged yet

    def to_dict(self) -> dict:
        return {"approvals": [a.to_dict() for a in self.approvals],
                "rejections": [a.to_dict() for a in self.rejections],
                "waivers": [a.to_dict() for a in self.waivers],
                "ignored": [i.to_dict() for i in self.ignored], "seen": list(self.seen),
                "shared": dict(self.shared), "owner": dict(self.owner),
                "findings": [dict(f) for f in self.findings], "language": self.language, "content": self.content,
                **({} if self.counted is None else {"counted": list(self.counted)})}

    @classmethod
    def from_dict(cls, data: Any) -> ReviewRecord:
        if not isinstance(data, Mapping):
            return cls()
        shared = data.get("shared") if isinstance(data.get("shared"), Mapping) else {}
        owner = data.get("owner") if isinstance(data.get("owner"), Mapping) else {}
        seen = tuple(_s(s) for s in data.get("seen") or () if _s(s)) if isinstance(data.get("seen"), list) else ()
        findings = tuple({str(k): v for k, v in f.items()} for f in data.get("findings") or ()
                         if isinstance(f, Mapping)) if isinstance(data.get("findings"), list) else ()
        counted = (tuple(_s(c) for c in data["counted"] if _s(c))
                   if isinstance(data.get("counted"), list) else None)
        return cls(_many(Act, data.get("approvals")), _many(Act, data.get("rejections")),
                   _many(Act, data.get("waivers")), _many(Ignored, data.get("ignored")), seen,
                   {str(k): v for k, v in shared.items()}, {str(k): _s(v) for k, v in owner.items()},
                   findings, _s(data.get("language")), _s(data.get("content")), counted)

    @classmethod
    def of(cls, extra: Mapping[str, Any]) -> ReviewRecord:
        return cls.from_dict(extra.get(STATE_KEY))
