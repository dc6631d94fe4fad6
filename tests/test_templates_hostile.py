"""Incident text is data, never markup: whatever Jira holds, the page parses as storage format
and the text comes back as text. XML-invalid control characters are stripped by the context
builder; Jinja syntax in incident text stays literal."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem.incident import Change, Comment, HistoryEntry, Incident, Person
from postmortem.page_context import (
    build_page_context,
    clean_line,
    paragraphs,
    postmortem_labels,
    postmortem_title,
)
from postmortem.storage_format import (
    AC,
    RI,
    XHTML,
    StorageFormatError,
    check_storage,
    parse_storage,
)
from postmortem.timeline import first_line
from postmortem.triggers import decide
from templates.check import HOSTILE_TEXT, sample_incidents
from templates.render import PageRenderer
from tests.helpers import shipped_triggers

T0 = datetime(2026, 11, 25, 5, 3, tzinfo=UTC)
RENDERER = PageRenderer()
# What XML 1.0 cannot carry, plus DEL and the C1 controls: none of it may reach a page.
UNWANTED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

NASTY = ["<script>alert(1)</script>", "]]>", "<![CDATA[", "{{ 7*7 }}", "{% raw %}", "{# x #}", "&nbsp;",
         "&amp;", "&", "<", ">", '"', "'", "\x00", "\x1b", "\x7f", "\x85", "\ufffe", "\r\n", "\r", "\t",
         "🔥", "장애", "<ac:link><ri:user ri:account-id=\"x\"/></ac:link>", "<p>", "</td></tr>", "\u2028"]
# Any unicode (control characters included), mixed with fragments that break careless templates.
hostile = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(NASTY)), max_size=8).map("".join)
languages = st.sampled_from(["en", "ko"])
HYPOTHESIS = settings(max_examples=100, deadline=None)


def x(name: str) -> str:
    return f"{{{XHTML}}}{name}"


def incident_with(summary: str, description: str, comment: str, name: str, account: str) -> Incident:
    person = Person(account or "acc", name)
    return Incident(
        key="INC-7", summary=summary, project="INC", issue_type="Incident", status="Resolved",
        description=description, severity="SEV-2", service="Checkout", impact="downtime",
        created=T0, started=T0 - timedelta(minutes=5), detected=T0 + timedelta(minutes=3),
        mitigated=T0 + timedelta(minutes=40), resolved=T0 + timedelta(hours=2), reporter=person,
        assignee=person, comments=(Comment(person, comment, T0 + timedelta(minutes=10)),),
        history=(HistoryEntry(person, T0 + timedelta(minutes=1), (Change("status", summary, comment),)),),
    )


def context_for(incident: Incident, language: str) -> dict:
    now = T0 + timedelta(days=1)
    return build_page_context(incident, decide(incident, shipped_triggers(), now), language=language,
                              timezone="Asia/Seoul", template="default", labels=["postmortem"], now=now,
                              debrief_version="1.0")


def paragraph_lines(root: Element) -> list[list[str]]:
    """Each <p> as its lines: the text before the first <br/> and the text after each."""
    out = []
    for p in root.iter(x("p")):
        if all(child.tag == x("br") for child in p):
            out.append([p.text or "", *[br.tail or "" for br in p]])
    return out


def timeline_rows(root: Element) -> list[list[str]]:
    for table in root.iter(x("table")):
        rows = [["".join(cell.itertext()) for cell in row] for row in table.iter(x("tr"))]
        if rows and len(rows[0]) == 3 and rows[0][0] in ("When", "시각"):
            return rows[1:]
    raise AssertionError("no timeline table")


def _tags(root: Element) -> set[str]:
    return {element.tag for element in root.iter()}


BASELINE = {lang: parse_storage(RENDERER.render("default", context_for(sample_incidents()[0].incident, lang)))
            for lang in ("en", "ko")}


@HYPOTHESIS
@given(summary=hostile, description=hostile, comment=hostile, name=hostile, account=hostile, language=languages)
def test_incident_text_comes_back_as_text(summary: str, description: str, comment: str, name: str,
                                          account: str, language: str) -> None:
    incident = incident_with(summary, description, comment, name, account)
    context = context_for(incident, language)
    root = parse_storage(RENDERER.render("default", context))  # raises unless well-formed storage

    # No element came from incident text: the page has the shipped template's structure.
    assert _tags(root) <= _tags(BASELINE[language])
    macros = [m.get(f"{{{AC}}}name") for m in root.iter(f"{{{AC}}}structured-macro")]
    # The review panel and the blameless reminder are info panels; anchors mark the review
    # panel and each review task (postmortem.page.markers).
    assert sorted(macros) == ["anchor"] * 9 + ["details", "info", "info", "jira", "status"]
    assert len(list(root.iter(x("h2")))) == 11

    # Summary and description read back exactly, cleaned of control characters.
    lines = paragraph_lines(root)
    if clean_line(summary):
        assert [clean_line(summary)] in lines
    for paragraph in paragraphs(description):
        assert paragraph in lines

    # The timeline table holds the context's rows, text for text; the comment's first line is there.
    assert timeline_rows(root) == [[r["when"], r["who"], r["what"]] for r in context["timeline"]]
    comment_rows = [r for r in context["timeline"] if r["kind"] == "comment"]
    expected = clean_line({"en": "Comment: ", "ko": "댓글: "}[language] + first_line(comment))
    assert [r["what"] for r in comment_rows] == [expected]
    assert {r["who"] for r in comment_rows} == {clean_line(name) or clean_line(account or "acc")}

    # The owner's account id stays an attribute value.
    owners = [u.get(f"{{{RI}}}account-id") for u in root.iter(f"{{{RI}}}user")]
    assert owners == ([clean_line(account or "acc")] if clean_line(account or "acc") else [])


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


@HYPOTHESIS
@given(summary=hostile, description=hostile, comment=hostile, name=hostile, account=hostile, language=languages)
def test_the_context_carries_no_control_characters(summary: str, description: str, comment: str, name: str,
                                                   account: str, language: str) -> None:
    context = context_for(incident_with(summary, description, comment, name, account), language)
    for text in _strings(context):
        assert not UNWANTED.search(text), repr(text)


@HYPOTHESIS
@given(summary=hostile, language=languages)
def test_titles_are_one_clean_line(summary: str, language: str) -> None:
    incident = incident_with(summary, "", "", "n", "a")
    title = postmortem_title(incident, language)
    assert "\n" not in title and "\t" not in title and not UNWANTED.search(title)
    assert 0 < len(title) <= 255


@HYPOTHESIS
@given(base=st.lists(hostile, max_size=3), severity=hostile, service=hostile, key=hostile)
def test_labels_are_always_confluence_safe(base: list[str], severity: str, service: str, key: str) -> None:
    incident = Incident(key=key, summary="s", project="INC", issue_type="Incident", severity=severity,
                        service=service)
    labels = postmortem_labels(incident, base)
    assert len(labels) == len(set(labels))
    assert "postmortem-draft" in labels
    for label in labels:
        assert re.fullmatch(r"[\w-]{1,255}", label), label
        assert label == label.lower() and not label.startswith("-") and not label.endswith("-")


@HYPOTHESIS
@given(body=st.text(max_size=60) | hostile)
def test_check_storage_only_ever_raises_storage_format_error(body: str) -> None:
    try:
        check_storage(body)
    except StorageFormatError as error:
        assert error.line >= 1 and error.column >= 1


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("text", ["{{ 7*7 }}", "{% if true %}yes{% endif %}", "{{ ''.__class__ }}",
                                  "{# hidden #}", "${7*7}"])
def test_jinja_syntax_in_incident_text_stays_literal(language: str, text: str) -> None:
    incident = incident_with(text, text, text, text, "acc")
    root = parse_storage(RENDERER.render("default", context_for(incident, language)))
    assert [text] in paragraph_lines(root)
    assert "49" not in "".join(root.itertext())


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_built_in_hostile_sample(language: str) -> None:
    sample = next(s for s in sample_incidents() if s.name == "hostile")
    page = RENDERER.render("default", context_for(sample.incident, language))
    root = parse_storage(page)
    assert [clean_line(HOSTILE_TEXT)] in paragraph_lines(root)
    assert "<script>" not in page and "]]>" not in page
    assert not [el for el in root.iter() if el.tag.endswith("}script")]
