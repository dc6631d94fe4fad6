"""Rendered postmortem pages: sections, Confluence macros, tables; team templates; the storage
format checker; and ``check_templates`` as ``debrief check-config`` runs it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree.ElementTree import Element

import pytest
from jinja2 import TemplateNotFound, TemplateRuntimeError
from jinja2.exceptions import SecurityError

from postmortem.incident import Change, Comment, HistoryEntry, Incident, Person
from postmortem.page_context import build_page_context
from postmortem.storage_format import (
    AC,
    RI,
    XHTML,
    StorageFormatError,
    check_storage,
    parse_storage,
    storage_text,
)
from postmortem.triggers import decide
from templates.check import check_templates
from templates.render import SHIPPED_DIR, PageRenderer, UnknownTemplate
from tests.helpers import settings_with, shipped_triggers

T0 = datetime(2026, 11, 25, 5, 3, tzinfo=UTC)
MINA = Person("acc-mina", "Mina Park")
JAE = Person("acc-jae", "김재현")

HEADINGS = {
    "en": ["Summary", "Impact", "Root causes", "Trigger", "Resolution", "Detection", "Action items",
           "Lessons learned", "Timeline", "Supporting information", "Review checklist"],
    "ko": ["요약", "영향", "근본 원인", "발생 계기", "해결", "탐지", "액션 아이템", "교훈", "타임라인", "참고 자료",
           "리뷰 체크리스트"],
}
LESSONS = {"en": ["What went well", "What went wrong", "Where we got lucky"],
           "ko": ["잘된 점", "잘못된 점", "운이 좋았던 점"]}
DETAILS_KEYS = ["Incident", "Severity", "Service", "Status", "Started", "Detected", "Mitigated", "Resolved",
                "Duration", "Owner", "Trigger"]
ACTION_COLUMNS = {"en": ["Action item", "Type", "Owner", "Due", "Priority", "Ticket", "Status"],
                  "ko": ["액션 아이템", "유형", "담당자", "기한", "우선순위", "티켓", "상태"]}


def x(name: str) -> str:
    return f"{{{XHTML}}}{name}"


def ac(name: str) -> str:
    return f"{{{AC}}}{name}"


def text_of(element: Element) -> str:
    return "".join(element.itertext()).strip()


def make_incident(**overrides) -> Incident:
    base = Incident(
        key="INC-7", summary="Checkout outage", project="INC", issue_type="Incident", status="Resolved",
        description="Checkout failed after the deploy.\nAbout 40% of requests.\n\nRolled back.",
        severity="SEV-2", priority="High", service="Checkout", impact="downtime",
        detection_method="Customer report", labels=frozenset({"rollback"}), created=T0,
        started=T0 - timedelta(minutes=10), detected=T0 + timedelta(minutes=5),
        mitigated=T0 + timedelta(minutes=97), resolved=T0 + timedelta(hours=5), reporter=MINA, assignee=JAE,
        comments=(Comment(JAE, "Rolling back payments-api", T0 + timedelta(minutes=30)),),
        history=(HistoryEntry(JAE, T0 + timedelta(minutes=2), (Change("status", "Open", "Investigating"),)),),
    )
    return dataclasses.replace(base, **overrides)


def make_context(language: str = "en", incident: Incident | None = None, template: str = "default") -> dict:
    incident = incident or make_incident()
    now = T0 + timedelta(days=1)
    return build_page_context(incident, decide(incident, shipped_triggers(), now), language=language,
                              timezone="Asia/Seoul", template=template, labels=["postmortem"], now=now,
                              debrief_version="1.2.3")


def render(language: str = "en", name: str = "default", team: Path | None = None, **kw) -> str:
    return PageRenderer(team).render(name, make_context(language, **kw))


def table_rows(table: Element) -> list[list[str]]:
    return [[text_of(cell) for cell in row if cell.tag in (x("th"), x("td"))] for row in table.iter(x("tr"))]


def section_tables(root: Element) -> list[Element]:
    return [t for t in root.iter(x("table"))]


# --- the shipped template ------------------------------------------------------------------

@pytest.mark.parametrize("language", ["en", "ko"])
def test_every_section_heading_in_order(language: str) -> None:
    root = parse_storage(render(language))
    assert [text_of(h) for h in root.iter(x("h2"))] == HEADINGS[language]
    assert [text_of(h) for h in root.iter(x("h3"))][:3] == LESSONS[language]


@pytest.mark.parametrize("language", ["en", "ko"])
def test_page_properties_details_macro(language: str) -> None:
    root = parse_storage(render(language))
    [details] = [m for m in root.iter(ac("structured-macro")) if m.get(ac("name")) == "details"]
    rows = [[cell for cell in row] for row in details.iter(x("tr"))]
    assert [text_of(row[0]) for row in rows] == DETAILS_KEYS
    assert all([c.tag for c in row] == [x("th"), x("td")] for row in rows)
    values = {text_of(row[0]): row[1] for row in rows}
    assert text_of(values["Severity"]) == "SEV-2"
    assert text_of(values["Started"]) == "2026-11-25 13:53 KST"
    assert text_of(values["Duration"]) == {"en": "1 h 47 min", "ko": "1시간 47분"}[language]
    [user] = values["Owner"].iter(f"{{{RI}}}user")
    assert user.get(f"{{{RI}}}account-id") == "acc-jae"
    [jira] = values["Incident"].iter(ac("structured-macro"))
    assert jira.get(ac("name")) == "jira"
    assert [(p.get(ac("name")), p.text) for p in jira.iter(ac("parameter"))] == [("key", "INC-7")]


def test_status_lozenge_is_a_grey_draft() -> None:
    root = parse_storage(render())
    [status] = [m for m in root.iter(ac("structured-macro")) if m.get(ac("name")) == "status"]
    params = {p.get(ac("name")): p.text for p in status.iter(ac("parameter"))}
    assert params == {"colour": "Grey", "title": "DRAFT"}


def test_owner_falls_back_to_text_when_unassigned() -> None:
    root = parse_storage(render(incident=make_incident(assignee=None)))
    assert not list(root.iter(f"{{{RI}}}user"))
    [details] = [m for m in root.iter(ac("structured-macro")) if m.get(ac("name")) == "details"]
    rows = {cells[0]: cells[1] for cells in table_rows(details)}
    assert rows["Owner"] == "unassigned"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_action_item_table_header_in_the_page_language_and_in_order(language: str) -> None:
    page = render(language)
    root = parse_storage(page)
    [table] = [t for t in section_tables(root) if table_rows(t)[0][0] == ACTION_COLUMNS[language][0]]
    header, example = table_rows(table)
    assert header == ACTION_COLUMNS[language]
    # The example row holds only editor placeholders, so a parser reads it as empty.
    assert len(example) == 7
    for cell in list(table.iter(x("tr")))[1]:
        assert [c.tag for c in cell] == [ac("placeholder")] and not (cell.text or "").strip()
    guide = "mitigate, prevent, detect, process, investigate"
    assert guide in storage_text(page)


def test_timeline_rows_in_order() -> None:
    root = parse_storage(render())
    [table] = [t for t in section_tables(root) if table_rows(t)[0] == ["When", "Who", "What"]]
    assert table_rows(table)[1:] == [
        ["2026-11-25 13:53 KST", "", "Incident started"],
        ["2026-11-25 14:03 KST", "Mina Park", "Issue created: Checkout outage"],
        ["2026-11-25 14:05 KST", "김재현", "Status: Open → Investigating"],
        ["2026-11-25 14:08 KST", "", "Incident detected"],
        ["2026-11-25 14:33 KST", "김재현", "Comment: Rolling back payments-api"],
        ["2026-11-25 15:40 KST", "", "Impact mitigated"],
        ["2026-11-25 19:03 KST", "", "Incident resolved"],
    ]
    ko = parse_storage(render("ko"))
    [table] = [t for t in section_tables(ko) if table_rows(t)[0] == ["시각", "누가", "내용"]]
    assert table_rows(table)[1][2] == "장애 시작"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_review_checklist_is_a_task_list(language: str) -> None:
    root = parse_storage(render(language))
    tasks = list(root.iter(ac("task")))
    assert len(tasks) == 8
    assert [t.find(ac("task-id")).text for t in tasks] == [str(i) for i in range(1, 9)]
    assert {t.find(ac("task-status")).text for t in tasks} == {"incomplete"}
    bodies = [text_of(t.find(ac("task-body"))) for t in tasks]
    expected_first = {"en": "Incident data has been collected", "ko": "장애 데이터를 수집했다"}[language]
    assert bodies[0].startswith(expected_first)


@pytest.mark.parametrize(("language", "words"), [("en", "good faith"), ("ko", "좋은 의도")])
def test_blameless_reminder_in_an_info_panel(language: str, words: str) -> None:
    root = parse_storage(render(language))
    panels = [m for m in root.iter(ac("structured-macro")) if m.get(ac("name")) == "info"]
    # The other info panel is Debrief's review panel, marked by its anchor.
    assert [words in text_of(p.find(ac("rich-text-body"))) for p in panels] == [False, True]
    anchors = [[a for a in p.iter(ac("structured-macro")) if a.get(ac("name")) == "anchor"] for p in panels]
    assert [[text_of(a) for a in found] for found in anchors] == [["debrief-review"], []]


@pytest.mark.parametrize(("language", "root_cause_guide"), [
    ("en", "Keep asking why"), ("ko", "'왜'를 반복해서"),
])
def test_guidance_placeholders_in_the_page_language(language: str, root_cause_guide: str) -> None:
    root = parse_storage(render(language))
    placeholders = [text_of(p) for p in root.iter(ac("placeholder"))]
    assert any(root_cause_guide in p for p in placeholders)
    assert len(placeholders) >= 10
    # Placeholders are editor guidance, not page text.
    assert root_cause_guide not in storage_text(render(language))


def test_summary_and_description_are_on_the_page() -> None:
    root = parse_storage(render())
    paragraphs = [p for p in root.iter(x("p"))]
    assert "Checkout outage" in [text_of(p) for p in paragraphs]
    [described] = [p for p in paragraphs if (p.text or "").startswith("Checkout failed")]
    assert [described.text, *[br.tail for br in described]] == [
        "Checkout failed after the deploy.", "About 40% of requests."]
    assert "Rolled back." in [text_of(p) for p in paragraphs]


def test_shipped_templates_are_found_next_to_the_renderer() -> None:
    assert (SHIPPED_DIR / "base.xml.j2").is_file() and (SHIPPED_DIR / "default.xml.j2").is_file()
    assert PageRenderer().template_file("default") == str(SHIPPED_DIR / "default.xml.j2")


# --- team templates ----------------------------------------------------------------------------

LESSONS_OVERRIDE = """{% extends "base.xml.j2" %}
{% block lessons %}<h2>{{ text.heading.lessons }}</h2><p>{{ sm.placeholder("Payments: " ~ text.heading.went_well) }}</p><p>team lessons for {{ incident.key }}</p>{% endblock %}
"""


@pytest.mark.parametrize("language", ["en", "ko"])
def test_team_template_overrides_one_block(tmp_path: Path, language: str) -> None:
    (tmp_path / "payments.xml.j2").write_text(LESSONS_OVERRIDE, encoding="utf-8")
    page = render(language, name="payments", team=tmp_path)
    root = parse_storage(page)
    assert [text_of(h) for h in root.iter(x("h2"))] == HEADINGS[language]
    assert [text_of(h) for h in root.iter(x("h3"))][:1] != LESSONS[language][:1]
    assert "team lessons for INC-7" in storage_text(page)
    assert f"Payments: {LESSONS[language][0]}" in [text_of(p) for p in root.iter(ac("placeholder"))]
    # The shipped default is untouched by the team's payments template.
    assert "team lessons" not in render(language, team=tmp_path)


def test_team_default_shadows_the_shipped_one_and_can_extend_it(tmp_path: Path) -> None:
    (tmp_path / "default.xml.j2").write_text(
        '{% extends "shipped/default.xml.j2" %}{% block trigger %}<h2>Team trigger</h2>{% endblock %}',
        encoding="utf-8")
    root = parse_storage(render(team=tmp_path))
    headings = [text_of(h) for h in root.iter(x("h2"))]
    assert headings == [h if h != "Trigger" else "Team trigger" for h in HEADINGS["en"]]
    assert PageRenderer(tmp_path).template_file("default") == str(tmp_path / "default.xml.j2")


def test_a_team_template_extending_itself_gets_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "default.xml.j2").write_text('{% extends "default.xml.j2" %}', encoding="utf-8")
    with pytest.raises(TemplateRuntimeError, match='extends itself.*"shipped/default.xml.j2"'):
        render(team=tmp_path)


def test_team_base_shadows_the_shipped_base(tmp_path: Path) -> None:
    (tmp_path / "base.xml.j2").write_text("<p>tiny {{ incident.key }}</p>", encoding="utf-8")
    assert render(team=tmp_path) == "<p>tiny INC-7</p>\n"


def test_unknown_template_names_the_folders_searched(tmp_path: Path) -> None:
    with pytest.raises(UnknownTemplate) as caught:
        render(name="payments", team=tmp_path)
    assert isinstance(caught.value, TemplateNotFound)
    message = str(caught.value)
    assert "payments.xml.j2" in message and str(tmp_path) in message and str(SHIPPED_DIR) in message


@pytest.mark.parametrize("name", ["../default", "a/b", "", "storage"])
def test_names_outside_the_template_folders_are_unknown(name: str) -> None:
    with pytest.raises(UnknownTemplate):
        render(name=name)


def test_a_team_template_cannot_reach_python_internals(tmp_path: Path) -> None:
    (tmp_path / "evil.xml.j2").write_text("{{ incident.__class__.__mro__ }}", encoding="utf-8")
    with pytest.raises(SecurityError):
        render(name="evil", team=tmp_path)


def test_a_page_that_is_not_storage_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "broken.xml.j2").write_text(
        '{% extends "base.xml.j2" %}{% block lessons %}<p>never closed{% endblock %}', encoding="utf-8")
    with pytest.raises(StorageFormatError, match=r"broken\.xml\.j2 \(rendered page\): line \d+.*never closed"):
        render(name="broken", team=tmp_path)


def test_misspelt_variables_are_errors(tmp_path: Path) -> None:
    from jinja2 import UndefinedError

    (tmp_path / "typo.xml.j2").write_text("<p>{{ incident.sumary }}</p>", encoding="utf-8")
    with pytest.raises(UndefinedError):
        render(name="typo", team=tmp_path)


# --- storage format checker ------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "", "plain text", "<p>a &amp; b &lt; c</p>", "<p>&nbsp;&mdash;&hellip;&rsquo;&copy;&euro;</p>",
    "<p>&#160;&#x2014;</p>", "<br/><hr/>", '<ac:emoticon ac:name="smile"/>',
    '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a < b && c]]></ac:plain-text-body>'
    "</ac:structured-macro>",
    '<ac:link><ri:page ri:content-title="T" ri:space-key="PM"/><ac:plain-text-link-body><![CDATA[x]]>'
    "</ac:plain-text-link-body></ac:link>",
    "<p>one</p>\n<p>two</p>",
    '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[<!DOCTYPE html>]]></ac:plain-text-body>'
    "</ac:structured-macro><p>&lt;!DOCTYPE html&gt;</p><!-- a comment -->",
])
def test_valid_storage(body: str) -> None:
    check_storage(body)


@pytest.mark.parametrize(("body", "line", "column", "reason"), [
    ("<p>one</p>\n<p>unclosed", 2, 12, "<p> opened at line 2, column 1 is never closed"),
    ("<p>a</p>\n<p><b>x</p></b>", 2, 10, "mismatched tag: expected </b>"),
    ("a & b", 1, 4, "not well-formed"),
    ("<p>\n  &bogus;</p>", 2, 3, "undefined entity &bogus;"),
    ("<x:y/>", 1, 1, "unbound prefix"),
    ("<br>", 1, 5, "<br> opened at line 1, column 1 is never closed"),
    ('<!DOCTYPE x [<!ENTITY e "boom">]><p>&e;</p>', 1, 1, "<!DOCTYPE> declarations are not allowed"),
    ('<p>x</p>\n  <!ENTITY e "x">', 2, 3, "<!ENTITY> declarations are not allowed"),
    ("<p><![CDATA[x]]></p>", 1, 4, "CDATA section inside <p>"),
    ("<ac:structured-macro><ac:rich-text-body/></ac:structured-macro>", 1, 1, "needs an ac:name"),
    ("<p>a\x01</p>", 1, 5, "not well-formed"),
    ("<p>]]></p>", 1, 6, "not well-formed"),
])
def test_invalid_storage_names_line_and_column(body: str, line: int, column: int, reason: str) -> None:
    with pytest.raises(StorageFormatError) as caught:
        check_storage(body)
    error = caught.value
    assert (error.line, error.column) == (line, column), str(error)
    assert reason in error.reason
    assert str(error).startswith(f"line {line}, column {column}: ")


def test_storage_text_reads_like_the_page() -> None:
    body = ('<h2>Title</h2><p>a &amp; <strong>b</strong>&nbsp;c</p><table><tbody><tr><th>K</th><td>V</td></tr>'
            '</tbody></table><ac:structured-macro ac:name="status"><ac:parameter ac:name="title">DRAFT'
            "</ac:parameter></ac:structured-macro><p><ac:placeholder>guide</ac:placeholder>tail</p>"
            "<ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>incomplete</ac:task-status>"
            "<ac:task-body>check it</ac:task-body></ac:task></ac:task-list>")
    assert storage_text(body) == "Title\na & b c\nK\nV\ntail\ncheck it"


# --- check_templates (debrief check-config) -----------------------------------------------------------

def test_shipped_configuration_has_no_template_problems() -> None:
    assert check_templates(settings_with()) == []
    assert check_templates(settings_with(language="ko")) == []


def _rules(*names: str) -> list[dict]:
    return [{"template": n, "projects": [], "issue_types": [], "severities": [], "services": [n]} for n in names]


def test_check_templates_reports_each_broken_template(tmp_path: Path) -> None:
    (tmp_path / "payments.xml.j2").write_text(LESSONS_OVERRIDE, encoding="utf-8")
    (tmp_path / "syntax.xml.j2").write_text('{% extends "base.xml.j2" %}\n{% block lessons %}\n'
                                            "<p>{{ incident.summary }</p>\n{% endblock %}\n", encoding="utf-8")
    (tmp_path / "unsafe.xml.j2").write_text('{% extends "base.xml.j2" %}\n{% block summary %}\n'
                                            "<p>{{ incident.summary|safe }}</p>\n{% endblock %}\n",
                                            encoding="utf-8")
    (tmp_path / "noactions.xml.j2").write_text('{% extends "base.xml.j2" %}{% block action_items %}'
                                               "{% endblock %}", encoding="utf-8")
    (tmp_path / "korean.xml.j2").write_text(
        '{% extends "base.xml.j2" %}{% block lessons %}{% if language == "ko" %}<p>{% endif %}'
        "{% endblock %}", encoding="utf-8")
    settings = settings_with(**{"templates.team_folder": str(tmp_path),
                                "templates.rules": _rules("payments", "syntax", "unsafe", "noactions",
                                                          "korean", "missing")})
    problems = check_templates(settings)
    assert len(problems) == 5, problems
    syntax, unsafe, noactions, korean, missing = problems
    assert syntax.startswith(f"{tmp_path / 'syntax.xml.j2'}: line 3: unexpected '}}'")
    assert unsafe.startswith(f"{tmp_path / 'unsafe.xml.j2'}: incident text is rendered as markup")
    assert "Action item | Type | Owner | Due | Priority | Ticket | Status" in noactions
    assert korean.startswith(f"{tmp_path / 'korean.xml.j2'}: renders invalid storage format")
    assert "(language ko" in korean
    assert missing.startswith("app.yaml: templates: template 'missing' not found")


def test_check_templates_reports_a_missing_team_folder(tmp_path: Path) -> None:
    problems = check_templates(settings_with(**{"templates.team_folder": str(tmp_path / "nope")}))
    assert problems == [f"app.yaml: templates.team_folder: {tmp_path / 'nope'}: no such folder"]


def test_check_templates_shows_paths_relative_to_the_config(tmp_path: Path) -> None:
    from config.settings import settings_from_dict
    from tests.helpers import shipped_config

    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "payments.xml.j2").write_text("{% if %}", encoding="utf-8")
    raw = shipped_config()
    raw["templates"]["team_folder"] = "templates"
    raw["templates"]["rules"] = _rules("payments")
    problems = check_templates(settings_from_dict(raw, base_dir=tmp_path))
    assert len(problems) == 1 and problems[0].startswith("templates/payments.xml.j2: line 1: ")
