"""The words by which the page model recognises a postmortem page's parts, in every language
of the message catalogue: section headings, action-item column headers, Page Properties
keys and review-gate texts. Texts are compared after ``normalise``."""

from __future__ import annotations

import re
from functools import cache

from postmortem.messages import LANGUAGES, MESSAGES

SECTION_KEYS = ("summary", "impact", "root_causes", "trigger", "resolution", "detection", "action_items",
                "lessons", "timeline", "supporting", "review_checklist")
COLUMN_KEYS = ("action", "type", "owner", "due", "priority", "ticket", "status")
PROPERTY_KEYS = ("incident", "severity", "service", "status", "started", "detected", "mitigated",
                 "resolved", "duration", "owner", "trigger")
# Property headers as the template writes them (English in every language) and Korean ones
# people may type instead.
_PROPERTY_ALIASES = {
    "incident": ("Incident", "장애", "인시던트"), "severity": ("Severity", "심각도"),
    "service": ("Service", "서비스"), "status": ("Status", "상태"), "started": ("Started", "시작"),
    "detected": ("Detected", "탐지"), "mitigated": ("Mitigated", "완화"), "resolved": ("Resolved", "해결"),
    "duration": ("Duration", "지속 시간"), "owner": ("Owner", "담당자"), "trigger": ("Trigger", "작성 기준"),
}

_TRIM = re.compile(r"^[\s:.\-–—]+|[\s:.\-–—]+$")


def normalise(text: str) -> str:
    """Case-folded, whitespace collapsed (no-break spaces too), surrounding punctuation cut."""
    return _TRIM.sub("", " ".join(text.replace("\u00a0", " ").split()).casefold())


def _by_text(prefix: str, keys: tuple[str, ...]) -> dict[str, str]:
    return {normalise(MESSAGES[lang][f"{prefix}.{key}"]): key for lang in LANGUAGES for key in keys}


@cache
def headings() -> dict[str, str]:
    """Normalised heading text -> section key."""
    return _by_text("heading", SECTION_KEYS)


@cache
def columns() -> dict[str, str]:
    """Normalised header text -> action-item column key."""
    return _by_text("column", COLUMN_KEYS)


@cache
def property_keys() -> dict[str, str]:
    """Normalised Page Properties header -> property key."""
    return {normalise(alias): key for key, aliases in _PROPERTY_ALIASES.items() for alias in aliases}


@cache
def gate_texts() -> dict[str, str]:
    """Normalised review-gate text (``check.<gate>`` in any language) -> gate."""
    return {normalise(text): key.partition(".")[2] for lang in LANGUAGES
            for key, text in MESSAGES[lang].items() if key.startswith("check.")}


def heading_texts(key: str) -> list[str]:
    """A section's heading in every language, for messages."""
    return [MESSAGES[lang][f"heading.{key}"] for lang in LANGUAGES]


def language_of(key_texts: dict[str, str]) -> str | None:
    """The language whose headings match most of ``{section key: heading text}``."""
    scores = {lang: sum(normalise(MESSAGES[lang][f"heading.{k}"]) == normalise(t) for k, t in key_texts.items())
              for lang in LANGUAGES}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] else None
