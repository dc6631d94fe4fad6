"""Confluence storage format: well-formedness check, plain text, and a readable HTML rendering.

Storage format is an XHTML fragment with ``ac:``/``ri:`` elements and HTML named entities. It is
parsed the way Confluence does it: wrapped in one root that declares the namespaces, named
entities turned into characters, then a strict XML parse (no DTDs, no network, no recovery).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html.entities import name2codepoint
from urllib.parse import quote

from lxml import etree
from lxml import html as lxml_html
from lxml.html import builder as E

AC = "http://www.atlassian.com/schema/confluence/4/ac/"
RI = "http://www.atlassian.com/schema/confluence/4/ri/"
AT = "http://www.atlassian.com/schema/confluence/4/at/"
XHTML = "http://www.w3.org/1999/xhtml"

_ROOT_OPEN = f'<ac:confluence xmlns:ac="{AC}" xmlns:ri="{RI}" xmlns:at="{AT}" xmlns="{XHTML}">'
_ROOT_CLOSE = "</ac:confluence>"
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, recover=False, huge_tree=False
)


class StorageFormatError(ValueError):
    """The body is not well-formed storage format."""


def _named_entities_to_numeric(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)  # XML's own, or unknown (the parser reports it)
        return f"&#{name2codepoint[name]};"

    return _ENTITY.sub(replace, text)


# "<!DOCTYPE" inside these is text (an HTML snippet in a code macro), not a declaration.
_LITERAL_SPANS = re.compile(r"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.DOTALL)
_DECLARATION = re.compile(r"<!(DOCTYPE|ENTITY)")


def parse(storage: str) -> etree._Element:
    """Parse a storage fragment into a tree rooted at ``ac:confluence``; raise on bad XHTML."""
    if _DECLARATION.search(_LITERAL_SPANS.sub("", storage)):
        raise StorageFormatError("Error parsing xhtml: DOCTYPE is not allowed in content")
    source = _ROOT_OPEN + _named_entities_to_numeric(storage) + _ROOT_CLOSE
    try:
        return etree.fromstring(source.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise StorageFormatError(f"Error parsing xhtml: {_describe(exc)}") from None


def _describe(exc: etree.XMLSyntaxError) -> str:
    message = str(exc.msg or exc).split(", line ")[0].replace(" and ac:confluence", " and end of content")
    line, column = exc.position if exc.position else (1, 0)
    if line == 1:  # discount the wrapper root we added in front
        column = max(column - len(_ROOT_OPEN), 0)
    return f"{message}\n at [row,col {{unknown-source}}]: [{line},{column}]"


def validate(storage: str) -> None:
    parse(storage)


_SILENT = {"parameter", "task-id", "task-uuid", "task-status", "placeholder", "script", "style"}


def plain_text(storage: str) -> str:
    """Readable text of a body (for CQL ``text ~`` and search excerpts)."""
    try:
        root = parse(storage)
    except StorageFormatError:
        return ""
    parts: list[str] = []

    def walk(element: etree._Element) -> None:
        if _local(element) not in _SILENT:
            if element.text:
                parts.append(element.text)
            for child in element:
                walk(child)
        if element.tail and element is not root:
            parts.append(element.tail)

    walk(root)
    return re.sub(r"\s+", " ", " ".join(parts)).strip()


def _local(element: etree._Element) -> str:
    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).localname


def _ns(element: etree._Element) -> str:
    if not isinstance(element.tag, str):
        return ""
    return etree.QName(element).namespace or ""


# ---------------------------------------------------------------- rendering


@dataclass(frozen=True)
class RenderLinks:
    """How the renderer resolves references; every callback returns an URL or None."""

    site_base: str  # e.g. http://127.0.0.1:8080 (Jira lives here, Confluence under /wiki)
    page_url: Callable[[str | None, str], str | None]  # (space key, title) -> web URL
    user_name: Callable[[str], str | None]  # account id or user key -> display name


_KEPT_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "ul", "ol", "li", "strong", "b", "em", "i", "u", "s", "del", "ins", "code", "pre",
    "blockquote", "br", "hr", "span", "div", "sub", "sup", "small", "caption", "colgroup", "col",
    "dl", "dt", "dd", "cite", "q", "kbd", "time",
}
_DROPPED_TAGS = {"script", "style", "iframe", "object", "embed", "form", "input", "button", "link",
                 "meta", "base", "title", "head"}
_KEPT_ATTRIBUTES = {"colspan", "rowspan", "datetime"}
_LOZENGE_COLOURS = {"grey", "red", "yellow", "green", "blue", "purple"}
_PANEL_NAMES = {"info", "note", "warning", "tip", "panel"}


def render_html(storage: str, links: RenderLinks) -> str:
    """Storage format as safe, readable HTML (a ``div``); user text is always escaped."""
    container = E.DIV(E.CLASS("wiki-content"))
    try:
        root = parse(storage)
    except StorageFormatError as exc:
        container.append(E.PRE(E.CLASS("storage-error"), str(exc)))
        return lxml_html.tostring(container, encoding="unicode")
    _Renderer(links).children_into(root, container)
    return lxml_html.tostring(container, encoding="unicode")


def _append_text(target: etree._Element, text: str | None) -> None:
    if not text:
        return
    if len(target):
        last = target[-1]
        last.tail = (last.tail or "") + text
    else:
        target.text = (target.text or "") + text


def _safe_href(href: str | None) -> str | None:
    if not href:
        return None
    lowered = href.strip().lower()
    if lowered.startswith(("http://", "https://", "mailto:", "/", "#")):
        return href.strip()
    return None


class _Renderer:
    def __init__(self, links: RenderLinks) -> None:
        self.links = links

    def children_into(self, source: etree._Element, target: etree._Element) -> None:
        _append_text(target, source.text)
        for child in source:
            if isinstance(child.tag, str):
                rendered = self.element(child)
                if rendered is None:
                    pass
                elif isinstance(rendered, str):
                    _append_text(target, rendered)
                else:
                    target.append(rendered)
            _append_text(target, child.tail)

    def element(self, node: etree._Element) -> etree._Element | str | None:
        namespace, name = _ns(node), _local(node)
        if namespace == AC:
            return self.ac(node, name)
        if namespace == RI:
            return self.resource_text(node)
        if name in _DROPPED_TAGS:
            return None
        if name == "a":
            anchor = E.A()
            href = _safe_href(node.get("href"))
            if href:
                anchor.set("href", href)
                anchor.set("rel", "nofollow")
            self.children_into(node, anchor)
            return anchor
        if name in _KEPT_TAGS:
            out = etree.Element(name)
            for attribute in _KEPT_ATTRIBUTES:
                if node.get(attribute) is not None:
                    out.set(attribute, node.get(attribute))
            self.children_into(node, out)
            return out
        wrapper = E.SPAN()  # unknown element: keep its content, drop the element
        self.children_into(node, wrapper)
        return wrapper

    # -- ac: elements
    def ac(self, node: etree._Element, name: str) -> etree._Element | str | None:
        if name in ("structured-macro", "macro"):
            return self.macro(node)
        if name == "link":
            return self.link(node)
        if name == "task-list":
            items = E.UL(E.CLASS("task-list"))
            for task in node:
                if _local(task) == "task":
                    items.append(self.task(task))
            return items
        if name == "emoticon":
            return f":{node.get(f'{{{AC}}}name', 'emoticon')}:"
        if name == "image":
            resource = next((c for c in node if _ns(c) == RI), None)
            label = resource.get(f"{{{RI}}}filename") or resource.get(f"{{{RI}}}value") if resource is not None else None
            return E.SPAN(E.CLASS("image"), f"[image: {label or 'image'}]")
        if name in ("placeholder", "parameter", "task-id", "task-uuid"):
            return None
        if name in ("plain-text-body", "plain-text-link-body"):
            return node.text or ""
        wrapper = E.SPAN()  # rich-text-body, inline-comment-marker, adf-*: keep content
        self.children_into(node, wrapper)
        return wrapper

    def task(self, task: etree._Element) -> etree._Element:
        status = next((c.text for c in task if _local(c) == "task-status"), "incomplete")
        item = E.LI(E.SPAN(E.CLASS("task-box"), "[x] " if status == "complete" else "[ ] "))
        body = next((c for c in task if _local(c) == "task-body"), None)
        if body is not None:
            self.children_into(body, item)
        return item

    def link(self, node: etree._Element) -> etree._Element:
        resource = next((c for c in node if _ns(c) == RI), None)
        body_text = None
        body_node = None
        for child in node:
            if _local(child) == "plain-text-link-body":
                body_text = child.text or ""
            elif _local(child) == "link-body":
                body_node = child
        anchor = E.A(E.CLASS("confluence-link"))
        if resource is not None and _local(resource) == "page":
            title = resource.get(f"{{{RI}}}content-title", "")
            url = self.links.page_url(resource.get(f"{{{RI}}}space-key"), title)
            if url:
                anchor.set("href", url)
            default_text = title
        elif resource is not None and _local(resource) == "user":
            who = resource.get(f"{{{RI}}}account-id") or resource.get(f"{{{RI}}}userkey") or ""
            name = self.links.user_name(who)
            anchor.set("class", "confluence-link user-mention")
            default_text = f"@{name or who or 'unknown user'}"
        else:
            default_text = self.resource_text(resource) if resource is not None else "link"
            if resource is not None and _local(resource) == "url":
                href = _safe_href(resource.get(f"{{{RI}}}value"))
                if href:
                    anchor.set("href", href)
        if body_node is not None:
            self.children_into(body_node, anchor)
        else:
            anchor.text = body_text or default_text
        return anchor

    def resource_text(self, resource: etree._Element) -> str:
        for attribute in ("content-title", "filename", "value", "account-id", "space-key"):
            value = resource.get(f"{{{RI}}}{attribute}")
            if value:
                return value
        return ""

    # -- macros
    def macro(self, node: etree._Element) -> etree._Element:
        name = node.get(f"{{{AC}}}name", "macro")
        params = {
            child.get(f"{{{AC}}}name", ""): "".join(child.itertext())
            for child in node
            if _ns(child) == AC and _local(child) == "parameter"
        }
        body = next((c for c in node if _ns(c) == AC and _local(c) == "rich-text-body"), None)
        plain = next((c for c in node if _ns(c) == AC and _local(c) == "plain-text-body"), None)
        if name == "status":
            colour = params.get("colour", "Grey").lower()
            colour = colour if colour in _LOZENGE_COLOURS else "grey"
            return E.SPAN(E.CLASS(f"macro status-lozenge lozenge-{colour}"), params.get("title", ""))
        if name == "jira":
            return self.jira(params)
        if name in ("code", "noformat"):
            box = self.box(name, params.get("title") or (params.get("language") or ""))
            box.append(E.PRE(E.CODE(plain.text if plain is not None and plain.text else "")))
            return box
        if name == "expand":
            details = E.DETAILS(E.CLASS("macro macro-expand"), E.SUMMARY(params.get("title") or "Click here to expand..."))
            if body is not None:
                inner = E.DIV()
                self.children_into(body, inner)
                details.append(inner)
            return details
        if name == "details":
            label = "Page properties" + (f" ({params['id']})" if params.get("id") else "")
            box = self.box("details", label)
        elif name in _PANEL_NAMES:
            box = self.box(name, params.get("title") or name.capitalize())
        else:
            box = self.box(name, f"Macro: {name}")
            listed = {k: v for k, v in params.items() if k}
            if listed:
                items = E.DL(E.CLASS("macro-parameters"))
                for key, value in listed.items():
                    items.append(E.DT(key))
                    items.append(E.DD(value))
                box.append(items)
        if body is not None:
            inner = E.DIV(E.CLASS("macro-body"))
            self.children_into(body, inner)
            box.append(inner)
        elif plain is not None and plain.text:
            box.append(E.PRE(plain.text))
        return box

    def box(self, name: str, label: str) -> etree._Element:
        return E.DIV(E.CLASS(f"macro macro-{re.sub(r'[^a-z0-9-]', '', name.lower())}"),
                     E.DIV(E.CLASS("macro-label"), label))

    def jira(self, params: dict[str, str]) -> etree._Element:
        base = self.links.site_base.rstrip("/")
        key = params.get("key")
        if key:
            return E.A(E.CLASS("macro jira-issue"), key, href=f"{base}/browse/{quote(key, safe='-_.')}")
        jql = params.get("jqlQuery", "")
        box = self.box("jira", "Jira issues")
        box.append(E.A(jql or "(no query)", href=f"{base}/issues/?jql={quote(jql, safe='')}"))
        return box
