"""Reading values out of Jira's JSON: dates, people, option fields. Pure helpers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from postmortem.incident import Person

_JIRA_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_datetime(value: Any) -> datetime | None:
    """Parse Jira's timestamps ("2026-11-25T10:15:30.123+0000", ISO 8601, epoch ms).

    Returns an aware datetime, or None for empty values. Raises ValueError for text
    that is not a date, so a wrong field mapping is reported rather than ignored.
    """
    if value in (None, ""):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):  # 1e300, 10**30, inf, nan
            raise ValueError(f"not a date: {value!r}") from None
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = _JIRA_OFFSET.sub(r"\1:\2", value.strip())
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def person(value: Any) -> Person | None:
    """A Jira user object (Cloud accountId, or DC name/key) as a Person."""
    if not isinstance(value, dict):
        return None
    ident = value.get("accountId") or value.get("key") or value.get("name")
    if not ident:
        return None
    return Person(
        account_id=str(ident),
        display_name=str(value.get("displayName") or value.get("name") or ident),
        email=value.get("emailAddress") if value.get("emailAddress") not in (None, "?") else None,
        username=str(value.get("name") or ""),
    )


def text_of(value: Any) -> str | None:
    """A field value as plain text: option value, named object, list joined, ADF flattened."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        parts = [text_of(v) for v in value]
        joined = ", ".join(p for p in parts if p)
        return joined or None
    if isinstance(value, dict):
        if value.get("type") == "doc":
            return adf_text(value)
        for key in ("value", "name", "displayName", "key"):
            if value.get(key) not in (None, ""):
                return str(value[key])
    return None


def adf_text(node: Any) -> str:
    """Flatten an Atlassian Document Format node to plain text, paragraphs on their own lines."""
    if isinstance(node, list):
        return "".join(adf_text(n) for n in node)
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("type") == "hardBreak":
        return "\n"
    inner = adf_text(node.get("content", []))
    if node.get("type") in ("paragraph", "heading", "listItem", "codeBlock", "blockquote"):
        return inner + "\n"
    return inner


def body_text(value: Any) -> str:
    """A description or comment body: wiki-markup string (v2, webhooks) or ADF (v3)."""
    if isinstance(value, dict):
        return adf_text(value).strip()
    return str(value or "").strip()
