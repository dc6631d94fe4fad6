"""Reading the values people write in the action-item table's cells, and the markup Debrief
writes back into the cells it owns. Pure; user text is always escaped."""

from __future__ import annotations

import re
from datetime import date
from xml.sax.saxutils import escape, quoteattr

from postmortem.messages import LANGUAGES, message
from postmortem.page import Cell, Mention

ISSUE_KEY = re.compile(r"(?<![A-Za-z0-9_-])([A-Z][A-Z0-9_]+-[1-9][0-9]*)(?![A-Za-z0-9_-])")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATUS_CATEGORIES = ("new", "indeterminate", "done")
_OPENING_P = re.compile(r"<p(?:\s[^>]*)?/?>")


def text_of(cell: Cell | None) -> str:
    """The cell's words on one line."""
    return " ".join(cell.text.split()) if cell is not None else ""


def ticket_key(cell: Cell | None) -> str | None:
    """The Jira key the ticket cell names: its Jira macro's, else a key typed or linked there."""
    if cell is None:
        return None
    if cell.jira_keys:
        return cell.jira_keys[0].strip().upper()
    found = ISSUE_KEY.search(cell.text) or ISSUE_KEY.search(re.sub(r"<[^>]*\bri:[^>]*>", "", cell.xml))
    return found.group(1) if found else None


def mention_ref(mention: Mention) -> str:
    """A mention as one string: ``account-id:5b10...``, ``userkey:ff80...``, ``username:jdoe``."""
    return f"{mention.kind}:{mention.id}"


def parse_due(cell: Cell | None) -> tuple[date | None, str]:
    """The due date a cell holds, and the raw text it came from. Raises ValueError (with the
    text) for a date that does not parse; an empty cell is ``(None, "")``."""
    if cell is None:
        return None, ""
    if cell.dates:
        raw = cell.dates[0].strip()
    else:
        raw = text_of(cell)
        if not raw:
            return None, ""
    if not ISO_DATE.match(raw):
        raise ValueError(raw)
    try:
        return date.fromisoformat(raw), raw
    except ValueError:
        raise ValueError(raw) from None


def status_category(value: object) -> str:
    """Jira's ``statusCategory.key`` as one of new / indeterminate / done (``undefined`` and
    anything unknown count as not started)."""
    return value if value in STATUS_CATEGORIES else "new"


def status_text(category: str, language: str) -> str:
    return message(language, f"items.status.{status_category(category)}")


def category_of_text(text: str) -> str | None:
    """The status category a status cell's text names, in any language, or None."""
    folded = " ".join(text.split()).casefold()
    for category in STATUS_CATEGORIES:
        if any(folded == message(lang, f"items.status.{category}").casefold() for lang in LANGUAGES):
            return category
    return None


# --- markup Debrief writes -----------------------------------------------------------------

def in_cell_style(cell: Cell, inner: str) -> str:
    """``inner`` wrapped the way the cell holds its content: in the cell's ``<p ...>`` when its
    content starts with one (the Cloud editor), bare otherwise (Data Center)."""
    opening = _OPENING_P.match(cell.xml.lstrip())
    if opening:
        tag = re.sub(r"\s*/>$", ">", opening.group(0))
        return f"{tag}{inner}</p>"
    return inner


def jira_macro(key: str) -> str:
    return ('<ac:structured-macro ac:name="jira" ac:schema-version="1">'
            f'<ac:parameter ac:name="key">{escape(key)}</ac:parameter></ac:structured-macro>')


def mention_markup(kind: str, ident: str) -> str:
    return f"<ac:link><ri:user ri:{kind}={quoteattr(ident)} /></ac:link>"


def date_markup(day: date) -> str:
    return f'<time datetime="{day.isoformat()}" />'
