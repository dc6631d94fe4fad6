"""Edits as splices: each replaces one span of the body with new markup, and every other
character of the body stays exactly as it was. Nothing is ever re-serialised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Span = tuple[int, int]  # (start, end) character offsets into a body string


class EditConflict(ValueError):
    """Edits that overlap, fall outside the body, or were made for a different body."""


@dataclass(frozen=True)
class Edit:
    """Replace ``body[start:end]`` (which read ``original`` when the edit was made) with ``xml``."""

    start: int
    end: int
    xml: str
    original: str

    @property
    def span(self) -> Span:
        return (self.start, self.end)


def apply_edits(body: str, edits: Iterable[Edit]) -> str:
    """``body`` with every edit spliced in. Raises EditConflict when two edits overlap (two
    insertions at one point are kept in the order given), when an edit lies outside the body,
    or when the text an edit replaces is not what it was made for (a stale page)."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    parts: list[str] = []
    at = 0
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= len(body):
            raise EditConflict(f"edit {edit.span} is outside the body (length {len(body)})")
        if edit.start < at:
            raise EditConflict(f"edit {edit.span} overlaps another edit ending at {at}")
        if body[edit.start:edit.end] != edit.original:
            raise EditConflict(f"edit {edit.span} was made for a different version of the page")
        parts.append(body[at:edit.start])
        parts.append(edit.xml)
        at = edit.end
    parts.append(body[at:])
    return "".join(parts)
