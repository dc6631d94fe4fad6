"""Confluence storage format: well-formedness checks and plain text, with the stdlib parser.

A storage-format body is a fragment (no root element) that uses the ``ac:`` and ``ri:``
namespaces without declaring them, and HTML named entities such as ``&nbsp;``. Both are
made legal by wrapping the fragment in a root that declares the namespaces, preceded by a
DTD that declares the HTML 4 entities Confluence accepts. Nothing is fetched.

Extra rules Confluence enforces and plain XML does not: CDATA sections only inside
``ac:plain-text-body`` / ``ac:plain-text-link-body``, no DOCTYPE or entity declarations in the
body, and every ``ac:structured-macro`` / ``ac:parameter`` has an ``ac:name``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.entities import name2codepoint
from xml.parsers import expat

AC = "http://www.atlassian.com/schema/confluence/4/ac/"
RI = "http://www.atlassian.com/schema/confluence/4/ri/"
XHTML = "http://www.w3.org/1999/xhtml"
_PREFIXES = {AC: "ac", RI: "ri", XHTML: ""}

_XML_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}
_DTD = "".join(f'<!ENTITY {name} "&#{code};">' for name, code in sorted(name2codepoint.items())
               if name not in _XML_PREDEFINED)
# One line, so that line n of the fragment is line n + 1 of the wrapped document.
_HEAD = (f"<!DOCTYPE ac:confluence [{_DTD}]>"
         f'<ac:confluence xmlns:ac="{AC}" xmlns:ri="{RI}" xmlns="{XHTML}">\n')
_TAIL = "</ac:confluence>"
_CDATA_PARENTS = {f"{AC} plain-text-body", f"{AC} plain-text-link-body"}
_NAMED_MACRO_PARTS = {f"{AC} structured-macro", f"{AC} parameter"}
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)\b", re.IGNORECASE)
# Text in which "<!DOCTYPE" is just characters (an HTML snippet in a code macro, a comment).
_LITERAL_SPANS = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)


def _outside_literals(text: str) -> str:
    """``text`` with CDATA sections and comments blanked (same length, same line breaks)."""
    return _LITERAL_SPANS.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)

_ENTITY_REF = re.compile(r"&[^;\s<&]*;?")

_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "th", "td", "br", "div", "table",
           "ul", "ol", "blockquote", "pre", "hr", "task", "task-body", "structured-macro",
           "rich-text-body", "plain-text-body"}
_SILENT = {f"{AC} parameter", f"{AC} placeholder", f"{AC} task-id", f"{AC} task-status"}


class StorageFormatError(ValueError):
    """The body is not storage format Confluence would accept. ``line`` and ``column`` are
    1-based positions in the fragment; ``source`` optionally names where it came from."""

    def __init__(self, reason: str, line: int, column: int, source: str = "", excerpt: str = ""):
        self.reason, self.line, self.column, self.source = reason, line, column, source
        self.excerpt = excerpt  # the text around the position, for messages
        where = f"line {line}, column {column}: {reason}"
        super().__init__(f"{source}: {where}" if source else where)


def _shown(name: str) -> str:
    """``"uri local"`` as the prefixed name written in the fragment."""
    uri, _, local = name.rpartition(" ")
    prefix = _PREFIXES.get(uri, uri)
    return f"{prefix}:{local}" if prefix else local


class _Checker:
    def __init__(self, text: str):
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.UseForeignDTD(False)
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.StartCdataSectionHandler = self._cdata
        self.lines = text.split("\n")
        self.markup_lines = _outside_literals(text).split("\n")  # where a declaration would be one
        self.open: list[tuple[str, int, int]] = []  # (name, line, column) in the fragment
        self.tail_line = text.count("\n") + 2  # document line where _TAIL starts
        self.tail_column = len(text) - (text.rfind("\n") + 1)

    def _here(self) -> tuple[int, int]:
        return self.parser.CurrentLineNumber - 1, self.parser.CurrentColumnNumber + 1

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if name in _NAMED_MACRO_PARTS and f"{AC} name" not in attrs:
            raise StorageFormatError(f"<{_shown(name)}> needs an ac:name attribute", *self._here())
        self.open.append((name, *self._here()))

    def _end(self, name: str) -> None:
        if self.open:
            self.open.pop()

    def _cdata(self) -> None:
        parent = self.open[-1][0] if len(self.open) > 1 else ""
        if parent not in _CDATA_PARENTS:
            inside = f"inside <{_shown(parent)}>" if parent else "at the top level"
            raise StorageFormatError(
                f"CDATA section {inside}; CDATA is only allowed in ac:plain-text-body "
                "or ac:plain-text-link-body", *self._here())

    def run(self, text: str) -> None:
        try:
            try:
                self.parser.Parse(_HEAD + text + _TAIL, True)
            except expat.ExpatError as exc:
                raise self._explain(exc) from None
        except StorageFormatError as error:
            error.excerpt = error.excerpt or self.excerpt(error.line, error.column)
            raise

    def excerpt(self, line: int, column: int, width: int = 60) -> str:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        start = max(column - 1 - width // 4, 0)
        return text[start:start + width]

    def _explain(self, exc: expat.ExpatError) -> StorageFormatError:
        line, column = exc.lineno - 1, exc.offset + 1
        at_tail = exc.lineno > self.tail_line or (
            exc.lineno == self.tail_line and exc.offset >= self.tail_column)
        innermost = self.open[-1] if len(self.open) > 1 else None
        if at_tail and innermost:
            name, opened_line, opened_column = innermost
            end_line, end_column = self.tail_line - 1, self.tail_column + 1  # the fragment's end
            return StorageFormatError(f"<{_shown(name)}> opened at line {opened_line}, "
                                      f"column {opened_column} is never closed", end_line, end_column,
                                      excerpt=self.excerpt(opened_line, opened_column))
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_TAG_MISMATCH]:
            if innermost is None:
                return StorageFormatError("closing tag without an opening tag", line, column)
            name, opened_line, opened_column = innermost
            return StorageFormatError(f"mismatched tag: expected </{_shown(name)}> for the element "
                                      f"opened at line {opened_line}, column {opened_column}",
                                      line, column)
        reason = expat.ErrorString(exc.code)
        text = self.markup_lines[line - 1] if 0 < line <= len(self.markup_lines) else ""
        if declaration := _DECLARATION.search(text, max(column - 3, 0), column + 10):
            reason = f"<!{declaration.group(1).upper()}> declarations are not allowed in a page body"
            column = declaration.start() + 1
        if exc.code == expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]:
            found = _ENTITY_REF.match(self.lines[line - 1] if line <= len(self.lines) else "", column - 1)
            if found:
                reason = f"undefined entity {found.group(0)} (not an HTML entity Confluence knows)"
        return StorageFormatError(reason, line, column)


def wrapped_document() -> tuple[str, str]:
    """The head and tail that make a fragment a document: ``head + body + tail``. The head
    is ASCII on one line, so body line n is document line n + 1 and body offsets are
    document offsets minus ``len(head)``."""
    return _HEAD, _TAIL


def check_storage(xhtml: str) -> None:
    """Raise StorageFormatError (with line and column) unless ``xhtml`` is a well-formed
    storage-format fragment."""
    _Checker(xhtml).run(xhtml)


def parse_storage(xhtml: str) -> ET.Element:
    """The fragment as an ElementTree under a wrapper root; tags read ``{namespace}name``
    (``storage.AC``, ``storage.RI``, ``storage.XHTML``). Checks it first."""
    check_storage(xhtml)
    parser = ET.XMLParser(target=ET.TreeBuilder())
    parser.feed(_HEAD + xhtml + _TAIL)
    return parser.close()


def storage_text(xhtml: str) -> str:
    """The words a reader sees: text of the fragment, one line per block element, with
    whitespace collapsed. Macro parameters, editor placeholders and task ids and statuses
    are left out."""
    root = parse_storage(xhtml)
    parts: list[str] = []
    _collect(root, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def _collect(element: ET.Element, parts: list[str]) -> None:
    uri, _, local = element.tag[1:].partition("}")
    if f"{uri} {local}" in _SILENT:
        return
    if element.text:
        parts.append(element.text)
    for child in element:
        _collect(child, parts)
        if child.tail:
            parts.append(child.tail)
    if local in _BLOCKS:
        parts.append("\n")
