"""The postmortem page read back from Confluence storage format, and splice edits to it.

    from postmortem.page import parse_page, apply_edits
    page = parse_page(body)
    edit = page.replace_cell(page.action_items.rows[0].cells["ticket"], xml)
    new_body = apply_edits(page.body, [edit])

Pure: no I/O. See ``postmortem.page.model`` for what is read, ``postmortem.page.markers``
for how Debrief marks its own parts.
"""

from postmortem.page.cells import Cell, Mention, plain_text
from postmortem.page.edits import Edit, EditConflict, Span, apply_edits
from postmortem.page.model import (
    ActionRow,
    ActionTable,
    Page,
    PageProblem,
    Property,
    Region,
    Section,
    Table,
    Task,
    parse_page,
    region_xml,
)
from postmortem.storage_format import StorageFormatError

__all__ = ["ActionRow", "ActionTable", "Cell", "Edit", "EditConflict", "Mention", "Page", "PageProblem",
           "Property", "Region", "Section", "Span", "StorageFormatError", "Table", "Task", "apply_edits", "parse_page",
           "plain_text", "region_xml"]
