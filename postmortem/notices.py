"""Messages Debrief posts for people in Jira (texts in ``postmortem.messages``)."""

from __future__ import annotations

from postmortem.messages import LANGUAGES, message


def _wiki_text(text: str) -> str:
    """Keep Jira wiki markup characters in titles from turning into markup."""
    return "".join("\\" + ch if ch in "[]|{}*_+^~-!#" else ch for ch in text)


def draft_comment(language: str, *, title: str, url: str, reasons: list[str]) -> str:
    """The comment left on the incident when its postmortem draft is created."""
    lang = language if language in LANGUAGES else "en"
    because = "; ".join(reasons) if reasons else message(lang, "jira.requested")
    return message(lang, "jira.draft_comment", title=_wiki_text(title), url=url, reasons=because)
