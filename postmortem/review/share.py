"""The e-mail that shares an approved postmortem: title, summary, impact, action items and the
link, as plain text in the page's language. Pure: ``connector/mail.py`` sends it."""

from __future__ import annotations

from dataclasses import dataclass

from postmortem.page import Page
from postmortem.review.texts import lang_of, text


@dataclass(frozen=True)
class Mail:
    to: tuple[str, ...]
    subject: str
    body: str


def share_mail(page: Page, *, title: str, url: str, to: tuple[str, ...], approved_by: list[str],
               language: str) -> Mail:
    lang = lang_of(language)
    section = lambda key: " ".join(page.sections[key].text.split()) if key in page.sections else ""  # noqa: E731
    rows = []
    table = page.action_items
    for row in table.rows if table is not None else ():
        if row.is_placeholder or not row.has_action:
            continue
        get = lambda c, row=row: " ".join(row.cells[c].text.split()) if c in row.cells else ""  # noqa: E731
        keys = ", ".join(row.cells["ticket"].jira_keys) if "ticket" in row.cells else ""
        extras = ", ".join(x for x in (get("type"), get("owner"), get("due"), get("priority"), keys) if x)
        rows.append(f"- {get('action')}" + (f" ({extras})" if extras else ""))
    parts = [title, "", f"{text(lang, 'mail.summary')}:", section("summary"), "",
             f"{text(lang, 'mail.impact')}:", section("impact"), "",
             f"{text(lang, 'mail.actions')}:", *(rows or ["-"]), "",
             f"{text(lang, 'mail.link')}: {url}"]
    if approved_by:
        parts += ["", text(lang, "mail.approved_by", names=", ".join(approved_by))]
    return Mail(tuple(to), text(lang, "mail.subject", title=title), "\n".join(parts) + "\n")
