"""Which failures park a job at once rather than retrying it."""

from __future__ import annotations

from jinja2 import TemplateError

from connector.errors import PermanentAtlassianError
from postmortem.fieldmap import IncidentDataError
from postmortem.storage_format import StorageFormatError

# Failures that the same inputs will meet again: retrying cannot help, an operator can.
# jobs/entry.py uses up the job's retries for these, so it lands in RQ's failed registry now,
# with its message, for an operator to fix and replay.
PERMANENT = (PermanentAtlassianError, IncidentDataError, StorageFormatError, TemplateError)
