"""Parsing Jira deliveries into events (sans-I/O): JSON value in, ``JiraEvent`` or error out.

Real bodies carry hundreds of fields; the schemas check only what Debrief reads and let
the rest through untouched (the raw issue is kept for the field mapping).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from postmortem.jira_values import body_text

AUTOMATION = "automation"  # pseudo event name for Jira Automation "Send web request" bodies


class Lenient(Schema):
    class Meta:
        unknown = EXCLUDE


class NamedSchema(Lenient):
    key = fields.Str(load_default=None)
    name = fields.Str(load_default=None)


class CommentListSchema(Lenient):
    comments = fields.List(fields.Dict(), load_default=None)


class IssueFieldsSchema(Lenient):
    """The fields the core reads by shape; the mapped ones (dates, options) it checks itself."""

    summary = fields.Str(required=True)
    project = fields.Nested(NamedSchema, required=True)
    issuetype = fields.Nested(NamedSchema, required=True)
    status = fields.Nested(NamedSchema, load_default=None, allow_none=True)
    labels = fields.List(fields.Str(), load_default=None, allow_none=True)
    comment = fields.Nested(CommentListSchema, load_default=None, allow_none=True)


# Project keys start with a letter; letters, digits and _ follow (Jira's default pattern is
# stricter). A key is used in job ids, Redis keys and log lines, so nothing else gets through.
ISSUE_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,254}-[0-9]{1,18}\Z")


class IssueSchema(Lenient):
    id = fields.Raw(load_default=None)
    key = fields.Str(required=True, validate=validate.Regexp(ISSUE_KEY, error="not a Jira issue key (PROJ-123)"))
    fields = fields.Nested(IssueFieldsSchema, required=True)


class CommentSchema(Lenient):
    id = fields.Raw(load_default=None)
    self = fields.Str(load_default=None)
    body = fields.Raw(load_default="")


class AdminEventSchema(Lenient):
    webhookEvent = fields.Str(required=True)
    issue_event_type_name = fields.Str(load_default=None)
    issue = fields.Nested(IssueSchema, load_default=None)
    comment = fields.Nested(CommentSchema, load_default=None)


# Schemas are built once: constructing one costs more than loading a body with it.
_ADMIN_EVENT = AdminEventSchema()
_ISSUE = IssueSchema()


class PayloadError(ValueError):
    """The body lacks fields Debrief needs (422); ``fields`` maps each path to what is wrong."""

    def __init__(self, problems: dict[str, list[str]]):
        self.fields = problems
        super().__init__("missing or invalid fields: " + ", ".join(sorted(problems)))


@dataclass(frozen=True)
class JiraEvent:
    """One delivery, reduced to what routing needs. ``issue`` is the raw issue JSON."""

    source = "jira"
    name: str  # webhookEvent, or AUTOMATION
    type_name: str | None = None  # issue_event_type_name
    issue: dict | None = None
    comment_body: str | None = None
    comment_issue_id: str | None = None  # DC comment events name the issue only in comment.self

    @property
    def issue_key(self) -> str | None:
        return self.issue.get("key") if self.issue else None

    @property
    def project(self) -> str | None:
        """The issue's project key (routes can match on it: ``register(..., project="INC")``)."""
        project = self.issue["fields"].get("project") if self.issue else None
        return project.get("key") if isinstance(project, dict) else None


_COMMENT_SELF = re.compile(r"/issue/(\d+|[A-Z][A-Z0-9_]*-\d+)/comment/")


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, inner in messages.items():
            out.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
    else:
        out[prefix or "(body)"] = [str(m) for m in (messages if isinstance(messages, list) else [messages])]
    return out


# A body these checks pass is one the schemas load as it is (the same fields, no stricter), so
# the schemas run only for a body that may be wrong, to name what is wrong.
def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _named(value: Any) -> bool:
    return isinstance(value, dict) and _text_or_none(value.get("key")) and _text_or_none(value.get("name"))


def _issue_fields_fine(f: Any) -> bool:
    if not (isinstance(f, dict) and isinstance(f.get("summary"), str) and _named(f.get("project"))
            and _named(f.get("issuetype"))):
        return False
    status, labels, comment = f.get("status"), f.get("labels"), f.get("comment")
    return ((status is None or _named(status))
            and (labels is None or (isinstance(labels, list) and all(isinstance(x, str) for x in labels)))
            and (comment is None or (isinstance(comment, dict) and (
                (comments := comment.get("comments")) is None
                or (isinstance(comments, list) and all(isinstance(x, dict) for x in comments))))))


def _issue_fine(issue: Any) -> bool:
    if not isinstance(issue, dict):
        return False
    key = issue.get("key")
    return isinstance(key, str) and ISSUE_KEY.match(key) is not None and _issue_fields_fine(issue.get("fields"))


def _admin_event_fine(body: dict) -> bool:
    issue, comment = body.get("issue"), body.get("comment")
    return (isinstance(body.get("webhookEvent"), str) and _text_or_none(body.get("issue_event_type_name"))
            and (issue is None or _issue_fine(issue))
            and (comment is None or (isinstance(comment, dict) and _text_or_none(comment.get("self"))
                                     and ("body" not in comment or comment["body"] is not None))))


def _load(schema: Schema, data: Any, prefix: str = "") -> dict:
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise PayloadError(_flatten(exc.messages, prefix)) from None


def parse_admin_event(body: Any) -> JiraEvent:
    """A Jira admin (system) webhook body: ``{"webhookEvent": ..., "issue": ..., ...}``."""
    if not isinstance(body, dict):
        raise PayloadError({"(body)": ["must be a JSON object"]})
    if _admin_event_fine(body):
        event = {"webhookEvent": body["webhookEvent"], "issue_event_type_name": body.get("issue_event_type_name"),
                 "issue": body.get("issue")}
    else:
        event = _load(_ADMIN_EVENT, body)
    comment = body.get("comment") if isinstance(body.get("comment"), dict) else None
    issue_id = None
    if comment and isinstance(comment.get("self"), str):
        match = _COMMENT_SELF.search(comment["self"])
        issue_id = match.group(1) if match else None
    return JiraEvent(
        name=event["webhookEvent"],
        type_name=event["issue_event_type_name"],
        issue=body.get("issue") if event["issue"] is not None else None,
        comment_body=body_text(comment.get("body")) if comment else None,
        comment_issue_id=issue_id,
    )


def parse_automation(body: Any) -> JiraEvent:
    """A Jira Automation "Send web request" body, "Issue data" in Automation or Jira format.

    Automation format is the bare issue (``{"key", "fields", ...}``); Jira format wraps it
    (``{"issue": {...}}``).
    """
    if not isinstance(body, dict):
        raise PayloadError({"(body)": ["must be a JSON object"]})
    if "issue" in body and isinstance(body["issue"], dict):
        issue, prefix = body["issue"], "issue"
    elif "key" in body or "fields" in body:
        issue, prefix = body, ""
    else:
        raise PayloadError({"issue": ["send the issue: choose 'Issue data' as the web request body"]})
    if not _issue_fine(issue):
        _load(_ISSUE, issue, prefix)
    return JiraEvent(name=AUTOMATION, type_name=None, issue=issue)
