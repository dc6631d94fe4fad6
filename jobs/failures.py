"""How a job fails: retried for passing trouble, parked at once for a 4xx."""

from __future__ import annotations

import functools
import logging

from jinja2 import TemplateError
from rq import get_current_job

from connector.errors import PermanentAtlassianError
from postmortem.fieldmap import IncidentDataError
from postmortem.storage_format import StorageFormatError

# Failures that the same inputs will meet again: retrying cannot help, an operator can.
PERMANENT = (PermanentAtlassianError, IncidentDataError, StorageFormatError, TemplateError)

log = logging.getLogger("debrief.jobs")


def park_permanent_failures(fn):
    """A 4xx from Atlassian, an issue missing what the field mapping needs, or a template that
    does not render will not go away by retrying: use up the job's retries so it lands in RQ's
    failed registry now, with its message, for an operator to fix and replay."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PERMANENT as exc:
            job = get_current_job()
            if job is not None:
                job.retries_left = 0
            log.error("%s failed and is parked for replay: %s", fn.__name__, exc,
                      extra={"incident": args[0] if args else None, "job": job.id if job else None})
            raise

    return wrapper
