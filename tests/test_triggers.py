"""Every trigger rule: fires, does not fire, and the threshold's edge."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from config.settings import load_settings
from postmortem.incident import Comment, Incident
from postmortem.triggers import TriggerCriteria, asks_for_postmortem, decide
from tests.helpers import ROOT

T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
NOW = T0 + timedelta(hours=10)


def incident(**kw) -> Incident:
    base = dict(key="INC-7", summary="Checkout errors", project="INC", issue_type="Incident",
                severity="SEV-3", started=T0, created=T0)
    base.update(kw)
    return Incident(**base)


SHIPPED = load_settings(ROOT / "app.yaml").triggers  # the criteria as app.yaml ships them
RULES = ("user_impact", "data_loss", "intervention", "resolution_time", "monitoring_failure", "explicit_request")


def only(rule_name: str, **changes) -> TriggerCriteria:
    """The shipped criteria with every rule but one switched off (that one changed by ``changes``)."""
    off = {name: replace(getattr(SHIPPED, name), enabled=False) for name in RULES}
    off[rule_name] = replace(getattr(SHIPPED, rule_name), **changes)
    return replace(SHIPPED, **off)


def verdict(inc: Incident, rule: str, **kw):
    decision = decide(inc, only(rule), NOW, **kw)
    (result,) = decision.results
    assert result.rule == rule
    return decision.needed, result.reason


@pytest.mark.parametrize(("minutes", "fires"), [(29, False), (30, True), (31, True)])
def test_downtime_duration_edge(minutes, fires):
    inc = incident(impact="downtime", mitigated=T0 + timedelta(minutes=minutes))
    needed, reason = verdict(inc, "user_impact")
    assert needed is fires
    if fires:
        assert reason == f"downtime {minutes} min >= 30 min"


def test_degradation_counts_too_and_ongoing_counts_up_to_now():
    needed, reason = verdict(incident(impact="degradation"), "user_impact")
    assert needed and reason == "degradation 600 min (ongoing) >= 30 min"


def test_no_user_impact_does_not_fire_on_duration():
    needed, reason = verdict(incident(impact=None, mitigated=T0 + timedelta(hours=5)), "user_impact")
    assert not needed
    assert "impact none" in reason


@pytest.mark.parametrize(("severity", "fires"), [("SEV-1", True), ("SEV-2", True), ("SEV-3", False),
                                                 ("sev-2", True), (None, False), ("P1", False)])
def test_severity_threshold(severity, fires):
    needed, _ = verdict(incident(severity=severity), "user_impact")
    assert needed is fires


def test_data_loss_by_label_and_field():
    assert verdict(incident(labels=frozenset({"Data-Loss"})), "data_loss") == (True, "data loss: label data-loss")
    assert verdict(incident(), "data_loss")[0] is False
    criteria = only("data_loss", labels=(), field_values=(("customfield_10200", "Yes"),))
    inc = incident(field_values=(("customfield_10200", "Yes"),))
    assert decide(inc, criteria, NOW).fired[0].reason == "data loss: customfield_10200 = Yes"
    assert not decide(incident(field_values=(("customfield_10200", "No"),)), criteria, NOW).needed


@pytest.mark.parametrize("label", ["rollback", "traffic-reroute", "failover", "restart"])
def test_intervention_labels(label):
    needed, reason = verdict(incident(labels=frozenset({label, "other"})), "intervention")
    assert needed and reason == f"on-call intervention: label {label}"


def test_intervention_absent():
    assert verdict(incident(labels=frozenset({"rollback-plan"})), "intervention")[0] is False


@pytest.mark.parametrize(("minutes", "fires"), [(239, False), (240, True)])
def test_resolution_time_edge(minutes, fires):
    needed, reason = verdict(incident(resolved=T0 + timedelta(minutes=minutes)), "resolution_time")
    assert needed is fires
    assert reason.startswith(f"resolved after {minutes} min")


def test_resolution_time_unresolved():
    assert verdict(incident(), "resolution_time") == (False, "not resolved yet")


@pytest.mark.parametrize(("method", "fires"), [("Manual", True), ("customer report", True),
                                               ("Monitoring alert", False), (None, False)])
def test_monitoring_failure(method, fires):
    assert verdict(incident(detection_method=method), "monitoring_failure")[0] is fires


def test_explicit_request_by_label_new_comment_or_existing_comment():
    assert verdict(incident(labels=frozenset({"postmortem-requested"})), "explicit_request")[0]
    assert verdict(incident(), "explicit_request", new_comment="/postmortem please")[0]
    commented = incident(comments=(Comment(None, "Agreed.\n/postmortem", T0),))
    assert verdict(commented, "explicit_request") == (True, "comment /postmortem")
    assert not verdict(incident(), "explicit_request", new_comment="no /postmortem needed")[0]
    assert not verdict(incident(), "explicit_request", new_comment="/postmortems")[0]


def test_asks_for_postmortem_is_line_anchored():
    assert asks_for_postmortem("  /POSTMORTEM", "/postmortem")
    assert not asks_for_postmortem("see /postmortem", "/postmortem")


def test_decision_lists_every_rule_and_why():
    inc = incident(impact="downtime", mitigated=T0 + timedelta(minutes=47), labels=frozenset({"rollback"}),
                   detection_method="Customer report")
    decision = decide(inc, SHIPPED, NOW)
    assert decision.needed
    assert [r.rule for r in decision.results] == ["user_impact", "data_loss", "intervention", "resolution_time",
                                                  "monitoring_failure", "explicit_request"]
    assert decision.as_dict()["reasons"] == ["downtime 47 min >= 30 min", "on-call intervention: label rollback",
                                             "detected by Customer report, not by alerting"]


def test_nothing_fires_for_a_small_incident():
    inc = incident(severity="SEV-4", impact="degradation", mitigated=T0 + timedelta(minutes=5),
                   resolved=T0 + timedelta(minutes=20), detection_method="Monitoring alert")
    assert not decide(inc, SHIPPED, NOW).needed
