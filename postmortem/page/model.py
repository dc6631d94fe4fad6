"""A postmortem page as people left it, read into the parts Debrief works with, and the
edits that change one of those parts and nothing else.

``parse_page(body)`` finds, in a storage-format body:

- the sections, by their headings (English or Korean, ``heading.*`` in the catalogue). A
  section runs from its heading to the next heading of the same or a higher level among its
  siblings. A missing or renamed heading is reported (``missing_section``), never guessed;
- the Page Properties (``details`` macro): one Property per row (``th``/``td``; a table with
  a header row and a value row works too), by normalised key or, for other rows, header text;
- the action-item table, by its header row (either language; extra columns are kept in
  ``extra`` and otherwise ignored). Merged cells make the rows unreadable: reported
  (``merged_cells``) and no rows are returned;
- the review checklist (tasks under the review-checklist heading), each with its gate;
- the regions Debrief owns (see ``postmortem.page.markers``), e.g. ``review``.

Edits (``replace_cell``, ``set_task``, ``replace_region`` ...) are splices of one span:
``apply_edits(page.body, edits)`` leaves every other character as it was.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from xml.sax.saxutils import escape

from postmortem.page import markers, vocabulary
from postmortem.page.cells import (
    MACROS,
    Cell,
    anchor_name,
    anchors_in,
    macro_name,
    macro_parameter,
    node_text,
    read_cell,
)
from postmortem.page.edits import Edit, Span
from postmortem.page.tree import Node, parse_tree
from postmortem.storage_format import check_storage

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_SELF_CLOSING = re.compile(r"\s*/>$")


@dataclass(frozen=True)
class PageProblem:
    """Something on the page Debrief cannot read as it expects; ``code`` is stable
    (``missing_section``, ``duplicate_section``, ``missing_properties``, ``duplicate_property``,
    ``missing_action_table``, ``missing_column``, ``duplicate_column``, ``merged_cells``,
    ``missing_region``, ``duplicate_region``, ``duplicate_gate``), ``detail`` says where."""

    code: str
    detail: str


@dataclass(frozen=True)
class Section:
    key: str
    heading: str  # the heading's text as written
    level: int
    span: Span  # heading and content
    content_span: Span
    xml: str  # the content's markup
    text: str  # the content's plain text


@dataclass(frozen=True)
class Property:
    key: str  # normalised (``severity``) or, for a row Debrief does not know, the header text
    header: str
    cell: Cell
    header_cell: Cell


@dataclass(frozen=True)
class ActionRow:
    index: int  # 0 = the first row after the header
    cells: Mapping[str, Cell]  # by column key
    local_id: str
    span: Span
    is_placeholder: bool  # only editor guidance: the template's example row, not an action yet
    has_action: bool  # the action cell has text
    extra: Mapping[str, Cell] = field(default_factory=dict)  # columns people added, by header text


@dataclass(frozen=True)
class ActionTable:
    span: Span
    columns: Mapping[str, int]  # column key -> cell index
    headers: tuple[str, ...]  # header texts as written
    rows: tuple[ActionRow, ...]
    problems: tuple[PageProblem, ...]


@dataclass(frozen=True)
class Task:
    gate: str | None
    task_id: str
    complete: bool
    text: str
    span: Span
    status_span: Span  # the status text (``complete``/``incomplete``)
    status_element: Span  # the whole ac:task-status element


@dataclass(frozen=True)
class Table:
    """Any table on the page: its rows of cells (rows of nested tables are their own)."""

    span: Span
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Region:
    name: str
    span: Span  # the whole macro
    inner: Span  # its rich-text body's content


def _mapping(d: dict) -> Mapping:
    return MappingProxyType(d)


@dataclass(frozen=True)
class Page:
    body: str
    problems: tuple[PageProblem, ...]
    sections: Mapping[str, Section]
    properties: Mapping[str, Property]
    action_items: ActionTable | None
    checklist: tuple[Task, ...]
    timeline_rows: tuple[tuple[str, ...], ...]
    regions: Mapping[str, Region]
    language: str | None  # of the headings found (``en``, ``ko``), None when none matched

    # --- edits -------------------------------------------------------------------------------
    def _edit(self, span: Span, xml: str) -> Edit:
        return Edit(span[0], span[1], xml, self.body[span[0]:span[1]])

    def replace_cell(self, cell: Cell, xml: str) -> Edit:
        """Replace a cell's content with ``xml`` (storage-format markup; escape user text
        first, or use ``replace_cell_text``). The cell's own tag and attributes are kept."""
        check_storage(xml)
        if not cell.empty:
            return self._edit(cell.inner, xml)
        opening = _SELF_CLOSING.sub(">", self.body[cell.span[0]:cell.span[1]])
        return self._edit(cell.span, f"{opening}{xml}</{cell.tag}>")

    def replace_cell_text(self, cell: Cell, text: str) -> Edit:
        """Replace a cell's content with plain ``text``, in a ``<p>`` when the cell's content
        starts with one (Cloud), keeping that paragraph's attributes."""
        escaped = escape(text)
        xml = cell.xml.lstrip()
        if xml.startswith("<p") and (opening := re.match(r"<p(?:\s[^>]*)?/?>", xml)):
            tag = _SELF_CLOSING.sub(">", opening.group(0))
            return self.replace_cell(cell, f"{tag}{escaped}</p>")
        return self.replace_cell(cell, escaped)

    def set_task(self, task: Task, complete: bool) -> Edit:
        status = "complete" if complete else "incomplete"
        if task.status_span == task.status_element:  # an empty <ac:task-status />
            return self._edit(task.status_element, f"<ac:task-status>{status}</ac:task-status>")
        return self._edit(task.status_span, status)

    def replace_property(self, key: str, xml: str) -> Edit:
        """Replace a Page Properties value cell's content (KeyError for an unknown key)."""
        return self.replace_cell(self.properties[key].cell, xml)

    def replace_region(self, name: str, xml: str) -> Edit:
        """Replace the content of Debrief's region ``name`` with ``xml``; the region's anchor
        is written first unless ``xml`` holds it, so the region stays recognisable."""
        region = self.regions[name]
        check_storage(xml)
        anchor = markers.region_anchor(name)
        if anchor not in {anchor_name(a) for a in anchors_in(parse_tree(xml))}:
            xml = f"<p>{markers.anchor_xml(anchor)}</p>{xml}"
        return self._edit(region.inner, xml)

    def insert_after_properties(self, xml: str) -> Edit:
        """Insert ``xml`` right after the Page Properties macro (or at the start of the page):
        where a missing region (``region_xml``) goes back."""
        check_storage(xml)
        at = self._properties_end
        return Edit(at, at, xml, "")

    def tasks(self) -> tuple[Task, ...]:
        """Every task on the page, in the checklist or not (nested ones too), in document order."""
        if self._root is None:
            return ()
        return tuple(read_task(n, self.body) for n in self._root.iter("ac:task"))

    def tables(self) -> tuple[Table, ...]:
        """Every table on the page, in document order (read on demand)."""
        if self._root is None:
            return ()
        return tuple(Table(t.span, tuple(tuple(read_cell(c, self.body) for c in _Reader.cells(tr))
                                         for tr in _Reader.rows(t)))
                     for t in self._root.iter("table"))

    _properties_end: int = field(default=0, repr=False, compare=False)
    _root: Node | None = field(default=None, repr=False, compare=False)


def region_xml(name: str, title: str, xml: str, macro: str = "info") -> str:
    """A new Debrief region: a panel macro holding the region's anchor and ``xml``."""
    return (f'<ac:structured-macro ac:name="{escape(macro)}" ac:schema-version="1">'
            f'<ac:parameter ac:name="title">{escape(title)}</ac:parameter><ac:rich-text-body>'
            f"<p>{markers.anchor_xml(markers.region_anchor(name))}</p>{xml}</ac:rich-text-body>"
            "</ac:structured-macro>")


# --- reading -------------------------------------------------------------------------------

def _own_text(node: Node | None) -> str:
    return "".join(c for c in node.content if isinstance(c, str)).strip() if node is not None else ""


def read_task(node: Node, body: str) -> Task:
    """An ``ac:task`` element as a Task; its gate from a ``debrief-gate-*`` anchor in its own
    body (not in nested tasks), else from its text."""
    task_body = node.first("ac:task-body")
    status = node.first("ac:task-status")
    own = frozenset({"ac:task-list"})
    text = node_text(task_body, own) if task_body is not None else ""
    gate = None
    if task_body is not None:
        gate = next((g for a in anchors_in(task_body, own) if (g := markers.gate_of(anchor_name(a)))), None)
    if gate is None:
        gate = vocabulary.gate_texts().get(vocabulary.normalise(text))
    if status is None:
        at = task_body.start if task_body is not None else node.open_end
        status_span = status_element = (at, at)
    else:
        status_element = status.span
        status_span = status.span if status.empty else status.inner
    return Task(gate, _own_text(node.first("ac:task-id")), _own_text(status) == "complete", text, node.span,
                status_span, status_element)


class _Reader:
    def __init__(self, body: str):
        self.body = body
        self.root = parse_tree(body)
        self.problems: list[PageProblem] = []
        self.nodes = list(self.root.iter())

    def problem(self, code: str, detail: str) -> None:
        self.problems.append(PageProblem(code, detail))

    def line(self, offset: int) -> int:
        return self.body.count("\n", 0, offset) + 1

    # sections
    def sections(self) -> dict[str, tuple[Section, Node]]:
        found: dict[str, tuple[Section, Node]] = {}
        for node in self.nodes:
            if node.tag not in _HEADINGS or any(a.tag in ("table", "h1", "h2", "h3", "h4", "h5", "h6")
                                                 for a in node.ancestors()):
                continue
            text = node_text(node)
            key = vocabulary.headings().get(vocabulary.normalise(text))
            if key is None:
                continue
            if key in found:
                self.problem("duplicate_section", f"a second {text!r} heading at line {self.line(node.start)}; "
                                                  "the first is used")
                continue
            level = int(node.tag[1])
            parent = node.parent or self.root
            siblings = parent.children
            end = parent.close_start
            for sibling in siblings[siblings.index(node) + 1:]:
                if sibling.tag in _HEADINGS and int(sibling.tag[1]) <= level:
                    end = sibling.start
                    break
            content = (node.end, end)
            holder = Node("", {}, node.end, node.end, end, end, content=[
                c for c in parent.content if not isinstance(c, Node) or node.end <= c.start < end])
            found[key] = (Section(key, text, level, (node.start, end), content, self.body[node.end:end],
                                  node_text(holder)), holder)
        for key in vocabulary.SECTION_KEYS:
            if key not in found:
                self.problem("missing_section", "no section headed " +
                             " / ".join(repr(t) for t in vocabulary.heading_texts(key)))
        return found

    # tables
    @staticmethod
    def rows(table: Node) -> list[Node]:
        return [tr for tr in table.iter("tr") if next(a for a in tr.ancestors() if a.tag == "table") is table]

    @staticmethod
    def cells(tr: Node) -> list[Node]:
        return [c for c in tr.children if c.tag in ("th", "td")]

    def in_span(self, node: Node, span: Span | None) -> bool:
        return span is None or span[0] <= node.start < span[1]

    def action_table(self, section: Section | None) -> ActionTable | None:
        best: tuple[Node, list[str]] | None = None
        for table in (n for n in self.nodes if n.tag == "table"):
            rows = self.rows(table)
            if not rows:
                continue
            keys = [vocabulary.columns().get(vocabulary.normalise(node_text(c)), "") for c in self.cells(rows[0])]
            if "action" not in keys or len(set(keys) - {""}) < 3:
                continue
            if best is None or (section and self.in_span(table, section.content_span)
                                and not self.in_span(best[0], section.content_span)):
                best = (table, keys)
        if best is None:
            self.problem("missing_action_table", "no table whose header row is the action-item columns "
                                                 "(Action item, Type, Owner ... / 액션 아이템, 유형, 담당자 ...)")
            return None
        table, keys = best
        problems: list[PageProblem] = []
        rows = self.rows(table)
        header = [read_cell(c, self.body) for c in self.cells(rows[0])]
        columns: dict[str, int] = {}
        for index, key in enumerate(keys):
            if key and key in columns:
                problems.append(PageProblem("duplicate_column", f"column {header[index].text!r} appears twice; "
                                                                "the first is used"))
            elif key:
                columns[key] = index
        for key in vocabulary.COLUMN_KEYS:
            if key not in columns:
                problems.append(PageProblem("missing_column", f"the action-item table has no {key!r} column"))
        merged = [c for tr in rows for c in self.cells(tr)
                  if c.attrs.get("colspan", "1").strip() not in ("1", "") or
                  c.attrs.get("rowspan", "1").strip() not in ("1", "")]
        out: list[ActionRow] = []
        if merged:
            problems.append(PageProblem("merged_cells", f"the action-item table has merged cells (line "
                                                        f"{self.line(merged[0].start)}): split them so each row "
                                                        "has one cell per column"))
        else:
            extra_headers = {i: h.text for i, h in enumerate(header) if not keys[i]}
            for index, tr in enumerate(rows[1:]):
                cells = [read_cell(c, self.body) for c in self.cells(tr)]
                by_key = {k: cells[i] for k, i in columns.items() if i < len(cells)}
                extra = {extra_headers[i]: cells[i] for i in extra_headers if i < len(cells)}
                action = by_key.get("action")
                placeholder = any(c.has_placeholder for c in cells) and not any(c.text for c in cells)
                out.append(ActionRow(index, _mapping(by_key), tr.attr("ac:local-id", "local-id"), tr.span,
                                     placeholder, bool(action and action.text), _mapping(extra)))
        self.problems.extend(problems)
        return ActionTable(table.span, _mapping(columns), tuple(h.text for h in header), tuple(out), tuple(problems))

    def timeline(self, section: Section | None) -> tuple[tuple[str, ...], ...]:
        if section is None:
            return ()
        table = next((n for n in self.nodes if n.tag == "table" and self.in_span(n, section.content_span)), None)
        if table is None:
            return ()
        return tuple(tuple(node_text(c) for c in self.cells(tr)) for tr in self.rows(table)[1:])

    # properties
    def properties(self) -> tuple[dict[str, Property], int]:
        details = [n for n in self.nodes if macro_name(n) == "details"]
        if not details:
            self.problem("missing_properties", "no Page Properties (details) macro")
            return {}, 0
        macro = next((d for d in details if (macro_parameter(d, "id") or "").strip() == "postmortem"), details[0])
        found: dict[str, Property] = {}
        for table in (n for n in macro.iter("table")):
            rows = [self.cells(tr) for tr in self.rows(table)]
            if len(rows) == 2 and len(rows[0]) > 2 and all(c.tag == "th" for c in rows[0]):
                pairs = list(zip(rows[0], rows[1], strict=False))  # a header row over one value row
            else:
                pairs = [(cells[0], cells[1]) for cells in rows if len(cells) >= 2]
            for head, value in pairs:
                header = node_text(head)
                key = vocabulary.property_keys().get(vocabulary.normalise(header), header)
                if key in found:
                    self.problem("duplicate_property", f"Page Properties has {header!r} twice; the first is used")
                    continue
                found[key] = Property(key, header, read_cell(value, self.body), read_cell(head, self.body))
        return found, macro.end

    # checklist
    def checklist(self, section: Section | None) -> tuple[Task, ...]:
        tasks: list[Task] = []
        seen: set[str] = set()
        for node in (n for n in self.nodes if n.tag == "ac:task"):
            if section is not None and not self.in_span(node, section.content_span):
                continue
            task = read_task(node, self.body)
            if section is None and task.gate is None:
                continue
            if task.gate is not None and task.gate in seen:
                self.problem("duplicate_gate", f"two review tasks for the gate {task.gate!r}; the first is used")
                task = dataclasses.replace(task, gate=None)
            if task.gate:
                seen.add(task.gate)
            tasks.append(task)
        return tuple(tasks)

    # regions
    def regions(self) -> dict[str, Region]:
        found: dict[str, Region] = {}
        for node in self.nodes:
            if macro_name(node) != "anchor" or not (name := markers.region_of(anchor_name(node))):
                continue
            holder = next((a for a in node.ancestors() if a.tag in MACROS and a.first("ac:rich-text-body")
                           and any(x is a.first("ac:rich-text-body") for x in node.ancestors())), None)
            if holder is None:
                continue
            if name in found:
                self.problem("duplicate_region", f"a second {markers.region_anchor(name)!r} panel at line "
                                                 f"{self.line(holder.start)}; the first is used")
                continue
            rich = holder.first("ac:rich-text-body")
            found[name] = Region(name, holder.span, rich.span if rich.empty else rich.inner)
        if markers.REVIEW_REGION not in found:
            self.problem("missing_region", f"no panel holding the {markers.region_anchor(markers.REVIEW_REGION)!r} "
                                           "anchor (Debrief's review panel)")
        return found


def parse_page(body: str) -> Page:
    """Read a storage-format body. Raises StorageFormatError only when it is not well-formed
    storage format; everything Debrief cannot find is in ``Page.problems``."""
    reader = _Reader(body)
    sections = reader.sections()
    section = {k: s for k, (s, _) in sections.items()}
    properties, properties_end = reader.properties()
    action_items = reader.action_table(section.get("action_items"))
    checklist = reader.checklist(section.get("review_checklist"))
    regions = reader.regions()
    page = Page(body=body, problems=tuple(reader.problems), sections=_mapping(section),
                properties=_mapping(properties), action_items=action_items, checklist=checklist,
                timeline_rows=reader.timeline(section.get("timeline")), regions=_mapping(regions),
                language=vocabulary.language_of({k: s.heading for k, s in section.items()}) if section else None,
                _properties_end=properties_end, _root=reader.root)
    return page
