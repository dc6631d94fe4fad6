"""A storage-format body as a tree of elements that know their exact place in the body.

Expat parses the fragment wrapped in the same head and tail as the well-formedness check
(``postmortem.storage_format``), as UTF-8 bytes. Its ``CurrentByteIndex`` gives where each
start tag and end tag begins; the wrapper's head (ASCII) is subtracted and byte offsets are
turned into character offsets of the body string. The end of a start tag is found by
scanning the tag itself (quoted attribute values may hold ``>``); an empty element
(``<td />``) has no end tag and no inner span of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from postmortem.storage_format import AC, RI, XHTML, check_storage, wrapped_document

_PREFIX = {AC: "ac", RI: "ri", XHTML: ""}
_START_TAG = re.compile(r"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_END_TAG = re.compile(r"</[^>]*>")


def _prefixed(name: str) -> str:
    uri, sep, local = name.rpartition(" ")
    if not sep:
        return local
    prefix = _PREFIX.get(uri, "")
    return f"{prefix}:{local}" if prefix else local


@dataclass(eq=False)
class Node:
    """One element. ``start``/``end`` span the whole element; ``open_end`` is where its
    start tag ends and ``close_start`` where its end tag begins (both ``end`` for an empty
    element). ``content`` interleaves child Nodes and text (entities resolved)."""

    tag: str  # "td", "ac:task", "ri:user"
    attrs: dict[str, str]
    start: int
    open_end: int = 0
    close_start: int = 0
    end: int = 0
    empty: bool = False
    parent: Node | None = None
    content: list[Node | str] = field(default_factory=list)

    @property
    def children(self) -> list[Node]:
        return [c for c in self.content if isinstance(c, Node)]

    def iter(self, tag: str | tuple[str, ...] | None = None):
        """This element and every element inside it, in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            if tag is None or node.tag == tag or (isinstance(tag, tuple) and node.tag in tag):
                yield node
            stack.extend(reversed(node.children))

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def first(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def attr(self, *names: str) -> str:
        return next((self.attrs[n] for n in names if n in self.attrs), "")

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    @property
    def inner(self) -> tuple[int, int]:
        return (self.open_end, self.close_start)


class _Builder:
    def __init__(self, body: str, data: bytes, head: int):
        self.body, self.data, self.head = body, data, head
        self.ascii = body.isascii()
        self.byte, self.char = head, 0  # last converted position
        self.root = Node("", {}, 0, 0, len(body), len(body))
        self.current = self.root
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.UseForeignDTD(False)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.parser.buffer_text = True
        self.depth = 0

    def _offset(self) -> int:
        index = self.parser.CurrentByteIndex
        if self.ascii:
            return index - self.head
        if index < self.byte:  # never happens in a forward parse; stay correct anyway
            self.byte, self.char = self.head, 0
        self.char += len(self.data[self.byte:index].decode("utf-8"))
        self.byte = index
        return self.char

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            return  # the wrapper root
        start = self._offset()
        tag = _START_TAG.match(self.body, start)
        if tag is None:  # pragma: no cover - expat accepted a tag this cannot read
            raise ValueError(f"cannot read the start tag at offset {start}")
        node = Node(_prefixed(name), {_prefixed(k): v for k, v in attrs.items()}, start,
                    open_end=tag.end(), empty=bool(tag.group(1)), parent=self.current)
        self.current.content.append(node)
        self.current = node

    def _end(self, name: str) -> None:
        self.depth -= 1
        if self.depth == 0:
            return
        node = self.current
        if node.empty:
            node.close_start = node.end = node.open_end
        else:
            node.close_start = self._offset()
            node.end = _END_TAG.match(self.body, node.close_start).end()
        self.current = node.parent or self.root

    def _text(self, text: str) -> None:
        if self.depth > 1:
            self.current.content.append(text)

    def build(self) -> Node:
        self.parser.Parse(self.data, True)
        return self.root


def parse_tree(body: str) -> Node:
    """The body's elements under a root Node spanning the whole body. Raises
    StorageFormatError (line and column) when the body is not storage format."""
    check_storage(body)
    head, tail = wrapped_document()
    data = (head + body + tail).encode("utf-8")
    return _Builder(body, data, len(head.encode("utf-8"))).build()
