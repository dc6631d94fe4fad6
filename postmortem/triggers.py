"""Postmortem trigger criteria, agreed before any incident happens (``app.yaml: triggers``).

``decide`` applies every enabled rule to an incident and says which fired and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from postmortem.incident import Incident
from postmortem.severity import SeverityScale

# What the impact field's values map to (app.yaml incidents.impact_values): both are user-visible.
USER_VISIBLE = ("downtime", "degradation")


# The values live in app.yaml (defaults in config/schema.py); these classes only hold them.
@dataclass(frozen=True)
class UserImpactRule:
    """User-visible downtime or degradation at or above a duration, or a severity."""

    enabled: bool
    minutes: int
    min_severity: str | None


@dataclass(frozen=True)
class DataLossRule:
    enabled: bool
    labels: tuple[str, ...]
    # (field id, value) pairs; any match counts as data loss.
    field_values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class InterventionRule:
    """On-call intervention: rollback, traffic rerouting, failover, restart."""

    enabled: bool
    labels: tuple[str, ...]
    field_values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ResolutionTimeRule:
    enabled: bool
    minutes: int


@dataclass(frozen=True)
class MonitoringFailureRule:
    """Detected by a person or a customer rather than by alerting."""

    enabled: bool
    detection_methods: tuple[str, ...]


@dataclass(frozen=True)
class ExplicitRequestRule:
    enabled: bool
    labels: tuple[str, ...]
    command: str


@dataclass(frozen=True)
class TriggerCriteria:
    user_impact: UserImpactRule
    data_loss: DataLossRule
    intervention: InterventionRule
    resolution_time: ResolutionTimeRule
    monitoring_failure: MonitoringFailureRule
    explicit_request: ExplicitRequestRule
    severity: SeverityScale

    @property
    def field_ids(self) -> frozenset[str]:
        """The Jira fields the rules match values of."""
        pairs = (*self.data_loss.field_values, *self.intervention.field_values)
        return frozenset(field_id for field_id, _ in pairs)


@dataclass(frozen=True)
class RuleResult:
    rule: str
    fired: bool
    reason: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "fired": self.fired, "reason": self.reason}


@dataclass(frozen=True)
class Decision:
    """Every enabled rule's verdict; a postmortem is needed when any fired."""

    results: tuple[RuleResult, ...]

    @property
    def needed(self) -> bool:
        return any(r.fired for r in self.results)

    @property
    def fired(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.results if r.fired)

    def as_dict(self) -> dict:
        return {
            "postmortem": self.needed,
            "fired": [r.rule for r in self.fired],
            "reasons": [r.reason for r in self.fired],
            "rules": [r.as_dict() for r in self.results],
        }


def _minutes(delta: timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _user_impact(incident: Incident, rule: UserImpactRule, scale: SeverityScale, now: datetime) -> RuleResult:
    reasons = []
    if rule.min_severity and scale.at_least(incident.severity, rule.min_severity):
        reasons.append(f"severity {incident.severity} >= {rule.min_severity}")
    if incident.impact in USER_VISIBLE:
        duration = incident.impact_duration(now)
        if duration is not None and _minutes(duration) >= rule.minutes:
            ongoing = "" if incident.end_of_impact else " (ongoing)"
            reasons.append(f"{incident.impact} {_minutes(duration)} min{ongoing} >= {rule.minutes} min")
    if reasons:
        return RuleResult("user_impact", True, "; ".join(reasons))
    duration = incident.impact_duration(now)
    shown = f"{_minutes(duration)} min" if duration is not None else "unknown duration"
    return RuleResult("user_impact", False,
                      f"impact {incident.impact or 'none'} for {shown}, severity {incident.severity or 'unknown'}")


def _matches(incident: Incident, labels: tuple[str, ...], field_values: tuple[tuple[str, str], ...]) -> list[str]:
    found = [f"label {name}" for name in sorted(incident.has_label(*labels))]
    for field_id, wanted in field_values:
        value = incident.value_of(field_id)
        if value is not None and wanted.lower() in {v.strip().lower() for v in value.split(",")}:
            found.append(f"{field_id} = {wanted}")
    return found


def _labelled(name: str, incident: Incident, labels, field_values, what: str) -> RuleResult:
    found = _matches(incident, labels, field_values)
    if found:
        return RuleResult(name, True, f"{what}: {', '.join(found)}")
    return RuleResult(name, False, f"no {what} marker")


def _resolution_time(incident: Incident, rule: ResolutionTimeRule) -> RuleResult:
    took = incident.time_to_resolve()
    if took is None:
        return RuleResult("resolution_time", False, "not resolved yet")
    if _minutes(took) >= rule.minutes:
        return RuleResult("resolution_time", True, f"resolved after {_minutes(took)} min >= {rule.minutes} min")
    return RuleResult("resolution_time", False, f"resolved after {_minutes(took)} min < {rule.minutes} min")


def _monitoring_failure(incident: Incident, rule: MonitoringFailureRule) -> RuleResult:
    method = incident.detection_method
    wanted = {m.lower() for m in rule.detection_methods}
    if method and method.lower() in wanted:
        return RuleResult("monitoring_failure", True, f"detected by {method}, not by alerting")
    return RuleResult("monitoring_failure", False, f"detected by {method or 'unknown'}")


def asks_for_postmortem(text: str, command: str) -> bool:
    """True when a line of ``text`` is the command, alone or followed by words."""
    pattern = re.compile(rf"^\s*{re.escape(command)}(\s|$)", re.IGNORECASE | re.MULTILINE)
    return bool(pattern.search(text or ""))


def _explicit_request(incident: Incident, rule: ExplicitRequestRule, new_comment: str | None) -> RuleResult:
    labels = sorted(incident.has_label(*rule.labels))
    if labels:
        return RuleResult("explicit_request", True, f"label {', '.join(labels)}")
    texts = [c for c in ([new_comment] if new_comment else [])]
    texts += [c.body for c in incident.comments]
    if any(asks_for_postmortem(t, rule.command) for t in texts):
        return RuleResult("explicit_request", True, f"comment {rule.command}")
    return RuleResult("explicit_request", False, "nobody asked")


def decide(incident: Incident, criteria: TriggerCriteria, now: datetime,
           *, new_comment: str | None = None) -> Decision:
    """Apply every enabled rule. ``now`` bounds the impact of an incident still ongoing."""
    results: list[RuleResult] = []
    if criteria.user_impact.enabled:
        results.append(_user_impact(incident, criteria.user_impact, criteria.severity, now))
    if criteria.data_loss.enabled:
        results.append(_labelled("data_loss", incident, criteria.data_loss.labels,
                                 criteria.data_loss.field_values, "data loss"))
    if criteria.intervention.enabled:
        results.append(_labelled("intervention", incident, criteria.intervention.labels,
                                 criteria.intervention.field_values, "on-call intervention"))
    if criteria.resolution_time.enabled:
        results.append(_resolution_time(incident, criteria.resolution_time))
    if criteria.monitoring_failure.enabled:
        results.append(_monitoring_failure(incident, criteria.monitoring_failure))
    if criteria.explicit_request.enabled:
        results.append(_explicit_request(incident, criteria.explicit_request, new_comment))
    return Decision(tuple(results))
