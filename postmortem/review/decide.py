"""The review of one page, decided: comments read into the record, gates judged, the status
that follows, and the page's new state. Pure; ``jobs/review.py`` applies it.

Status: ``draft`` -> ``in-review`` (every content gate passes, waiting for approval) ->
``approved`` (and the approval gate passes) -> ``archived`` (set by the archive stage and
never changed here). A later edit that voids the approval takes it back to ``in-review``; a
``/reject`` back to ``draft``-or-``in-review`` as the gates say, with the approvals before it void.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from postmortem.page_state import PageState
from postmortem.review.commands import APPROVE, REJECT, WAIVE, PageComment, parse_command
from postmortem.review.gates import (
    CONTENT_GATES,
    GateResult,
    ReviewContext,
    counting_approvals,
    run_gates,
)
from postmortem.review.record import GATES_KEY, STATE_KEY, Act, Ignored, ReviewRecord
from postmortem.review.texts import lang_of, text

DRAFT, IN_REVIEW, APPROVED, ARCHIVED = "draft", "in-review", "approved", "archived"
LOZENGE = {DRAFT: "DRAFT", IN_REVIEW: "IN REVIEW", APPROVED: "APPROVED", ARCHIVED: "ARCHIVED"}


def reviewer_of(comment: PageComment, reviewers: Iterable[str]) -> str | None:
    """The configured reviewer who wrote ``comment`` (matched on any of their identities:
    account id on Cloud, username or user key on Data Center), or None."""
    wanted = {r.casefold(): r for r in reviewers}
    return next((wanted[i.casefold()] for i in comment.author_ids if i and i.casefold() in wanted), None)


def read_comments(record: ReviewRecord, comments: Sequence[PageComment], *, content: str,
                  reviewers: Sequence[str], finding_ids: Iterable[str], language: str) -> ReviewRecord:
    """The record with every comment not read before taken in, oldest first. An approval or
    rejection is bound to ``content``, the page's content when it is first read."""
    lang = lang_of(language)
    known = set(finding_ids)
    seen = list(record.seen)
    approvals, rejections = list(record.approvals), list(record.rejections)
    waivers, ignored = list(record.waivers), list(record.ignored)
    for comment in sorted(comments, key=lambda c: (c.created, c.id)):
        if comment.id in seen:
            continue
        seen.append(comment.id)
        command = parse_command(comment.text)
        if command is None:
            continue
        name = comment.author_name or (comment.author_ids[0] if comment.author_ids else "?")

        def ignore(why: str, comment=comment, name=name) -> None:
            ignored.append(Ignored(comment.id, name, text(lang, "command.ignored", name=name, why=why)))

        if command.problem == "unknown":
            ignore(text(lang, "command.unknown", command=command.word))
            continue
        reviewer = reviewer_of(comment, reviewers)
        if reviewer is None:
            ignore(text(lang, "command.not_reviewer", command=command.word))
            continue
        if command.problem == "needs_reason":
            ignore(text(lang, "command.needs_reason", command=command.word))
            continue
        if command.problem == "needs_id":
            ignore(text(lang, "command.needs_id"))
            continue
        act = Act(by=reviewer, name=name, comment=comment.id, at=comment.created, content=content,
                  reason=command.reason)
        if command.kind == APPROVE:
            approvals.append(act)
        elif command.kind == REJECT:
            rejections.append(act)
        elif command.kind == WAIVE:
            if command.finding not in known:
                ignore(text(lang, "command.unknown_finding", id=command.finding))
                continue
            waivers.append(replace(act, content="", finding=command.finding))
    return replace(record, approvals=tuple(approvals), rejections=tuple(rejections), waivers=tuple(waivers),
                   ignored=tuple(ignored), seen=tuple(seen))


@dataclass(frozen=True)
class ReviewOutcome:
    results: tuple[GateResult, ...]
    status: str
    record: ReviewRecord
    language: str

    @property
    def gates(self) -> dict[str, dict]:
        """What the ``debrief`` content property holds: {gate: {"ok", "reason"}}."""
        return {r.gate: r.as_dict(self.language) for r in self.results}

    @property
    def failing(self) -> list[str]:
        return [r.gate for r in self.results if not r.ok]

    @property
    def all_pass(self) -> bool:
        return not self.failing


def status_for(results: Sequence[GateResult], before: str) -> str:
    if before == ARCHIVED:
        return ARCHIVED
    by_gate = {r.gate: r.ok for r in results}
    content_ok = all(ok for gate, ok in by_gate.items() if gate in CONTENT_GATES)
    if not content_ok:
        return DRAFT
    return APPROVED if by_gate.get("approved", True) else IN_REVIEW


def assess(ctx: ReviewContext, gates: Sequence[str], language: str) -> ReviewOutcome:
    """Judge ``gates`` and record the findings, the content reviewed and the language."""
    results = run_gates(ctx, gates)
    waived = {w.finding: w for w in ctx.record.waivers}
    findings = tuple({**f.as_dict(), **({"waived_by": waived[f.id].name, "waived_reason": waived[f.id].reason}
                                        if f.id in waived else {})} for f in ctx.findings)
    counted = tuple(a.comment for a in counting_approvals(ctx))
    record = replace(ctx.record, findings=findings, language=lang_of(language), content=ctx.content,
                     counted=counted)
    status = status_for(results, ctx.state.status)
    return ReviewOutcome(results, status, record, lang_of(language))


def state_after(state: PageState, outcome: ReviewOutcome) -> PageState:
    return replace(state, status=outcome.status).with_extra(
        **{STATE_KEY: outcome.record.to_dict(), GATES_KEY: outcome.gates})
