"""Atlassian Document Format (v3 bodies) to and from the plain/wiki strings v2 uses."""

from __future__ import annotations

from html import escape
from typing import Any

# Deeper documents are refused as invalid (400) before anything is stored: every reader of a
# stored body (v2 text, rendered HTML, JQL text search) walks it, and must be able to.
MAX_DEPTH = 100


def is_doc(value: Any) -> bool:
    """A document: ``{"type": "doc", "content": [...]}`` whose nodes nest at most MAX_DEPTH deep."""
    return (isinstance(value, dict) and value.get("type") == "doc" and isinstance(value.get("content"), list)
            and depth(value) <= MAX_DEPTH)


def depth(doc: Any) -> int:
    """How deep the nodes of ``doc`` nest (the doc itself is 1); counted without recursion."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        children = node.get("content") if isinstance(node, dict) else None
        if isinstance(children, list):
            stack.extend((child, level + 1) for child in children)
    return deepest


def from_text(text: str | None) -> dict | None:
    """Wrap a string as an ADF document: blank lines split paragraphs, newlines become breaks."""
    if text is None:
        return None
    paragraphs = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        content: list[dict] = []
        for i, line in enumerate(block.split("\n")):
            if i:
                content.append({"type": "hardBreak"})
            if line:
                content.append({"type": "text", "text": line})
        paragraphs.append({"type": "paragraph", "content": content})
    return {"type": "doc", "version": 1, "content": paragraphs}


def _inline(node: dict) -> str:
    kind = node.get("type")
    if kind == "text":
        text = node.get("text", "")
        for mark in node.get("marks", []):
            if mark.get("type") == "link":
                text = f"[{text}|{mark.get('attrs', {}).get('href', '')}]"
            elif mark.get("type") == "strong":
                text = f"*{text}*"
            elif mark.get("type") == "code":
                text = "{{" + text + "}}"
        return text
    if kind == "hardBreak":
        return "\n"
    if kind == "mention":
        return f"[~accountid:{node.get('attrs', {}).get('id', '')}]"
    if kind in ("emoji", "status", "date", "inlineCard"):
        attrs = node.get("attrs", {})
        return str(attrs.get("text") or attrs.get("shortName") or attrs.get("url") or "")
    return "".join(_inline(c) for c in node.get("content", []))


def _block(node: dict, prefix: str = "") -> list[str]:
    kind = node.get("type")
    children = node.get("content", [])
    if kind == "paragraph":
        return [_inline(node)]
    if kind == "heading":
        return [f"h{node.get('attrs', {}).get('level', 1)}. {_inline(node)}"]
    if kind in ("bulletList", "orderedList"):
        mark = prefix + ("*" if kind == "bulletList" else "#")
        lines: list[str] = []
        for item in children:
            inner = [line for child in item.get("content", []) for line in _block(child, mark)]
            if inner:
                first, rest = inner[0], inner[1:]
                lines.append(first if first.startswith(mark) else f"{mark} {first}")
                lines.extend(rest)
        return lines
    if kind == "codeBlock":
        return ["{code}\n" + "".join(_inline(c) for c in children) + "\n{code}"]
    if kind == "blockquote":
        return ["{quote}\n" + "\n\n".join(line for c in children for line in _block(c)) + "\n{quote}"]
    if kind == "rule":
        return ["----"]
    if children:
        return [line for c in children for line in _block(c, prefix)]
    return [_inline(node)] if kind else []


def to_text(doc: Any) -> str | None:
    """Render an ADF document as the string Jira's v2 API shows."""
    if doc is None:
        return None
    if isinstance(doc, str):
        return doc
    blocks = [line for node in doc.get("content", []) for line in _block(node)]
    return "\n\n".join(blocks)


def as_text(value: Any) -> str | None:
    return to_text(value) if is_doc(value) else value


def as_doc(value: Any) -> dict | None:
    return value if is_doc(value) or value is None else from_text(str(value))


def to_html(value: Any) -> str | None:
    """The ``renderedFields`` HTML for a text value: escaped paragraphs."""
    text = as_text(value)
    if text is None:
        return None
    return "".join(f"<p>{escape(block).replace(chr(10), '<br/>')}</p>" for block in text.split("\n\n"))
