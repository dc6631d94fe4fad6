"""The review gates: each a pure function of a ``ReviewContext`` (the page as the page model
read it, the incident, the clock, and what the review recorded) returning a ``GateResult``
with a reason a person can act on, in English and Korean.

``GATES`` maps each gate name (app.yaml ``review.gates``) to its function; ``CONTENT_GATES``
are the ones a draft must pass to go to review (all but ``results_shared``, which follows the
approval, and ``approved`` itself).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from postmortem.action_items.plan import reason_text
from postmortem.action_items.record import ItemsState
from postmortem.incident import Incident
from postmortem.messages import MESSAGES, message
from postmortem.page import Page, Section
from postmortem.page.vocabulary import heading_texts, normalise
from postmortem.page_state import PageState
from postmortem.priorities import item_type_of
from postmortem.review.content import content_hash
from postmortem.review.record import Act, ReviewRecord
from postmortem.review.texts import REVIEW_TEXTS, text
from postmortem.wording import Finding, PrivacyPolicy, check_page_text

LANGS = tuple(REVIEW_TEXTS)
NOT_CHECKED = ("review_checklist",)  # sections the wording check skips


@dataclass(frozen=True)
class ReviewSettings:
    """What app.yaml says that the gates need."""

    reviewers: tuple[str, ...] = ()
    required_approvals: int = 1
    approval_survives_edits: bool = False
    share_email: tuple[str, ...] = ()
    create_mode: str = "on_edit"  # action_items.create
    privacy: PrivacyPolicy = field(default_factory=PrivacyPolicy)


@dataclass(frozen=True)
class ReviewContext:
    page: Page
    incident: Incident
    now: datetime
    state: PageState
    settings: ReviewSettings = field(default_factory=ReviewSettings)
    drafted_timeline: tuple[tuple[str, ...], ...] = ()  # the timeline rows Debrief drew from Jira
    record: ReviewRecord = field(default_factory=ReviewRecord)
    found: tuple[Finding, ...] | None = None  # the checker's findings, when already run (page_findings)

    @cached_property
    def findings(self) -> tuple[Finding, ...]:
        return self.found if self.found is not None else page_findings(self.page, self.settings.privacy)

    @cached_property
    def open_findings(self) -> tuple[Finding, ...]:
        waived = {w.finding for w in self.record.waivers}
        return tuple(f for f in self.findings if f.id not in waived)

    @cached_property
    def content(self) -> str:
        return content_hash(self.page)

    def task(self, gate: str):
        return next((t for t in self.page.checklist if t.gate == gate), None)


def page_findings(page: Page, privacy: PrivacyPolicy | None = None) -> tuple[Finding, ...]:
    """The wording checker's findings in the page's sections (the checklist is not checked)."""
    sections = {k: s.text for k, s in page.sections.items() if k not in NOT_CHECKED}
    return tuple(check_page_text(sections, privacy))


Values = Mapping[str, object]


@dataclass(frozen=True)
class GateResult:
    gate: str
    ok: bool
    parts: tuple[tuple[str, Values], ...]  # (text key, values); a value may be {lang: value}

    def reason(self, language: str) -> str:
        lang = language if language in LANGS else "en"
        out = []
        for key, values in self.parts:
            filled = {k: (v.get(lang, v.get("en")) if isinstance(v, Mapping) else v) for k, v in values.items()}
            out.append(text(lang, key, **filled))
        return " ".join(out)

    def as_dict(self, language: str) -> dict:
        return {"ok": self.ok, "reason": self.reason(language)}


def _result(gate: str, ok: bool, *parts: tuple[str, Values]) -> GateResult:
    return GateResult(gate, ok, tuple(parts))


def _by_lang(key: str, **values) -> dict[str, str]:
    return {lang: message(lang, key, **values) for lang in LANGS}


def _missing_section(gate: str, key: str) -> GateResult:
    return _result(gate, False, ("section.missing", {"heading": dict(zip(LANGS, heading_texts(key), strict=False))}))


def _section(ctx: ReviewContext, key: str) -> Section | None:
    return ctx.page.sections.get(key)


def _words(text_: str) -> list[str]:
    return re.findall(r"\w+", text_)


# --- data_collected -------------------------------------------------------------------------
_LINKS = re.compile(r"<a\s[^>]*href=|<ri:url\b|<ri:attachment\b|<ac:image\b", re.IGNORECASE)
_UNKNOWN = {normalise(MESSAGES[lang]["value.unknown"]) for lang in LANGS}
_TIME_PROPS = (("started", "start"), ("detected", "detected"), ("mitigated", "mitigated"))


def _row_key(row: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalise(c) for c in row)


def data_collected(ctx: ReviewContext) -> GateResult:
    gate = "data_collected"
    drafted = {_row_key(r) for r in ctx.drafted_timeline}
    added = [r for r in ctx.page.timeline_rows if any(c.strip() for c in r) and _row_key(r) not in drafted]
    supporting = _section(ctx, "supporting")
    linked = bool(supporting and _LINKS.search(supporting.xml))
    missing = []
    for prop, attr in _TIME_PROPS:
        cell = ctx.page.properties.get(prop)
        typed = cell is not None and normalise(cell.cell.text) not in _UNKNOWN | {""}
        if getattr(ctx.incident, attr) is None and not typed:
            missing.append(prop)
    parts: list[tuple[str, Values]] = []
    if not added and not linked:
        if "timeline" not in ctx.page.sections and supporting is None:
            return _missing_section(gate, "timeline")
        parts.append(("data_collected.no_data", {}))
    if missing:
        names = {lang: ", ".join(message(lang, f"timeline.{m}", what="") .strip() for m in missing)
                 for lang in LANGS}
        parts.append(("data_collected.times", {"missing": names}))
    return _result(gate, not parts, *(parts or [("data_collected.ok", {})]))


# --- impact_assessed ------------------------------------------------------------------------
_NUMBER = re.compile(r"\d")
_SHARE_OR_MONEY = re.compile(r"\d\s*(%|percent|퍼센트|프로)|[$₩€£¥]\s?\d|\d[\d,.]*\s*(usd|krw|eur|원|달러|만\s*원|억)",
                             re.IGNORECASE)
_COUNTED = re.compile(
    r"\b(users?|customers?|requests?|orders?|transactions?|payments?|calls?|sessions?|accounts?|errors?|"
    r"queries|messages?|jobs?|merchants?|visitors?|people|devices?|tenants?|logins?|checkouts?|revenue|"
    r"sales|refunds?|tickets?)\b|명|건|회|고객|사용자|요청|주문|결제|매출|거래|세션|계정", re.IGNORECASE)


def _prefilled_impact(section: Section) -> str:
    """The impact section's text without the line Debrief prefilled (the duration)."""
    xml = section.xml
    for lang in LANGS:
        label = re.escape(MESSAGES[lang]["label.impact_duration"])
        xml = re.sub(rf"<li>\s*(?:<p[^>]*>)?\s*<strong>\s*{label}\s*</strong>.*?</li>", "", xml, flags=re.DOTALL)
    from postmortem.page import plain_text  # noqa: PLC0415

    return plain_text(xml)


def impact_assessed(ctx: ReviewContext) -> GateResult:
    gate = "impact_assessed"
    section = _section(ctx, "impact")
    if section is None:
        return _missing_section(gate, "impact")
    written = _prefilled_impact(section)
    if len(_words(written)) < 3:
        return _result(gate, False, ("impact_assessed.empty", {}))
    quantified = bool(_SHARE_OR_MONEY.search(written)) or (bool(_NUMBER.search(written))
                                                           and bool(_COUNTED.search(written)))
    if not quantified:
        return _result(gate, False, ("impact_assessed.no_number", {}))
    return _result(gate, True, ("impact_assessed.ok", {}))


# --- root_cause -----------------------------------------------------------------------------
_BLAMING = ("culprit", "human_error", "judgement")
_USER_LINK = re.compile(r'<ri:user\s[^>]*ri:(?:account-id|userkey|username)="([^"]*)"', re.IGNORECASE)


def _task_text(gate: str) -> dict[str, str]:
    return {lang: MESSAGES[lang][f"check.{gate}"] for lang in LANGS}


def root_cause(ctx: ReviewContext) -> GateResult:
    gate = "root_cause"
    section = _section(ctx, "root_causes")
    if section is None:
        return _missing_section(gate, "root_causes")
    if len(_words(section.text)) < 3:
        return _result(gate, False, ("root_cause.empty", {}))
    parts: list[tuple[str, Values]] = []
    people = _USER_LINK.findall(section.xml)
    if people:
        parts.append(("root_cause.person", {"who": ", ".join(dict.fromkeys(people))}))
    blame = [f for f in ctx.open_findings if f.section == "root_causes" and f.check == "blame"
             and f.kind in _BLAMING]
    if blame:
        parts.append(("root_cause.blame", {"words": "\", \"".join(dict.fromkeys(f.text for f in blame))}))
    task = ctx.task(gate)
    if task is None:
        parts.append(("root_cause.no_task", {}))
    elif not task.complete:
        parts.append(("root_cause.unticked", {"task": _task_text(gate)}))
    return _result(gate, not parts, *(parts or [("root_cause.ok", {})]))


# --- action_plan ----------------------------------------------------------------------------
def action_plan(ctx: ReviewContext) -> GateResult:
    gate = "action_plan"
    table = ctx.page.action_items
    if table is None:
        if "action_items" not in ctx.page.sections:
            return _missing_section(gate, "action_items")
        return _result(gate, False, ("action_plan.no_table", {"detail": "no action-item table"}))
    blocking = [p for p in table.problems if p.code in ("merged_cells", "missing_column")]
    if blocking:
        return _result(gate, False, ("action_plan.no_table", {"detail": "; ".join(p.detail for p in blocking)}))
    items = ItemsState.of(ctx.state.extra)
    waiting = {w.row for w in items.waiting} if ctx.settings.create_mode == "on_approval" else set()
    problems = {p.row: p for p in items.problems}
    flags = {f.row: f for f in items.flags}
    rows = [r for r in table.rows if not r.is_placeholder and r.has_action]
    if not rows:
        return _result(gate, False, ("action_plan.none", {}))
    lines: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for row in rows:
        number = row.index + 1
        action = row.cells["action"].text
        whats: dict[str, list[str]] = {lang: [] for lang in LANGS}

        def lack(column: str, whats=whats) -> None:
            for lang in LANGS:
                whats[lang].append(text(lang, "action_plan.missing", what=message(lang, f"column.{column}")))

        owner, kind, due = row.cells.get("owner"), row.cells.get("type"), row.cells.get("due")
        if owner is None or not (owner.mentions or owner.text.strip()):
            lack("owner")
        if kind is None or item_type_of(kind.text) is None:
            lack("type")
        ticket = row.cells.get("ticket")
        tracked = [items.record(k) for k in (ticket.jira_keys if ticket else ())]
        if (due is None or not (due.dates or due.text.strip())) and not any(r and r.jira.get("due") for r in tracked) \
                and number not in waiting:
            lack("due")  # a ticket Debrief made (or makes on approval) has the matrix's due date: that counts
        if not (ticket and ticket.jira_keys) and number not in waiting:
            problem = problems.get(number)
            for lang in LANGS:
                if problem is not None:
                    why = "; ".join(reason_text(c, v, lang) for c, v in problem.reasons)
                    whats[lang].append(text(lang, "action_plan.unticketed", why=why))
                else:
                    whats[lang].append(text(lang, "action_plan.missing", what=message(lang, "column.ticket")))
        flag = flags.get(number)
        if flag is not None and not any(c.text.strip() for c in row.extra.values()):
            for lang in LANGS:
                whats[lang].append(text(lang, "action_plan.priority", typed=flag.typed, matrix=flag.matrix,
                                        type=flag.item_type, severity=flag.severity or "?"))
        if whats["en"]:
            for lang in LANGS:
                lines[lang].append(text(lang, "action_plan.row", row=number, action=action,
                                        what=", ".join(whats[lang])))
    if lines["en"]:
        return _result(gate, False, ("action_plan.rows", {"rows": {lang: "; ".join(v) for lang, v in lines.items()}}))
    return _result(gate, True, ("action_plan.ok", {"count": len(rows)}))


# --- results_shared -------------------------------------------------------------------------
def results_shared(ctx: ReviewContext) -> GateResult:
    gate = "results_shared"
    shared = ctx.record.shared
    if shared.get("at"):
        return _result(gate, True, ("results_shared.sent", {"to": ", ".join(shared.get("to") or ()),
                                                            "when": str(shared["at"])[:16].replace("T", " ")}))
    task = ctx.task(gate)
    if task is not None and task.complete:
        return _result(gate, True, ("results_shared.ticked", {}))
    if ctx.settings.share_email:
        return _result(gate, False, ("results_shared.waiting", {"to": ", ".join(ctx.settings.share_email)}))
    return _result(gate, False, ("results_shared.no_list", {"task": _task_text(gate)}))


# --- blameless, no_personal_data -------------------------------------------------------------
def _findings_gate(gate: str, check: str) -> Callable[[ReviewContext], GateResult]:
    def judge(ctx: ReviewContext) -> GateResult:
        open_ = [f for f in ctx.open_findings if f.check == check]
        if open_:
            ids = ", ".join(dict.fromkeys(f.id for f in open_))
            return _result(gate, False, ("findings.open", {"count": len(open_), "ids": ids}))
        return _result(gate, True, ("findings.ok", {}))
    judge.__name__ = gate
    judge.__doc__ = f"No open {check} finding of the wording checker (a reviewer may waive one)."
    return judge


blameless = _findings_gate("blameless", "blame")
no_personal_data = _findings_gate("no_personal_data", "pii")


# --- approved -------------------------------------------------------------------------------
def counting_approvals(ctx: ReviewContext) -> list[Act]:
    """The approvals that count now, one per reviewer: after the last rejection, and for this
    content (or any, with ``approval_survives_edits``). The panel says why the others do not
    (``panel_lines.approval_lines``, from ``ReviewRecord.counted``)."""
    last_rejection: Act | None = None
    for rejection in ctx.record.rejections:
        if last_rejection is None or rejection.after(last_rejection):
            last_rejection = rejection
    current: dict[str, Act] = {}
    for act in ctx.record.approvals:
        if last_rejection is not None and not act.after(last_rejection):
            continue
        if ctx.settings.approval_survives_edits or act.content == ctx.content:
            current[act.by] = act
    return list(current.values())


def approved(ctx: ReviewContext) -> GateResult:
    gate = "approved"
    if not ctx.settings.reviewers:
        return _result(gate, False, ("approved.no_reviewers", {}))
    current = counting_approvals(ctx)
    need = ctx.settings.required_approvals
    if len(current) >= need:
        return _result(gate, True, ("approved.ok", {"names": ", ".join(a.name or a.by for a in current)}))
    return _result(gate, False, ("approved.waiting", {"have": len(current), "need": need,
                                                      "reviewers": ", ".join(ctx.settings.reviewers)}))


GATES: dict[str, Callable[[ReviewContext], GateResult]] = {
    "data_collected": data_collected,
    "impact_assessed": impact_assessed,
    "root_cause": root_cause,
    "action_plan": action_plan,
    "results_shared": results_shared,
    "blameless": blameless,
    "no_personal_data": no_personal_data,
    "approved": approved,
}
AFTER_APPROVAL = ("results_shared", "approved")
CONTENT_GATES = tuple(g for g in GATES if g not in AFTER_APPROVAL)


def run_gates(ctx: ReviewContext, names: tuple[str, ...] | list[str]) -> tuple[GateResult, ...]:
    """The configured gates, in their configured order (unknown names are skipped: the
    settings' schema refuses them)."""
    return tuple(GATES[name](ctx) for name in names if name in GATES)
