"""Settings: app.yaml read once, validated, and turned into the domain's own values.

``load_settings(path)`` returns a frozen ``Settings`` or raises ``ConfigError`` whose lines
each name a key path and what is wrong with it, e.g.
``app.yaml: triggers.user_impact.minutes: must be a positive integer, got "ten"``.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields

from config.schema import AppSchema, PrivacySchema
from postmortem.assessment import IncidentScope
from postmortem.fieldmap import FieldMap
from postmortem.priorities import ActionItemPolicy
from postmortem.severity import SeverityScale
from postmortem.template_choice import TemplatePolicy, TemplateRule
from postmortem.triggers import (
    DataLossRule,
    ExplicitRequestRule,
    InterventionRule,
    MonitoringFailureRule,
    ResolutionTimeRule,
    TriggerCriteria,
    UserImpactRule,
)
from postmortem.wording.privacy import PrivacyPolicy

# Relative to the working directory, as the help text says; DEBRIEF_CONFIG overrides.
DEFAULT_CONFIG = Path("app.yaml")


class ConfigError(Exception):
    """app.yaml is missing, unreadable or invalid. ``problems`` holds one line per fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


# The values below are built from the validated app.yaml only: their defaults live in one place,
# the schema (config/schema.py), so none are repeated here.
@dataclass(frozen=True)
class SpaceRef:
    space: str
    parent: str | None


@dataclass(frozen=True)
class ArchivePlacement(SpaceRef):
    group_by: str  # quarter | year | none: the period parent pages archived pages go under
    restrict_users: tuple[str, ...]  # who may edit an archived page, with Debrief's own account
    restrict_groups: tuple[str, ...]
    index_title: str | None  # None: the space home page holds the index

    @property
    def restricted(self) -> bool:
        return bool(self.restrict_users or self.restrict_groups)


@dataclass(frozen=True)
class ConfluencePlacement:
    drafts: SpaceRef
    archive: ArchivePlacement
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Reminders:
    first_after_days: int
    every_days: int
    escalate_after_days: int
    escalate_to: tuple[str, ...]
    email: bool  # also e-mail the reminders (to the owner, and the escalation to escalate_to)


@dataclass(frozen=True)
class ReviewPolicy:
    gates: tuple[str, ...]
    reviewers: tuple[str, ...]
    required_approvals: int
    reminders: Reminders
    approval_survives_edits: bool
    agenda_title: str | None  # None: the agenda's title in the configured language
    share_email: tuple[str, ...]  # who is e-mailed the approved postmortem


@dataclass(frozen=True)
class IntakePolicy:
    max_body_bytes: int
    dedupe_seconds: int


@dataclass(frozen=True)
class SweepPolicy:
    every_seconds: int  # how often the worker sweeps the open drafts (app.yaml sweep.every_minutes)


@dataclass(frozen=True)
class Settings:
    source: str
    language: str
    timezone: str
    incidents: IncidentScope
    triggers: TriggerCriteria
    templates: TemplatePolicy
    confluence: ConfluencePlacement
    action_items: ActionItemPolicy
    review: ReviewPolicy
    intake: IntakePolicy
    sweep: SweepPolicy
    privacy: PrivacyPolicy
    base_dir: Path = field(default=Path("."), compare=False)

    @property
    def team_template_dir(self) -> Path | None:
        folder = self.templates.team_folder
        return (self.base_dir / folder) if folder else None


def _archive(a: Mapping[str, Any]) -> ArchivePlacement:
    restrict = a["restrict_edit_to"]
    return ArchivePlacement(space=a["space"], parent=a["parent"], group_by=a["group_by"],
                            restrict_users=tuple(restrict["users"]), restrict_groups=tuple(restrict["groups"]),
                            index_title=a["index_title"])


def config_path(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return Path(env.get("DEBRIEF_CONFIG") or DEFAULT_CONFIG)


def load_settings(path: str | Path | None = None) -> Settings:
    """Read, validate and convert app.yaml. Raises ConfigError listing every problem."""
    path = Path(path) if path else config_path()
    name = path.name
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such file (set DEBRIEF_CONFIG to your app.yaml)"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError([f"{name}:{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    return settings_from_dict(raw, source=name, base_dir=path.resolve().parent)


def _privacy(section: Mapping[str, Any]) -> PrivacyPolicy:
    return PrivacyPolicy(**{k: tuple(v) for k, v in section.items()})


def default_privacy() -> PrivacyPolicy:
    """``privacy`` as app.yaml's defaults give it (for ``debrief lint`` without an app.yaml)."""
    return _privacy(PrivacySchema().load({}))


def settings_from_dict(raw: Any, *, source: str = "app.yaml", base_dir: Path = Path(".")) -> Settings:
    if not isinstance(raw, dict):
        raise ConfigError([f"{source}: must be a mapping of settings, got {type(raw).__name__}"])
    schema = AppSchema()
    try:
        data = schema.load(raw)
    except ValidationError as exc:
        raise ConfigError(sorted(_problem_lines(exc.messages, schema, source))) from None
    return _build(data, source, base_dir)


def _problem_lines(messages: Any, schema: Schema | None, source: str, path: tuple = (),
                   parent: Schema | None = None) -> list[str]:
    """Flatten marshmallow's nested messages into one line per key path."""
    lines: list[str] = []
    if isinstance(messages, dict):
        for key, inner in messages.items():
            child = schema if isinstance(key, int) else _nested_schema(schema, key)
            lines += _problem_lines(inner, child, source, (*path, key), parent=schema)
        return lines
    for message in messages if isinstance(messages, list) else [messages]:
        if isinstance(message, dict):
            lines += _problem_lines(message, schema, source, path, parent)
            continue
        text = str(message)
        if text == "Unknown field.":
            text = _unknown_key_message(parent, path[-1])
        elif text == "Missing data for required field.":
            text = "is required"
        lines.append(f"{source}: {_dotted(path)}: {text}")
    return lines


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _nested_schema(schema: Schema | None, key: Any) -> Schema | None:
    if schema is None or isinstance(key, int):
        return None
    fld = schema.fields.get(key)
    if isinstance(fld, fields.Nested):
        return fld.schema
    if isinstance(fld, fields.List) and isinstance(fld.inner, fields.Nested):
        return fld.inner.schema
    return None


def _unknown_key_message(schema: Schema | None, key: Any) -> str:
    known = sorted(schema.fields) if schema is not None else []
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f'; did you mean "{close[0]}"?' if close else (f" (known keys: {', '.join(known)})" if known else "")
    return f"unknown key{hint}"


def _build(d: dict, source: str, base_dir: Path) -> Settings:
    inc, trg = d["incidents"], d["triggers"]
    f = inc["fields"]
    pairs = lambda items: tuple((x["field"], x["value"]) for x in items)  # noqa: E731
    return Settings(
        source=source,
        language=d["language"],
        timezone=d["timezone"],
        incidents=IncidentScope(
            projects=frozenset(inc["projects"]),
            issue_types=frozenset(inc["issue_types"]),
            fields=FieldMap(
                severity=f["severity"], started=f["started"], detected=f["detected"],
                mitigated=f["mitigated"], resolved=f["resolved"], service=f["service"],
                detection_method=f["detection_method"], impact=f["impact"],
                impact_values=dict(inc["impact_values"]),
                priority_to_severity=dict(inc["priority_to_severity"]),
            ),
            severity=SeverityScale(tuple(inc["severity_levels"])),
        ),
        triggers=TriggerCriteria(
            user_impact=UserImpactRule(**trg["user_impact"]),
            data_loss=DataLossRule(**{**trg["data_loss"], "field_values": pairs(trg["data_loss"]["field_values"])}),
            intervention=InterventionRule(**{**trg["intervention"],
                                             "field_values": pairs(trg["intervention"]["field_values"])}),
            resolution_time=ResolutionTimeRule(**trg["resolution_time"]),
            monitoring_failure=MonitoringFailureRule(**trg["monitoring_failure"]),
            explicit_request=ExplicitRequestRule(**trg["explicit_request"]),
            severity=SeverityScale(tuple(inc["severity_levels"])),
        ),
        templates=TemplatePolicy(
            default=d["templates"]["default"],
            team_folder=d["templates"]["team_folder"],
            rules=tuple(TemplateRule(**r) for r in d["templates"]["rules"]),
        ),
        confluence=ConfluencePlacement(
            drafts=SpaceRef(**d["confluence"]["drafts"]),
            archive=_archive(d["confluence"]["archive"]),
            labels=tuple(d["confluence"]["labels"]),
        ),
        action_items=ActionItemPolicy(
            project=d["action_items"]["project"], issue_type=d["action_items"]["issue_type"],
            link_type=d["action_items"]["link_type"],
            priorities={k: dict(v) for k, v in d["action_items"]["priorities"].items()},
            default_priority=d["action_items"]["default_priority"],
            due_days=dict(d["action_items"]["due_days"]),
            create=d["action_items"]["create"],
            search_consistency_seconds=d["action_items"]["search_consistency_seconds"],
        ),
        review=ReviewPolicy(
            gates=tuple(d["review"]["gates"]), reviewers=tuple(d["review"]["reviewers"]),
            required_approvals=d["review"]["required_approvals"],
            reminders=Reminders(**{**d["review"]["reminders"],
                                   "escalate_to": tuple(d["review"]["reminders"]["escalate_to"])}),
            approval_survives_edits=d["review"]["approval_survives_edits"],
            agenda_title=d["review"]["agenda_title"],
            share_email=tuple(d["review"]["share"]["email"]),
        ),
        intake=IntakePolicy(max_body_bytes=d["intake"]["max_body_kib"] * 1024,
                            dedupe_seconds=d["intake"]["dedupe_hours"] * 3600),
        sweep=SweepPolicy(every_seconds=d["sweep"]["every_minutes"] * 60),
        privacy=_privacy(d["privacy"]),
        base_dir=base_dir,
    )
