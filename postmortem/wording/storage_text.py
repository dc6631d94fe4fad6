"""The words of a storage-format body with their offsets in the raw XML, so findings in the
text can be reported (and masked) at their place in the body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.entities import name2codepoint

from postmortem.storage_format import check_storage

_TOKEN = re.compile(r"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<!--.*?-->|<(?P<close>/)?(?P<tag>[A-Za-z][\w:.\-]*)"
                    r"(?:\s[^>]*?)?(?P<self>/)?>|(?P<text>[^<]+)", re.DOTALL)
_ENTITY = re.compile(r"&(?:#(\d+)|#[xX]([0-9A-Fa-f]+)|(\w+));")
_SILENT = {"ac:parameter", "ac:placeholder", "ac:task-id", "ac:task-status"}
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "th", "td", "br", "div", "table",
           "ul", "ol", "blockquote", "pre", "hr", "ac:task", "ac:task-body", "ac:structured-macro",
           "ac:rich-text-body", "ac:plain-text-body"}
_STORAGE_START = re.compile(r"^\s*<(?:p|h[1-6]|ac:|ri:|table|ul|ol|div|blockquote|pre|span|strong|em|br|hr)\b")


def looks_like_storage(text: str) -> bool:
    return _STORAGE_START.match(text) is not None


@dataclass(frozen=True)
class MappedText:
    """``text`` is what a reader sees; ``starts[i]``/``ends[i]`` are the raw offsets of
    character i (an entity maps to its whole ``&...;``; a block break to the tag)."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def storage_words(xhtml: str) -> MappedText:
    """Check the body (StorageFormatError if it is not storage format), then map its text."""
    check_storage(xhtml)
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    silent = 0

    def put(ch: str, s: int, e: int) -> None:
        chars.append(ch)
        starts.append(s)
        ends.append(e)

    for m in _TOKEN.finditer(xhtml):
        tag = m.group("tag")
        if tag is not None:
            if tag in _SILENT and not m.group("self"):
                silent += -1 if m.group("close") else 1
            if tag in _BLOCKS and (not chars or chars[-1] != "\n"):
                put("\n", m.start(), m.start())
            continue
        if silent:
            continue
        if m.group("cdata") is not None:
            base = m.start("cdata")
            for k, ch in enumerate(m.group("cdata")):
                put(ch, base + k, base + k + 1)
            continue
        if m.group("text") is None:
            continue
        base = m.start("text")
        raw = m.group("text")
        pos = 0
        for e in _ENTITY.finditer(raw):
            for k in range(pos, e.start()):
                put(raw[k], base + k, base + k + 1)
            if e.group(1) or e.group(2):
                code = int(e.group(1)) if e.group(1) else int(e.group(2), 16)
            else:
                code = {"amp": 38, "lt": 60, "gt": 62, "quot": 34, "apos": 39}.get(
                    e.group(3), name2codepoint.get(e.group(3), 63))
            ch = chr(code)
            put(" " if ch == "\xa0" else ch, base + e.start(), base + e.end())
            pos = e.end()
        for k in range(pos, len(raw)):
            put(raw[k], base + k, base + k + 1)
    return MappedText("".join(chars), tuple(starts), tuple(ends))
