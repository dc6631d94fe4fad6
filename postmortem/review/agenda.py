"""The review agenda: a page in the drafts space listing every open postmortem, oldest first,
with its age, owner, failing gates and next reminder. Pure rendering; user text is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from postmortem.review.texts import lang_of, text


@dataclass(frozen=True)
class AgendaEntry:
    title: str
    space: str
    created: str  # ISO 8601 (sort key)
    status: str
    age_days: int
    owner: str
    failing: tuple[str, ...]
    next_reminder: str  # a local date, or ""


def agenda_title(configured: str | None, language: str) -> str:
    return configured or text(lang_of(language), "agenda.title")


def _page_link(title: str, space: str) -> str:
    return (f'<ac:link><ri:page ri:content-title="{escape(title, {chr(34): "&quot;"})}" '
            f'ri:space-key="{escape(space, {chr(34): "&quot;"})}" /></ac:link>')


def render_agenda(entries: Sequence[AgendaEntry], language: str) -> str:
    lang = lang_of(language)
    out = [f"<p>{escape(text(lang, 'agenda.intro'))}</p>"]
    if not entries:
        out.append(f"<p>{escape(text(lang, 'agenda.none'))}</p>")
        return "".join(out)
    heads = ("postmortem", "status", "age", "owner", "failing", "next")
    out.append("<table><tbody><tr>" + "".join(f"<th>{escape(text(lang, f'agenda.{h}'))}</th>" for h in heads)
               + "</tr>")
    for e in sorted(entries, key=lambda e: (e.created, e.title)):
        gates = ", ".join(text(lang, f"gate.{g}") for g in e.failing)
        cells = (_page_link(e.title, e.space), escape(e.status.upper().replace("-", " ")), str(e.age_days),
                 escape(e.owner or text(lang, "agenda.no_owner")), escape(gates),
                 escape(e.next_reminder or text(lang, "agenda.no_reminder")))
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)
