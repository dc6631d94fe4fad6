"""What a table cell (or any element) holds, read from the positioned tree: its plain
text, the people mentioned, the dates, Jira keys and anchors in it."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.page.edits import Span
from postmortem.page.tree import Node, parse_tree

# Left out of plain text: macro parameters, editor guidance, task ids and statuses, and the
# fallback copy Cloud keeps of its own panels.
_SILENT = {"ac:parameter", "ac:default-parameter", "ac:placeholder", "ac:task-id", "ac:task-status",
           "ac:adf-fallback", "ac:adf-attribute"}
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "th", "td", "br", "div", "table",
           "ul", "ol", "blockquote", "pre", "hr", "ac:task", "ac:task-body", "ac:structured-macro",
           "ac:macro", "ac:rich-text-body", "ac:plain-text-body", "ac:layout-cell", "ac:adf-node"}
MACROS = ("ac:structured-macro", "ac:macro")
_MENTION_KINDS = ("ri:account-id", "ri:userkey", "ri:username")


@dataclass(frozen=True)
class Mention:
    """A person mentioned: ``kind`` is ``account-id`` (Cloud), ``userkey`` (Data Center) or
    ``username`` (old Server); ``id`` the value."""

    kind: str
    id: str


@dataclass(frozen=True)
class Cell:
    """A th or td. ``span`` is the whole element, ``inner`` its content (an empty element,
    ``<td />``, has ``inner == (end, end)`` and ``empty``). ``xml`` is the content markup,
    ``text`` its plain text (lines joined by newlines, placeholders left out)."""

    tag: str
    span: Span
    inner: Span
    xml: str
    text: str
    mentions: tuple[Mention, ...] = ()
    dates: tuple[str, ...] = ()
    jira_keys: tuple[str, ...] = ()
    anchors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()  # titles of status lozenges (``DRAFT``)
    has_placeholder: bool = False
    empty: bool = False
    local_id: str = ""
    colspan: int = 1
    rowspan: int = 1


def _lines(parts: list[str]) -> str:
    lines = (" ".join(line.replace("\u00a0", " ").split()) for line in "".join(parts).splitlines())
    return "\n".join(line for line in lines if line)


def node_text(node: Node, skip: frozenset[str] = frozenset()) -> str:
    """The words a reader sees in ``node``: one line per block, whitespace collapsed."""
    parts: list[str] = []
    _collect(node, parts, skip)
    return _lines(parts)


def _collect(node: Node, parts: list[str], skip: frozenset[str]) -> None:
    for item in node.content:
        if isinstance(item, str):
            parts.append(item)
        elif item.tag not in _SILENT and item.tag not in skip:
            _collect(item, parts, skip)
            if item.tag in _BLOCKS:
                parts.append("\n")


def plain_text(xml: str) -> str:
    """The plain text of a storage-format fragment (for wording checks on a section)."""
    return node_text(parse_tree(xml))


def macro_name(node: Node) -> str:
    return node.attrs.get("ac:name", "") if node.tag in MACROS else ""


def macro_parameter(node: Node, name: str) -> str | None:
    """A macro's parameter text (``""`` is the default parameter, also ``ac:default-parameter``)."""
    for child in node.children:
        if child.tag == "ac:parameter" and child.attrs.get("ac:name") == name:
            return node_text(child) if child.children else "".join(c for c in child.content if isinstance(c, str))
        if name == "" and child.tag == "ac:default-parameter":
            return "".join(c for c in child.content if isinstance(c, str))
    return None


def anchors_in(node: Node, skip: frozenset[str] = frozenset()) -> list[Node]:
    """Anchor macros inside ``node`` (not inside elements tagged in ``skip``)."""
    found, stack = [], list(reversed(node.children))
    while stack:
        item = stack.pop()
        if item.tag in skip:
            continue
        if macro_name(item) == "anchor":
            found.append(item)
        stack.extend(reversed(item.children))
    return found


def anchor_name(node: Node) -> str:
    return (macro_parameter(node, "") or "").strip()


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 1


def read_cell(node: Node, body: str) -> Cell:
    mentions, dates, keys, anchors, statuses, placeholder = [], [], [], [], [], False
    for item in node.iter():
        if item is node:
            continue
        if item.tag == "ri:user":
            kind = next((k for k in _MENTION_KINDS if k in item.attrs), "")
            if kind:
                mentions.append(Mention(kind[3:], item.attrs[kind]))
        elif item.tag == "time" and item.attrs.get("datetime"):
            dates.append(item.attrs["datetime"])
        elif item.tag == "ac:placeholder":
            placeholder = True
        elif macro_name(item) == "jira":
            key = (macro_parameter(item, "key") or "").strip()
            if key:
                keys.append(key)
        elif macro_name(item) == "anchor":
            anchors.append(anchor_name(item))
        elif macro_name(item) == "status":
            statuses.append((macro_parameter(item, "title") or "").strip())
    return Cell(tag=node.tag, span=node.span, inner=node.inner, xml=body[node.open_end:node.close_start],
                text=node_text(node), mentions=tuple(mentions), dates=tuple(dates), jira_keys=tuple(keys),
                anchors=tuple(anchors), statuses=tuple(statuses), has_placeholder=placeholder, empty=node.empty,
                local_id=node.attr("ac:local-id", "local-id"),
                colspan=_int(node.attrs.get("colspan", "1")), rowspan=_int(node.attrs.get("rowspan", "1")))
