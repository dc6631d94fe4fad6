"""The review stage: gates every postmortem must pass, reviewers' commands in page comments,
the status that follows, the agenda, reminders and the share e-mail. Pure; jobs/review.py and
jobs/reminders.py do the I/O.

- ``gates``: ``GATES`` {name: fn(ReviewContext) -> GateResult}, ``run_gates``;
- ``commands``: ``parse_command`` of a comment's text; ``PageComment``;
- ``decide``: ``read_comments``, ``assess`` -> ``ReviewOutcome`` (status, gates), ``state_after``;
- ``content``: ``content_hash`` (what an approval is bound to);
- ``record``: ``ReviewRecord`` (``PageState.extra["review"]``);
- ``reminders``, ``agenda``, ``share``: when to chase, the agenda page, the share e-mail.
"""

from postmortem.review.commands import Command, PageComment, parse_command
from postmortem.review.content import content_hash
from postmortem.review.decide import (
    APPROVED,
    ARCHIVED,
    DRAFT,
    IN_REVIEW,
    LOZENGE,
    ReviewOutcome,
    assess,
    read_comments,
    state_after,
    status_for,
)
from postmortem.review.gates import (
    CONTENT_GATES,
    GATES,
    GateResult,
    ReviewContext,
    ReviewSettings,
    page_findings,
    run_gates,
)
from postmortem.review.record import ReviewRecord

__all__ = ["APPROVED", "ARCHIVED", "CONTENT_GATES", "DRAFT", "GATES", "IN_REVIEW", "LOZENGE", "Command",
           "GateResult", "PageComment", "ReviewContext", "ReviewOutcome", "ReviewRecord", "ReviewSettings",
           "assess", "content_hash", "page_findings", "parse_command", "read_comments", "run_gates",
           "state_after", "status_for"]
