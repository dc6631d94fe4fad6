"""The page state value, label changes and the upkeep plan: pure, known answers."""

from __future__ import annotations

from datetime import UTC, datetime

from postmortem.incident import Incident, Person
from postmortem.page_state import PageState, incident_fingerprint, label_change
from postmortem.triggers import Decision
from postmortem.upkeep import PageFacts, plan_upkeep

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MINA = Person("acc-mina", "Mina")


def incident(**kw) -> Incident:
    base = {"key": "INC-7", "summary": "Checkout down", "project": "INC", "issue_type": "Incident",
            "severity": "SEV-2", "service": "checkout", "assignee": MINA}
    return Incident(**{**base, **kw})


def test_state_round_trips_and_keeps_unknown_keys():
    raw = {"incident": "INC-7", "status": "draft", "trigger": ["comment /postmortem"], "gates": {"root_cause": True},
           "owned": {"summary": "<p>x</p>"}, "labels": ["sev-2"], "future_key": 3}
    state = PageState.from_dict(raw)
    assert state.trigger == ("comment /postmortem",) and state.owned["summary"] == "<p>x</p>"
    assert state.extra["gates"] == {"root_cause": True} and state.extra["future_key"] == 3
    again = state.to_dict()
    assert again["gates"] == {"root_cause": True} and again["future_key"] == 3
    assert PageState.from_dict(again) == state


def test_state_from_garbage_is_a_default_not_a_crash():
    for junk in (None, [], "x", {"trigger": 5, "owned": ["a"], "labels": {"a": 1}}):
        state = PageState.from_dict(junk)
        assert state.trigger == () and dict(state.owned) == {} and state.status == "draft"


def test_a_severity_debrief_set_is_removed_when_the_incident_changes_but_peoples_labels_stay():
    state = PageState(incident="INC-7", labels=("postmortem", "postmortem-draft", "sev-2", "checkout", "inc-7"))
    on_page = ["postmortem", "postmortem-draft", "sev-2", "checkout", "inc-7", "sev-3", "team-pay"]
    change = label_change(state, incident(severity="SEV-1"), ["postmortem"], on_page)
    assert change.add == ("sev-1",)
    assert change.remove == ("sev-2",)  # sev-3 and team-pay were put there by people
    assert "sev-1" in change.debrief_labels and "sev-2" not in change.debrief_labels


def test_a_label_a_person_added_first_is_never_claimed_or_removed():
    state = PageState(incident="INC-7", labels=("postmortem", "inc-7"))
    change = label_change(state, incident(), ["postmortem"], ["postmortem", "inc-7", "sev-2", "postmortem-draft",
                                                               "checkout"])
    assert change.add == () and change.remove == ()
    assert "sev-2" not in change.debrief_labels  # a person put it there; it stays theirs
    later = label_change(PageState(incident="INC-7", labels=change.debrief_labels), incident(severity="SEV-1"),
                         ["postmortem"], ["postmortem", "inc-7", "sev-2", "postmortem-draft", "checkout"])
    assert later.remove == () and later.add == ("sev-1",)


def test_an_up_to_date_page_plans_no_write_and_a_changed_incident_plans_only_what_differs():
    inc = incident()
    url = "https://x/wiki/spaces/PM/pages/1"
    first = plan_upkeep(PageFacts("1", url, "Postmortem: INC-7", (), None), inc, Decision(()),
                        configured_labels=["postmortem"], template="default", language="en",
                        debrief_version="1", now=NOW)
    assert first.write_state and first.link is not None and [p.account_id for p in first.watch] == ["acc-mina"]
    on_page = tuple(first.labels.add)
    settled = PageFacts("1", url, "Postmortem: INC-7", on_page, first.state)
    done = plan_upkeep(settled, inc, Decision(()), configured_labels=["postmortem"], template="default",
                       language="en", debrief_version="1", now=NOW)
    assert done.writes == ["comment on the incident"]  # no comment linking the page exists in `inc`
    commented = incident(comments=(_comment(url),))
    nothing = plan_upkeep(PageFacts("1", url, "Postmortem: INC-7", on_page, first.state), commented, Decision(()),
                          configured_labels=["postmortem"], template="default", language="en",
                          debrief_version="1", now=NOW)
    assert nothing.writes == []  # up to date: not even the state is written
    sev1 = plan_upkeep(PageFacts("1", url, "Postmortem: INC-7", on_page, first.state),
                       incident(severity="SEV-1", comments=(_comment(url),)), Decision(()),
                       configured_labels=["postmortem"], template="default", language="en",
                       debrief_version="1", now=NOW)
    assert sev1.writes == ["add label sev-1", "remove label sev-2", "write the page state"]
    assert sev1.state.fingerprint != first.state.fingerprint


def test_fingerprint_follows_the_facts():
    assert incident_fingerprint(incident()) == incident_fingerprint(incident())
    assert incident_fingerprint(incident()) != incident_fingerprint(incident(summary="Checkout slow"))


def _comment(url: str):
    from postmortem.incident import Comment  # noqa: PLC0415

    return Comment(author=MINA, body=f"Draft: {url}", created=NOW, id="1")
