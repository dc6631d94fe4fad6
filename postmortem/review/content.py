"""The content a reviewer approves, as a hash: the sections' text people wrote, without the
parts Debrief itself writes (Page Properties, the review panel, the action-item ticket and
status cells) and without the review checklist (ticking a task is not an edit of the content).
A later change of any of it is another hash, so an approval is for what was read."""

from __future__ import annotations

import hashlib
import json

from postmortem.page import Page
from postmortem.page.vocabulary import SECTION_KEYS

_NOT_CONTENT = ("action_items", "review_checklist")
_ROW_COLUMNS = ("action", "type", "owner", "due", "priority")


def _norm(text: str) -> str:
    return " ".join(text.split())


def content_hash(page: Page) -> str:
    parts: dict[str, object] = {key: _norm(page.sections[key].text) for key in SECTION_KEYS
                                if key in page.sections and key not in _NOT_CONTENT}
    rows = []
    table = page.action_items
    for row in table.rows if table is not None else ():
        if row.is_placeholder or not row.has_action:
            continue
        cells = []
        for column in _ROW_COLUMNS:
            cell = row.cells.get(column)
            if cell is None:
                cells.append("")
                continue
            refs = [f"{m.kind}:{m.id}" for m in cell.mentions] + list(cell.dates)
            cells.append(_norm(cell.text) + ("|" + ",".join(refs) if refs else ""))
        rows.append(cells)
    parts["action_rows"] = rows
    raw = json.dumps(parts, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]
