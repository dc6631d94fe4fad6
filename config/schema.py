"""The schema of app.yaml (marshmallow), with messages that name the key and the fix."""

from __future__ import annotations

import ipaddress
import json
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import RAISE, Schema, ValidationError, validates_schema
from marshmallow import fields as mf

from postmortem.page_context import REVIEW_GATES
from postmortem.priorities import CREATE_MODES, ITEM_TYPES

FIELD_ID = re.compile(r"^(customfield_\d+|[a-zA-Z][a-zA-Z0-9]*)$")
LABEL = re.compile(r"^[^\s]+$")


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


class Described(mf.Field):
    """A field whose messages say what it must be, including when given null."""

    what = "a value"

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.error_messages["null"] = f"must be {self.what}, got null"


class PositiveInt(Described):
    what = "a positive integer"

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValidationError(f"must be a positive integer, got {_shown(value)}")
        return value


class Flag(Described):
    what = "true or false"

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError(f"must be true or false, got {_shown(value)}")
        return value


class Text(Described):
    """A non-empty string, optionally matching a pattern."""

    def __init__(self, pattern: re.Pattern | None = None, what: str = "a non-empty string", **kw):
        self.pattern, self.what = pattern, what
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not value.strip() or (self.pattern and not self.pattern.match(value)):
            raise ValidationError(f"must be {self.what}, got {_shown(value)}")
        return value


class Choice(Described):
    def __init__(self, choices: tuple[str, ...], **kw):
        self.choices = choices
        self.what = f"one of {', '.join(choices)}"
        super().__init__(**kw)

    def _deserialize(self, value, attr, data, **kwargs):
        if value not in self.choices:
            raise ValidationError(f"must be one of {', '.join(self.choices)}, got {_shown(value)}")
        return value


class TextList(Described):
    what = "a list"

    def __init__(self, item: mf.Field | None = None, **kw):
        super().__init__(**kw)
        self.item = item or Text()

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError(f"must be a list, got {_shown(value)}")
        errors = {}
        for i, v in enumerate(value):
            try:
                self.item._deserialize(v, attr, data)
            except ValidationError as e:
                errors[i] = e.messages
        if errors:
            raise ValidationError(errors)
        return tuple(value)


class Timezone(mf.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        try:
            ZoneInfo(str(value))
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"must be an IANA timezone such as Asia/Seoul or UTC, got {_shown(value)}") from None
        return str(value)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


def _opt(field: mf.Field) -> mf.Field:
    field.required = False
    field.load_default = None
    field.allow_none = True
    return field


class FieldsSchema(StrictSchema):
    severity = Text(FIELD_ID, "a Jira field id such as customfield_10100 or priority", required=True)
    started = _opt(Text(FIELD_ID, "a Jira field id"))
    detected = _opt(Text(FIELD_ID, "a Jira field id"))
    mitigated = _opt(Text(FIELD_ID, "a Jira field id"))
    resolved = Text(FIELD_ID, "a Jira field id", load_default="resolutiondate")
    service = _opt(Text(FIELD_ID, "a Jira field id"))
    detection_method = _opt(Text(FIELD_ID, "a Jira field id"))
    impact = _opt(Text(FIELD_ID, "a Jira field id"))


class IncidentsSchema(StrictSchema):
    projects = TextList(required=True)
    issue_types = TextList(load_default=())
    severity_levels = TextList(load_default=("SEV-1", "SEV-2", "SEV-3", "SEV-4"))
    fields = mf.Nested(FieldsSchema, required=True)
    impact_values = mf.Dict(keys=mf.Str(), values=Choice(("downtime", "degradation")),
                                load_default=lambda: {"Downtime": "downtime", "Degradation": "degradation"})
    priority_to_severity = mf.Dict(keys=mf.Str(), values=Text(), load_default=dict)

    @validates_schema
    def _known_severities(self, data, **kwargs):
        levels = data.get("severity_levels") or ()
        if len(set(levels)) != len(levels):
            raise ValidationError({"severity_levels": ["must not repeat a level"]})
        bad = {k: [f"must be one of the severity_levels ({', '.join(levels)}), got {_shown(v)}"]
               for k, v in data.get("priority_to_severity", {}).items() if v not in levels}
        if bad:
            raise ValidationError({"priority_to_severity": bad})


class FieldValueSchema(StrictSchema):
    field = Text(FIELD_ID, "a Jira field id", required=True)
    value = Text(required=True)


class UserImpactSchema(StrictSchema):
    enabled = Flag(load_default=True)
    minutes = PositiveInt(required=True)
    min_severity = _opt(Text())


class LabelRuleSchema(StrictSchema):
    enabled = Flag(load_default=True)
    labels = TextList(Text(LABEL, "a label without spaces"), load_default=())
    field_values = mf.List(mf.Nested(FieldValueSchema), load_default=list)


class ResolutionTimeSchema(StrictSchema):
    enabled = Flag(load_default=True)
    minutes = PositiveInt(required=True)


class MonitoringFailureSchema(StrictSchema):
    enabled = Flag(load_default=True)
    detection_methods = TextList(required=True)


class ExplicitRequestSchema(StrictSchema):
    enabled = Flag(load_default=True)
    labels = TextList(Text(LABEL, "a label without spaces"), load_default=("postmortem-requested",))
    command = Text(re.compile(r"^/\S+$"), 'a command starting with "/" such as /postmortem',
                   load_default="/postmortem")


class TriggersSchema(StrictSchema):
    user_impact = mf.Nested(UserImpactSchema, required=True)
    data_loss = mf.Nested(LabelRuleSchema, required=True)
    intervention = mf.Nested(LabelRuleSchema, required=True)
    resolution_time = mf.Nested(ResolutionTimeSchema, required=True)
    monitoring_failure = mf.Nested(MonitoringFailureSchema, required=True)
    explicit_request = mf.Nested(ExplicitRequestSchema, required=True)


class TemplateRuleSchema(StrictSchema):
    template = Text(re.compile(r"^[A-Za-z0-9_-]+$"), "a template name (letters, digits, - and _)", required=True)
    projects = TextList(load_default=())
    issue_types = TextList(load_default=())
    severities = TextList(load_default=())
    services = TextList(load_default=())


class TemplatesSchema(StrictSchema):
    default = Text(re.compile(r"^[A-Za-z0-9_-]+$"), "a template name (letters, digits, - and _)",
                   load_default="default")
    team_folder = _opt(Text())
    rules = mf.List(mf.Nested(TemplateRuleSchema), load_default=list)


class SpaceSchema(StrictSchema):
    space = Text(re.compile(r"^[A-Za-z0-9~]+$"), "a Confluence space key such as PM", required=True)
    parent = _opt(Text())


class RestrictEditSchema(StrictSchema):
    users = TextList(load_default=())  # Cloud account ids, Data Center usernames
    groups = TextList(load_default=())


class ArchiveSchema(SpaceSchema):
    group_by = Choice(("quarter", "year", "none"), load_default="quarter")
    # Who may edit an archived page (Debrief's own account is always kept); empty: no restriction.
    restrict_edit_to = mf.Nested(RestrictEditSchema, load_default=lambda: {"users": (), "groups": ()})
    index_title = _opt(Text())  # the archive's index page; null: the space home page


class ConfluenceSchema(StrictSchema):
    drafts = mf.Nested(SpaceSchema, required=True)
    archive = mf.Nested(ArchiveSchema, required=True)
    labels = TextList(Text(re.compile(r"^[a-z0-9_:-]+$"), "a lower-case label without spaces"),
                      load_default=("postmortem",))


class ActionItemsSchema(StrictSchema):
    project = Text(re.compile(r"^[A-Z][A-Z0-9_]+$"), "a Jira project key such as ACT", required=True)
    issue_type = Text(load_default="Task")
    link_type = Text(load_default="Relates")
    default_priority = Text(load_default="Medium")
    priorities = mf.Dict(keys=Choice(ITEM_TYPES), values=mf.Dict(keys=mf.Str(), values=Text()),
                             load_default=dict)
    due_days = mf.Dict(keys=mf.Str(), values=PositiveInt(), load_default=dict)
    create = Choice(CREATE_MODES, load_default="on_edit")
    search_consistency_seconds = PositiveInt(load_default=120)


class RemindersSchema(StrictSchema):
    first_after_days = PositiveInt(load_default=3)
    every_days = PositiveInt(load_default=2)
    escalate_after_days = PositiveInt(load_default=10)
    escalate_to = TextList(load_default=())
    email = Flag(load_default=False)


class ShareSchema(StrictSchema):
    email = TextList(Text(re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), "an e-mail address"), load_default=())


class ReviewSchema(StrictSchema):
    gates = TextList(Choice(REVIEW_GATES), load_default=REVIEW_GATES)
    reviewers = TextList(load_default=())
    required_approvals = PositiveInt(load_default=1)
    approval_survives_edits = Flag(load_default=False)
    agenda_title = _opt(Text())
    share = mf.Nested(ShareSchema, load_default=lambda: ShareSchema().load({}))
    reminders = mf.Nested(RemindersSchema, load_default=lambda: RemindersSchema().load({}))


class IntakeSchema(StrictSchema):
    max_body_kib = PositiveInt(load_default=1024)
    dedupe_hours = PositiveInt(load_default=48)


class SweepSchema(StrictSchema):
    every_minutes = PositiveInt(load_default=10)


DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)
E164ISH = re.compile(r"^\+?[0-9][0-9 ().\-]{5,20}[0-9]$")


class Cidr(Described):
    what = "a network in CIDR form, e.g. 203.0.113.0/24"

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            if isinstance(value, str):
                return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            pass
        raise ValidationError(f"must be a network in CIDR form, e.g. 203.0.113.0/24, got {_shown(value)}")


class PrivacySchema(StrictSchema):
    internal_domains = TextList(Text(DOMAIN, "a domain name, e.g. example.com"), load_default=("example.com",))
    allowed_numbers = TextList(Text(E164ISH, "a phone number, e.g. +82 2 1588 1234"), load_default=())
    internal_networks = TextList(Cidr(), load_default=())


class AppSchema(StrictSchema):
    language = Choice(("en", "ko"), load_default="en")
    timezone = Timezone(load_default="UTC")
    incidents = mf.Nested(IncidentsSchema, required=True)
    triggers = mf.Nested(TriggersSchema, required=True)
    templates = mf.Nested(TemplatesSchema, load_default=lambda: TemplatesSchema().load({}))
    confluence = mf.Nested(ConfluenceSchema, required=True)
    action_items = mf.Nested(ActionItemsSchema, required=True)
    review = mf.Nested(ReviewSchema, load_default=lambda: ReviewSchema().load({}))
    intake = mf.Nested(IntakeSchema, load_default=lambda: IntakeSchema().load({}))
    sweep = mf.Nested(SweepSchema, load_default=lambda: SweepSchema().load({}))
    privacy = mf.Nested(PrivacySchema, load_default=lambda: PrivacySchema().load({}))

    @validates_schema
    def _severity_references(self, data, **kwargs):
        levels = (data.get("incidents") or {}).get("severity_levels") or ()
        problems: dict = {}
        minimum = ((data.get("triggers") or {}).get("user_impact") or {}).get("min_severity")
        if minimum is not None and levels and minimum not in levels:
            problems["triggers"] = {"user_impact": {"min_severity": [
                f"must be one of the severity_levels ({', '.join(levels)}), got {_shown(minimum)}"]}}
        for i, rule in enumerate((data.get("templates") or {}).get("rules") or ()):
            bad = [s for s in rule.get("severities", ()) if s not in levels]
            if bad:
                problems.setdefault("templates", {}).setdefault("rules", {})[i] = {"severities": [
                    f"must be among the severity_levels ({', '.join(levels)}), got {_shown(bad)}"]}
        for item_type, table in ((data.get("action_items") or {}).get("priorities") or {}).items():
            bad = [s for s in table if s not in levels]
            if bad:
                problems.setdefault("action_items", {}).setdefault("priorities", {})[item_type] = [
                    f"keys must be severity_levels ({', '.join(levels)}), got {_shown(bad)}"]
        if problems:
            raise ValidationError(problems)
