"""The review stage's lines of Debrief's review panel (``postmortem.review_panel``), from what
a page's state recorded: one line per gate, the findings (open, with ids to waive, and
waived), and the approvals, rejections and ignored commands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from postmortem.review.record import GATES_KEY, ReviewRecord
from postmortem.review.texts import lang_of, text


def _day(at: str) -> str:
    return at[:16].replace("T", " ") if at else "?"


def gate_lines(extra: Mapping[str, Any], language: str) -> list[tuple[str, bool | None]]:
    gates = extra.get(GATES_KEY)
    if not isinstance(gates, Mapping):
        return []
    lang = lang_of(language)
    out = []
    for gate, result in gates.items():
        if not isinstance(result, Mapping):
            continue
        label = text(lang, f"gate.{gate}") if f"gate.{gate}" in _keys(lang) else str(gate)
        out.append((f"{label}: {result.get('reason', '')}", bool(result.get("ok"))))
    return out


def _keys(lang: str) -> set[str]:
    from postmortem.review.texts import REVIEW_TEXTS  # noqa: PLC0415

    return set(REVIEW_TEXTS[lang])


def finding_lines(record: ReviewRecord, language: str) -> list[tuple[str, bool | None]]:
    lang = lang_of(language)
    out = []
    for f in record.findings:
        if f.get("waived_by"):
            out.append((text(lang, "finding.waived", id=f.get("id", ""), name=f.get("waived_by", ""),
                             reason=f.get("waived_reason", "")), True))
        else:
            out.append((text(lang, "finding.line", id=f.get("id", ""), check=f.get("check", ""),
                             kind=f.get("kind", ""), section=f.get("section", ""), text=f.get("text", ""),
                             message=f.get("message", "")), False))
    return out


def approval_lines(record: ReviewRecord, language: str) -> list[tuple[str, bool | None]]:
    """One line per approval: counted, or why it no longer counts (a later rejection, or the page
    changed since). Which counted is what the gates decided on their last run
    (``record.counted``); a record from before that was kept falls back to the content hash."""
    lang = lang_of(language)
    out: list[tuple[str, bool | None]] = []
    for act in record.approvals:
        current = act.comment in record.counted if record.counted is not None else act.content == record.content
        if current:
            key = "approval.line"
        elif any(r.after(act) for r in record.rejections):
            key = "approval.superseded"
        else:
            key = "approval.stale"
        out.append((text(lang, key, name=act.name or act.by, when=_day(act.at)), True if current else None))
    out += [(text(lang, "rejection.line", name=r.name or r.by, when=_day(r.at), reason=r.reason), False)
            for r in record.rejections]
    out += [(i.why, False) for i in record.ignored]
    return out
