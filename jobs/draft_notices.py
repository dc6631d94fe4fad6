"""Telling the incident's people when its postmortem cannot be drafted, and when it can again.

A drafting job that is parked (a 4xx, bad incident data, a broken template) or has used up its
retries would otherwise be visible only to ``debrief jobs failed``. One Jira comment per failure
episode says so, why, and what an admin must do; once a later run drafts the page, one more
comment says it is solved. A passing failure that RQ will retry says nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime

from jinja2 import TemplateError
from rq import get_current_job

from connector.errors import AtlassianError, PermanentAtlassianError, TransientAtlassianError
from jobqueue.kinds import KINDS
from jobs.context import JobContext
from jobs.entry import LONG_WAIT
from jobs.failures import PERMANENT
from postmortem.fieldmap import IncidentDataError
from postmortem.notices import (
    DraftFailure,
    draft_failed_comment,
    draft_recovered_comment,
    failure_reference,
    recovery_reference,
)

log = logging.getLogger("debrief.jobs.draft")


def failure_of(exc: BaseException, job_id: str) -> DraftFailure | None:
    """How to tell of ``exc``; None when the job will be retried anyway (nothing to tell yet)."""
    job = get_current_job()
    if isinstance(exc, PERMANENT):
        return DraftFailure(_kind(exc), _what(exc), retried=False, job_id=job_id)
    if isinstance(exc, TransientAtlassianError):
        last = job is not None and job.retries_left is not None and job.retries_left <= 0
        if last and (exc.retry_after or 0) <= LONG_WAIT:
            return DraftFailure("unreachable", _what(exc), retried=False, job_id=job_id)
    return None


def _kind(exc: BaseException) -> str:
    if isinstance(exc, IncidentDataError):
        return "incident_data"
    if isinstance(exc, TemplateError):
        return "template"
    if isinstance(exc, PermanentAtlassianError):
        if exc.status in (401, 403):
            return "denied"
        if exc.status == 404:
            return "not_found"
        if exc.status == 400 and "already exists" in str(exc).lower():
            return "title_clash"
    return "rejected"


def _what(exc: BaseException) -> str:
    """The failed step in a few words: the operation and Atlassian's own message, no trace."""
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, AtlassianError) and exc.operation and not text.startswith(exc.operation):
        text = f"{exc.operation}: {text}"
    return text


def job_id_for(incident_key: str) -> str:
    job = get_current_job()
    return job.id if job is not None else KINDS["draft"].job_id(incident_key)


def tell_failure(ctx: JobContext, now: datetime, incident_key: str, exc: BaseException) -> None:
    """Comment on the incident once per failure episode; never raises."""
    failure = failure_of(exc, job_id_for(incident_key))
    if failure is None:
        return
    reference = failure_reference(failure.job_id, now)
    try:
        if not ctx.work.record_failure_notice(incident_key, reference):
            return  # told already in this episode
    except Exception:  # noqa: BLE001 - telling must never hide the job's own failure
        log.exception("could not record the failure notice of %s", incident_key)
        return
    text = draft_failed_comment(ctx.settings.language, key=incident_key, failure=failure, reference=reference)
    try:
        ctx.jira.add_comment(incident_key, text, marker=reference)
        log.info("told %s that its postmortem could not be drafted (%s)", incident_key, failure.kind,
                 extra={"incident": incident_key})
    except Exception as told:  # noqa: BLE001 - e.g. Jira itself is what fails: tell next time
        ctx.work.forget_failure_notice(incident_key)
        log.warning("could not tell %s that its postmortem could not be drafted: %s", incident_key, told,
                    extra={"incident": incident_key})


def tell_recovery(ctx: JobContext, incident_key: str, *, title: str, url: str) -> None:
    """After a failure was told: say once that the postmortem is drafted now."""
    reference = ctx.work.failure_notice(incident_key)
    if reference is None:
        return
    solved = recovery_reference(reference)
    text = draft_recovered_comment(ctx.settings.language, key=incident_key, title=title, url=url, reference=solved)
    ctx.jira.add_comment(incident_key, text, marker=solved)
    ctx.work.forget_failure_notice(incident_key)
