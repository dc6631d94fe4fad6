"""The action-item table's rows as Debrief reads them: which count, and each row's identity.

A row counts once its action cell has text (the template's example row, only editor guidance,
does not). A row's identity (``row_id``) is what its ticket is claimed and labelled by, before
the ticket cell holds a key: the row's ``ac:local-id`` where the editor gave it one, else its
action text (with a repeat number for identical texts). ``ids`` lists both where both exist,
so a row keeps its claim when the editor adds a local id to a row typed without one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from postmortem.action_items.values import text_of, ticket_key
from postmortem.page import ActionRow, ActionTable, Cell


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ItemRow:
    number: int  # 1-based, below the header
    row_id: str
    ids: tuple[str, ...]
    action: str
    source: ActionRow

    def cell(self, column: str) -> Cell | None:
        return self.source.cells.get(column)

    def text(self, column: str) -> str:
        return text_of(self.cell(column))

    @property
    def ticket_key(self) -> str | None:
        return ticket_key(self.cell("ticket"))


def item_rows(table: ActionTable, page_id: str) -> list[ItemRow]:
    """The rows that count, in table order."""
    out: list[ItemRow] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        if row.is_placeholder or not row.has_action:
            continue
        action = text_of(row.cells.get("action"))
        folded = " ".join(action.casefold().split())
        seen[folded] = seen.get(folded, 0) + 1
        by_text = _digest(page_id, "text", folded, str(seen[folded]))
        ids = (_digest(page_id, "local", row.local_id), by_text) if row.local_id else (by_text,)
        out.append(ItemRow(row.index + 1, ids[0], ids, action, row))
    return out
