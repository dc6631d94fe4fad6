"""Sentences of a text, as (start, end) character spans."""

from __future__ import annotations

import re

# A sentence ends at . ! ? (or their full-width forms) followed by space, or at a line break.
_END = re.compile(r"(?<=[.!?。！？])[\"'”’)\]]*\s+|\n+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        _add(text, start, m.start(), spans)
        start = m.end()
    _add(text, start, len(text), spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def has_hangul(text: str) -> bool:
    return _HANGUL.search(text) is not None


def hangul_share(text: str) -> float:
    """The share of letters that are Hangul."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _HANGUL.match(c)) / len(letters)
