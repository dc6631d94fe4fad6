"""The incident timeline built from the Jira issue: what shows, in which order, as which kind."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from postmortem.incident import Change, Comment, HistoryEntry, Incident, Person
from postmortem.timeline import TimelineEntry, build_timeline, first_line

T0 = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
MINA = Person("acc-mina", "Mina Park")
JAE = Person("acc-jae", "김재현")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def incident(**overrides) -> Incident:
    base = Incident(key="INC-7", summary="Checkout outage", project="INC", issue_type="Incident",
                    created=at(0), reporter=MINA)
    return dataclasses.replace(base, **overrides)


def test_creation_is_the_first_entry_by_the_reporter() -> None:
    [entry] = build_timeline(incident())
    assert entry == TimelineEntry(at(0), MINA, "created", "Checkout outage")


def test_milestones_come_from_the_incident_times() -> None:
    entries = build_timeline(incident(started=at(-10), detected=at(3), mitigated=at(50), resolved=at(120)))
    assert [(e.kind, e.when, e.who, e.what) for e in entries] == [
        ("started", at(-10), None, ""),
        ("created", at(0), MINA, "Checkout outage"),
        ("detected", at(3), None, ""),
        ("mitigated", at(50), None, ""),
        ("resolved", at(120), None, ""),
    ]


def test_no_started_entry_without_an_explicit_start() -> None:
    assert [e.kind for e in build_timeline(incident(resolved=at(9)))] == ["created", "resolved"]


def test_changes_of_interest_with_their_kinds() -> None:
    history = (
        HistoryEntry(JAE, at(5), (Change("status", "Open", "Investigating"),
                                  Change("assignee", None, "김재현"),
                                  Change("description", "old", "new"),
                                  Change("Rank", "a", "b"))),
        HistoryEntry(JAE, at(6), (Change("priority", "Medium", "High"),
                                  Change("Severity", "SEV-3", "SEV-2"))),
        HistoryEntry(MINA, at(90), (Change("resolution", None, "Fixed"),
                                    Change("status", "Investigating", "Resolved"))),
    )
    entries = build_timeline(incident(history=history))
    assert [(e.when, e.who, e.kind, e.what) for e in entries[1:]] == [
        (at(5), JAE, "status", "Open → Investigating"),
        (at(5), JAE, "assignee", "— → 김재현"),
        (at(6), JAE, "priority", "Medium → High"),
        (at(6), JAE, "field", "Severity: SEV-3 → SEV-2"),
        (at(90), MINA, "field", "resolution: — → Fixed"),
        (at(90), MINA, "status", "Investigating → Resolved"),
    ]


def test_label_changes_show_what_was_added_and_removed() -> None:
    history = (HistoryEntry(JAE, at(5), (Change("labels", "payments old", "payments rollback new"),)),)
    [_, entry] = build_timeline(incident(history=history))
    assert (entry.kind, entry.what) == ("labels", "+rollback, +new, -old")


def test_extra_fields_are_configurable_and_case_insensitive() -> None:
    history = (HistoryEntry(JAE, at(5), (Change("Impact Level", "Minor", "Major"),
                                         Change("Severity", "SEV-3", "SEV-2"))),)
    entries = build_timeline(incident(history=history), extra_fields=["impact level"])
    assert [e.what for e in entries[1:]] == ["Impact Level: Minor → Major"]


def test_comments_show_their_first_line() -> None:
    comments = (Comment(JAE, "\n\n  롤백 시작합니다.  \n상세 내용은 채널 참고", at(30)),
                Comment(MINA, "x" * 500, at(40)),
                Comment(MINA, "no date, not on the timeline", None))
    entries = build_timeline(incident(comments=comments))
    assert [(e.kind, e.who, e.what) for e in entries[1:]] == [
        ("comment", JAE, "롤백 시작합니다."),
        ("comment", MINA, "x" * 199 + "…"),
    ]
    assert len(entries[2].what) == 200


@pytest.mark.parametrize(("text", "expected"), [
    ("", ""), ("   \n \n", ""), ("one\ntwo", "one"), ("a" * 200, "a" * 200), ("a" * 201, "a" * 199 + "…"),
])
def test_first_line(text: str, expected: str) -> None:
    assert first_line(text) == expected


def test_sorted_by_time_and_stable_for_equal_times() -> None:
    history = (HistoryEntry(JAE, at(0), (Change("status", "Open", "Investigating"),
                                         Change("priority", "Low", "High"))),
               HistoryEntry(JAE, at(-5), (Change("status", "New", "Open"),)))
    comments = (Comment(MINA, "late", at(20)), Comment(MINA, "same time as creation", at(0)))
    entries = build_timeline(incident(history=history, comments=comments, detected=at(0)))
    assert [(e.when, e.kind) for e in entries] == [
        (at(-5), "status"), (at(0), "created"), (at(0), "detected"), (at(0), "status"),
        (at(0), "priority"), (at(0), "comment"), (at(20), "comment"),
    ]


def test_entries_are_frozen() -> None:
    [entry] = build_timeline(incident())
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.what = "changed"  # type: ignore[misc]
