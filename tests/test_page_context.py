"""The page context: plain values in the page's language, and the message catalogue behind it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from postmortem.incident import Change, Comment, HistoryEntry, Incident, Person
from postmortem.messages import LANGUAGES, MESSAGES, fields_of, message
from postmortem.page_context import (
    build_page_context,
    clean_line,
    clean_text,
    format_duration,
    format_time,
    label_slug,
    paragraphs,
    postmortem_labels,
    postmortem_title,
)
from postmortem.triggers import Decision, RuleResult, decide
from tests.helpers import shipped_triggers

T0 = datetime(2026, 11, 25, 5, 3, tzinfo=UTC)  # 14:03 in Seoul
MINA = Person("acc-mina", "Mina Park")
JAE = Person("acc-jae", "김재현")


def incident(**overrides) -> Incident:
    base = Incident(
        key="INC-7", summary="Checkout outage", project="INC", issue_type="Incident", status="Resolved",
        description="Checkout failed.\n\nRolled back.", severity="SEV-2", priority="High",
        service="Checkout", impact="downtime", detection_method="Customer report",
        labels=frozenset({"rollback"}), created=T0, started=T0 - timedelta(minutes=10),
        detected=T0 + timedelta(minutes=5), mitigated=T0 + timedelta(minutes=97),
        resolved=T0 + timedelta(hours=5), reporter=MINA, assignee=JAE,
        comments=(Comment(JAE, "Rolling back\nsee channel", T0 + timedelta(minutes=30)),),
        history=(HistoryEntry(JAE, T0 + timedelta(minutes=2), (Change("status", "Open", "Investigating"),)),),
    )
    return dataclasses.replace(base, **overrides)


def context(inc: Incident | None = None, language: str = "en", **kwargs) -> dict:
    inc = inc or incident()
    now = kwargs.pop("now", T0 + timedelta(days=1))
    options = {"timezone": "Asia/Seoul", "template": "default", "labels": ["postmortem"],
               "now": now, "debrief_version": "9.9.9"} | kwargs
    return build_page_context(inc, decide(inc, shipped_triggers(), now), language=language, **options)


# --- message catalogue -------------------------------------------------------------------

def test_every_message_exists_in_every_language_with_the_same_fields() -> None:
    assert set(MESSAGES) == set(LANGUAGES) == {"en", "ko"}
    keys = {lang: set(MESSAGES[lang]) for lang in LANGUAGES}
    assert keys["en"] == keys["ko"], keys["en"] ^ keys["ko"]
    for key in MESSAGES["en"]:
        assert fields_of(MESSAGES["en"][key]) == fields_of(MESSAGES["ko"][key]), key
        assert all(MESSAGES[lang][key] for lang in LANGUAGES), key


def test_korean_messages_are_translated() -> None:
    same = {k for k in MESSAGES["en"] if MESSAGES["en"][k] == MESSAGES["ko"][k]}
    # Only language-neutral texts may be identical.
    assert same <= {"duration.separator", "guide.due", "guide.status", "guide.type", "timeline.field"}


def test_message_fills_fields_and_never_reads_values_as_formats() -> None:
    assert message("en", "title", key="INC-1", summary="{key} {0} {{x}}") == "Postmortem: INC-1 {key} {0} {{x}}"
    assert message("ko", "duration.hours", n=3) == "3시간"


def test_unknown_language_or_key() -> None:
    with pytest.raises(KeyError, match="language"):
        message("fr", "title", key="k", summary="s")
    with pytest.raises(KeyError, match="no message"):
        message("en", "heading.nope")


# --- formatting -----------------------------------------------------------------------------

@pytest.mark.parametrize(("minutes", "en", "ko"), [
    (107, "1 h 47 min", "1시간 47분"),
    (0, "0 min", "0분"),
    (60, "1 h", "1시간"),
    (59, "59 min", "59분"),
    (24 * 60 * 2 + 5, "2 d 5 min", "2일 5분"),
])
def test_durations(minutes: int, en: str, ko: str) -> None:
    delta = timedelta(minutes=minutes, seconds=59)
    assert format_duration(delta, "en") == en
    assert format_duration(delta, "ko") == ko


def test_unknown_duration_and_time_are_empty() -> None:
    assert format_duration(None, "en") == ""
    assert format_time(None, "UTC") == ""


def test_times_in_the_configured_timezone() -> None:
    assert format_time(T0, "Asia/Seoul") == "2026-11-25 14:03 KST"
    assert format_time(T0, "UTC") == "2026-11-25 05:03 UTC"
    assert format_time(T0, "Europe/Berlin") == "2026-11-25 06:03 CET"


def test_control_characters_are_stripped() -> None:
    assert clean_text("a\x00b\x07c\x1b\x7f\x85d\ufffe\r\ne\rf\tg") == "abcd\ne\nf\tg"
    assert clean_line("  a \n\t b\x00  ") == "a b"
    assert clean_text(None) == ""


def test_paragraphs() -> None:
    assert paragraphs("one\ntwo  \n\n \n\nthree\r\n\r\nfour\x00") == [["one", "two"], ["three"], ["four"]]
    assert paragraphs("") == []


# --- title and labels -------------------------------------------------------------------------

def test_title_in_each_language() -> None:
    assert postmortem_title(incident(), "en") == "Postmortem: INC-7 Checkout outage"
    assert postmortem_title(incident(), "ko") == "포스트모템: INC-7 Checkout outage"


def test_title_is_one_line_within_confluence_limit() -> None:
    title = postmortem_title(incident(summary="a\nb\x00  c " + "x" * 400), "en")
    assert title.startswith("Postmortem: INC-7 a b c xxx")
    assert len(title) == 255 and title.endswith("…")


def test_labels_known_answer() -> None:
    inc = incident(severity="SEV-2", service="Checkout, Payments API")
    assert postmortem_labels(inc, ["postmortem"]) == [
        "postmortem", "postmortem-draft", "sev-2", "checkout", "payments-api", "inc-7"]
    assert postmortem_labels(inc, ["Postmortem"], status="in-review")[1] == "postmortem-in-review"


def test_labels_are_confluence_safe_and_unique() -> None:
    inc = incident(key="INC-7", severity="Critical", service="pay:ments, 결제 서비스, ;;;")
    labels = postmortem_labels(inc, ["postmortem", "team: SRE!", "POSTMORTEM", "inc-7", ""])
    assert labels == ["postmortem", "team-sre", "inc-7", "postmortem-draft", "sev-critical",
                      "pay-ments", "결제-서비스"]
    for label in labels:
        assert label == label.lower() and not set(label) & set(" :;,.!#&()*?@[]^<>")


def test_labels_without_severity_or_service() -> None:
    assert postmortem_labels(incident(severity=None, service=None), ["postmortem"]) == [
        "postmortem", "postmortem-draft", "inc-7"]


def test_labels_accept_their_own_output() -> None:
    once = postmortem_labels(incident(), ["postmortem"])
    assert postmortem_labels(incident(), once) == once


@pytest.mark.parametrize(("text", "slug"), [("SEV 2", "sev-2"), ("a--b__", "a-b"), ("--", ""), ("Ünïcode", "ünïcode")])
def test_label_slug(text: str, slug: str) -> None:
    assert label_slug(text) == slug


# --- the context ----------------------------------------------------------------------------

def _plain(value, path="context") -> None:
    assert isinstance(value, str | int | bool | list | dict), f"{path}: {type(value).__name__}"
    if isinstance(value, dict):
        for key, inner in value.items():
            assert isinstance(key, str), path
            _plain(inner, f"{path}.{key}")
    if isinstance(value, list):
        for i, inner in enumerate(value):
            _plain(inner, f"{path}[{i}]")


@pytest.mark.parametrize("language", ["en", "ko"])
def test_context_holds_only_plain_values(language: str) -> None:
    _plain(context(language=language))
    _plain(context(incident(assignee=None, reporter=None, severity=None, detected=None, mitigated=None,
                            resolved=None, started=None, created=None, comments=(), history=())))


def test_context_known_answers_en() -> None:
    ctx = context()
    assert ctx["title"] == "Postmortem: INC-7 Checkout outage"
    assert (ctx["status"], ctx["status_colour"]) == ("DRAFT", "Grey")
    assert ctx["generated_at"] == "2026-11-26 14:03 KST"
    assert ctx["debrief_version"] == "9.9.9"
    assert ctx["incident"]["key"] == "INC-7"
    assert ctx["incident"]["severity"] == "SEV-2"
    assert ctx["incident"]["description_paragraphs"] == [["Checkout failed."], ["Rolled back."]]
    assert ctx["times"] == {
        "started": "2026-11-25 13:53 KST", "detected": "2026-11-25 14:08 KST",
        "mitigated": "2026-11-25 15:40 KST", "resolved": "2026-11-25 19:03 KST",
        "time_to_detect": "15 min", "time_to_mitigate": "1 h 47 min", "time_to_resolve": "5 h 10 min",
        "impact_duration": "1 h 47 min", "ongoing": False,
    }
    assert ctx["people"]["assignee"] == {"account_id": "acc-jae", "name": "김재현", "mention_id": "acc-jae"}
    assert ctx["people"]["participants"] == [
        {"account_id": "acc-jae", "name": "김재현", "mention_id": "acc-jae"},
        {"account_id": "acc-mina", "name": "Mina Park", "mention_id": "acc-mina"}]
    assert ctx["labels"] == ["postmortem", "postmortem-draft", "sev-2", "checkout", "inc-7"]
    assert ctx["action_items"]["columns"] == ["Action item", "Type", "Owner", "Due", "Priority", "Ticket",
                                              "Status"]
    assert ctx["action_items"]["types"] == ["mitigate", "prevent", "detect", "process", "investigate"]
    assert [item["gate"] for item in ctx["review_checklist"]] == [
        "data_collected", "impact_assessed", "root_cause", "action_plan", "results_shared", "blameless",
        "no_personal_data", "approved"]
    assert ctx["text"]["heading"]["root_causes"] == "Root causes"
    assert "mitigate, prevent, detect, process, investigate" in ctx["text"]["guide"]["action_items"]
    assert ctx["text"]["label"]["generated"] == "Draft generated by Debrief 9.9.9 at 2026-11-26 14:03 KST."


def test_timeline_rows_in_each_language() -> None:
    rows = context()["timeline"]
    assert [(r["when"], r["who"], r["who_account_id"], r["kind"], r["what"]) for r in rows] == [
        ("2026-11-25 13:53 KST", "", "", "started", "Incident started"),
        ("2026-11-25 14:03 KST", "Mina Park", "acc-mina", "created", "Issue created: Checkout outage"),
        ("2026-11-25 14:05 KST", "김재현", "acc-jae", "status", "Status: Open → Investigating"),
        ("2026-11-25 14:08 KST", "", "", "detected", "Incident detected"),
        ("2026-11-25 14:33 KST", "김재현", "acc-jae", "comment", "Comment: Rolling back"),
        ("2026-11-25 15:40 KST", "", "", "mitigated", "Impact mitigated"),
        ("2026-11-25 19:03 KST", "", "", "resolved", "Incident resolved"),
    ]
    ko = [r["what"] for r in context(language="ko")["timeline"]]
    assert ko == ["장애 시작", "이슈 생성: Checkout outage", "상태: Open → Investigating", "장애 탐지",
                  "댓글: Rolling back", "영향 완화", "장애 해결"]


def test_korean_context() -> None:
    ctx = context(language="ko")
    assert ctx["title"] == "포스트모템: INC-7 Checkout outage"
    assert ctx["times"]["time_to_mitigate"] == "1시간 47분"
    assert ctx["text"]["heading"]["lessons"] == "교훈"
    assert ctx["review_checklist"][0]["text"].startswith("장애 데이터를 수집했다")
    # Action-item columns are in the page's language: the page model reads either.
    assert ctx["action_items"]["columns"][0] == "액션 아이템"
    assert ctx["action_items"]["keys"][0] == "action"
    assert ctx["review_checklist"][0]["anchor"] == "debrief-gate-data_collected"


def test_ongoing_incident_counts_impact_up_to_now() -> None:
    ctx = context(incident(mitigated=None, resolved=None), now=T0 + timedelta(minutes=50))
    assert ctx["times"]["ongoing"] is True
    assert ctx["times"]["impact_duration"] == "1 h"
    assert (ctx["times"]["mitigated"], ctx["times"]["time_to_resolve"]) == ("", "")


def test_trigger_reasons_and_rule_names() -> None:
    decision = Decision((RuleResult("user_impact", True, "downtime 107 min >= 30 min"),
                         RuleResult("data_loss", False, "no data loss marker")))
    ctx = build_page_context(incident(), decision, language="ko", timezone="UTC", template="default",
                             labels=[], now=T0)
    assert ctx["trigger"]["needed"] is True
    assert ctx["trigger"]["fired"] == ["downtime 107 min >= 30 min"]
    assert ctx["trigger"]["fired_rules"] == [{"rule": "user_impact", "name": "사용자가 겪은 다운타임 또는 성능 저하",
                                              "reason": "downtime 107 min >= 30 min"}]
    assert [r["fired"] for r in ctx["trigger"]["rules"]] == [True, False]


def test_missing_people_and_url_from_base() -> None:
    ctx = context(incident(assignee=None, url=""), jira_base_url="https://jira.example.com/")
    assert ctx["people"]["assignee"] == {"account_id": "", "name": "", "mention_id": ""}
    assert ctx["incident"]["url"] == "https://jira.example.com/browse/INC-7"


def test_status_colours() -> None:
    assert context(status="in review")["status_colour"] == "Blue"
    assert context(status="approved")["status_colour"] == "Green"


def test_incident_text_is_cleaned_in_the_context() -> None:
    nasty = "a\x00b\x1b <c> ]]> {{ 7*7 }}\r\nd"
    ctx = context(incident(summary=nasty, description=nasty, assignee=Person("id\x01", "N\x02ame"),
                           comments=(Comment(MINA, nasty, T0),)))
    assert ctx["incident"]["summary"] == "ab <c> ]]> {{ 7*7 }} d"
    assert ctx["incident"]["description"] == "ab <c> ]]> {{ 7*7 }}\nd"
    assert ctx["people"]["assignee"] == {"account_id": "id", "name": "Name", "mention_id": "id"}
    assert "Comment: ab <c> ]]> {{ 7*7 }}" in [r["what"] for r in ctx["timeline"]]


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="language"):
        context(language="fr")
