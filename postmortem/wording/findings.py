"""What a wording check reports: a Finding, with a stable id a reviewer can waive."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, replace

CHECKS = ("blame", "pii")
BLAME_KINDS = ("culprit", "judgement", "threat", "human_error")
PII_KINDS = ("email", "phone", "ipv4", "ipv6", "kr_rrn", "card")


@dataclass(frozen=True)
class Finding:
    """One problem in a text. ``start``/``end`` are character offsets into the text checked
    (``text == checked[start:end]``); ``section`` names where it was found, when known."""

    check: str          # "blame" or "pii"
    kind: str           # one of BLAME_KINDS or PII_KINDS
    start: int
    end: int
    text: str
    message: str
    suggestion: str = ""
    section: str = ""
    words: str = ""     # the visible words, when ``text`` holds markup too (storage format)

    @property
    def id(self) -> str:
        return finding_id(self.check, self.kind, self.words or self.text)

    def shifted(self, offset: int, section: str = "") -> Finding:
        """The same finding in a text that starts ``offset`` characters earlier."""
        return replace(self, start=self.start + offset, end=self.end + offset,
                       section=section or self.section)

    def as_dict(self) -> dict:
        out = {"check": self.check, "kind": self.kind, "text": self.text, "start": self.start,
               "end": self.end, "message": self.message, "suggestion": self.suggestion,
               "id": self.id}
        if self.section:
            out["section"] = self.section
        return out


def normalised(text: str) -> str:
    """Case, width and spacing folded, so the same words give the same id wherever they are."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def finding_id(check: str, kind: str, text: str) -> str:
    """A short stable id: ``b-`` or ``p-`` and 8 hex digits of a hash of check, kind and text."""
    digest = hashlib.sha256(f"{check}\0{kind}\0{normalised(text)}".encode()).hexdigest()
    return f"{check[0]}-{digest[:8]}"


def without_overlaps(findings: list[Finding]) -> list[Finding]:
    """Sorted by position; where two overlap, the longer (then the earlier) one is kept."""
    chosen: list[Finding] = []
    for f in sorted(findings, key=lambda f: (-(f.end - f.start), f.start)):
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return sorted(chosen, key=lambda f: (f.start, f.end))
