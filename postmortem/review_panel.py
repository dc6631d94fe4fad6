"""Debrief's review panel on a postmortem page: a pure renderer of its content.

The panel is a ``ReviewPanel`` value with one part per kind of news, each rendered by its own
function, in ``PARTS`` order. Every text a person wrote (an action, a key, a name) is escaped;
headings and sentences come from the message catalogue (``panel.*``) in the page's language.

Parts:
- ``gates``: one line per review gate (filled by the review stage);
- ``unticketed``: rows Debrief could not make a ticket from, with the reasons;
- ``unlisted``: tickets whose rows are gone from the table (the tickets are left alone);
- ``left``: cells a person changed since Debrief wrote them, left as they are;
- ``waiting``: complete rows waiting for approval before their tickets are made;
- ``findings`` and ``approvals`` (filled by the review stage).

A stage adds a part by adding a field and a ``(field, renderer)`` pair to ``PARTS``; the panel
of a page is built from its state by ``panel_for_state``, which each stage extends with its
own part, so a stage rewriting the panel keeps the others' parts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape

from postmortem.action_items.plan import reason_text
from postmortem.action_items.record import (
    CellNote,
    ItemsState,
    RowProblem,
    UnlistedTicket,
    WaitingRow,
)
from postmortem.messages import message
from postmortem.page_state import PageState


@dataclass(frozen=True)
class PanelLine:
    """A line of the review stage's parts: ``text`` (plain), ``ok`` for a gate (None: not judged)."""

    text: str
    ok: bool | None = None


@dataclass(frozen=True)
class ReviewPanel:
    gates: tuple[PanelLine, ...] = ()
    unticketed: tuple[RowProblem, ...] = ()
    unlisted: tuple[UnlistedTicket, ...] = ()
    left: tuple[CellNote, ...] = ()
    waiting: tuple[WaitingRow, ...] = ()
    findings: tuple[PanelLine, ...] = ()
    approvals: tuple[PanelLine, ...] = ()
    archive: tuple[PanelLine, ...] = ()  # why an approved page is not archived (the archive stage)


def _list(heading: str, items: list[str]) -> str:
    if not items:
        return ""
    lines = "".join(f"<li>{item}</li>" for item in items)
    return f"<p><strong>{escape(heading)}</strong></p><ul>{lines}</ul>"


def _mark(ok: bool | None) -> str:
    return {True: "\u2705 ", False: "\u274c "}.get(ok, "")  # type: ignore[arg-type]


def _gates(panel: ReviewPanel, lang: str) -> str:
    if not panel.gates:
        return f"<p>{escape(message(lang, 'review.not_run'))}</p>"
    return _list(message(lang, "panel.gates"), [escape(_mark(g.ok) + g.text) for g in panel.gates])


def _unticketed(panel: ReviewPanel, lang: str) -> str:
    return _list(message(lang, "panel.unticketed"), [
        escape(message(lang, "panel.unticketed_line", row=p.row, action=p.action,
                       reason="; ".join(reason_text(code, value, lang) for code, value in p.reasons)))
        for p in panel.unticketed])


def _unlisted(panel: ReviewPanel, lang: str) -> str:
    return _list(message(lang, "panel.unlisted"), [
        escape(message(lang, "panel.unlisted_line", key=u.key, action=u.action)) for u in panel.unlisted])


def _left(panel: ReviewPanel, lang: str) -> str:
    return _list(message(lang, "panel.left"), [
        escape(message(lang, "panel.left_line", row=n.row, action=n.action,
                       column=message(lang, f"column.{n.column}"), value=n.value)) for n in panel.left])


def _waiting(panel: ReviewPanel, lang: str) -> str:
    return _list(message(lang, "panel.waiting"), [
        escape(message(lang, "panel.waiting_line", row=w.row, action=w.action)) for w in panel.waiting])


def _lines(name: str) -> Callable[[ReviewPanel, str], str]:
    def render(panel: ReviewPanel, lang: str) -> str:
        return _list(message(lang, f"panel.{name}"), [escape(_mark(x.ok) + x.text) for x in getattr(panel, name)])
    return render


PARTS: tuple[tuple[str, Callable[[ReviewPanel, str], str]], ...] = (
    ("gates", _gates),
    ("unticketed", _unticketed),
    ("unlisted", _unlisted),
    ("left", _left),
    ("waiting", _waiting),
    ("findings", _lines("findings")),
    ("approvals", _lines("approvals")),
    ("archive", _lines("archive")),
)


def render_panel(panel: ReviewPanel, language: str) -> str:
    """The panel's content as storage format (without the region's anchor, which the page
    model writes)."""
    lang = language if language in ("en", "ko") else "en"
    return "".join(render(panel, lang) for _, render in PARTS)


def with_action_items(panel: ReviewPanel, items: ItemsState) -> ReviewPanel:
    """``panel`` with the action-item parts of the last action-item run."""
    return replace(panel, unticketed=items.problems, unlisted=items.unlisted, left=items.left,
                   waiting=items.waiting)


def panel_for_state(state: PageState) -> ReviewPanel:
    """The panel a page's state calls for: every stage's part, from what it recorded."""
    return with_archive(with_review(with_action_items(ReviewPanel(), ItemsState.of(state.extra)), state), state)


def with_review(panel: ReviewPanel, state: PageState) -> ReviewPanel:
    """``panel`` with the review stage's parts: gate lines, findings, approvals."""
    from postmortem.review.panel_lines import approval_lines, finding_lines, gate_lines  # noqa: PLC0415
    from postmortem.review.record import ReviewRecord  # noqa: PLC0415

    record = ReviewRecord.of(state.extra)
    language = record.language or state.language or "en"
    lines = lambda pairs: tuple(PanelLine(t, ok) for t, ok in pairs)  # noqa: E731
    return replace(panel, gates=lines(gate_lines(state.extra, language)),
                   findings=lines(finding_lines(record, language)), approvals=lines(approval_lines(record, language)))


def with_archive(panel: ReviewPanel, state: PageState) -> ReviewPanel:
    """``panel`` with why the archive holds the page (``extra.archive.held``), if it does."""
    record = state.extra.get("archive")
    held = record.get("held") if hasattr(record, "get") else None
    return replace(panel, archive=(PanelLine(str(held), False),) if held else ())
