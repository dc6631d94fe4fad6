"""A team template folder is not a way to read the machine: only ``*.j2`` files inside the
template folders are templates, symlinks are followed only while they stay inside, and a
runaway template stops at a size limit with a clear error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jinja2 import TemplateError, TemplateNotFound

from postmortem.incident import Incident, Person
from postmortem.page_context import build_page_context
from postmortem.triggers import decide
from templates.render import MAX_PAGE_BYTES, PageRenderer, PageTooLarge, TemplateRefused
from tests.helpers import shipped_triggers

T0 = datetime(2026, 11, 25, 5, 3, tzinfo=UTC)
SECRET = "root:x:0:0:the-secret-line"


def context() -> dict:
    person = Person("acc-1", "Kim")
    incident = Incident(
        key="INC-7", summary="Checkout down", project="INC", issue_type="Incident", status="Resolved",
        description="d", severity="SEV-2", service="Checkout", impact="downtime", created=T0,
        started=T0 - timedelta(minutes=5), detected=T0, mitigated=T0 + timedelta(minutes=40),
        resolved=T0 + timedelta(hours=2), reporter=person, assignee=person)
    now = T0 + timedelta(days=1)
    return build_page_context(incident, decide(incident, shipped_triggers(), now), language="en",
                              timezone="UTC", template="default", labels=["postmortem"], now=now,
                              debrief_version="1.0")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "passwd").write_text(SECRET, encoding="utf-8")
    (folder / "page.xml.j2").write_text(f"<p>{SECRET}</p>", encoding="utf-8")
    return folder


@pytest.fixture
def team(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    return folder


def render(team: Path, name: str, **kw) -> str:
    return PageRenderer(team, **kw).render(name, context())


def test_a_template_symlinked_to_a_file_outside_is_refused(team, outside):
    (team / "leak.xml.j2").symlink_to(outside / "page.xml.j2")
    with pytest.raises(TemplateRefused, match="outside its template folder"):
        render(team, "leak")


def test_an_include_through_a_symlink_to_a_file_outside_is_refused(team, outside):
    (team / "passwd.j2").symlink_to(outside / "passwd")
    (team / "leak.xml.j2").write_text('<p>{% include "passwd.j2" %}</p>', encoding="utf-8")
    with pytest.raises(TemplateRefused) as caught:
        render(team, "leak")
    assert SECRET not in str(caught.value)


def test_an_include_through_a_symlinked_folder_outside_is_refused(team, outside):
    (team / "shared").symlink_to(outside, target_is_directory=True)
    (team / "leak.xml.j2").write_text('{% include "shared/page.xml.j2" %}', encoding="utf-8")
    with pytest.raises(TemplateRefused):
        render(team, "leak")


@pytest.mark.parametrize("target", ["render.py", "shipped/render.py", "__init__.py", "check.py",
                                    "../render.py", "/etc/hostname"])
def test_only_j2_files_are_templates(team, target):
    (team / "peek.xml.j2").write_text(f'<p>{{% include "{target}" %}}</p>', encoding="utf-8")
    with pytest.raises((TemplateRefused, TemplateNotFound)) as caught:
        render(team, "peek")
    assert "from __future__" not in str(caught.value)  # no source text comes back in the error


def test_a_team_file_that_is_not_a_template_cannot_be_included(team):
    (team / "notes.txt").write_text("private notes", encoding="utf-8")
    (team / "peek.xml.j2").write_text('<p>{% include "notes.txt" %}</p>', encoding="utf-8")
    with pytest.raises(TemplateRefused, match="only .j2 files"):
        render(team, "peek")


def test_a_symlink_that_stays_inside_the_folder_is_followed(team):
    (team / "parts").mkdir()
    (team / "parts" / "real.j2").write_text("<p>from a part {{ incident.key }}</p>", encoding="utf-8")
    (team / "alias.j2").symlink_to(team / "parts" / "real.j2")
    (team / "page.xml.j2").write_text('{% include "alias.j2" %}', encoding="utf-8")
    assert render(team, "page") == "<p>from a part INC-7</p>\n"


def test_a_runaway_template_stops_at_the_size_limit(team):
    (team / "big.xml.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}<p>xxxxxxxxxxxxxxxxxxxx</p>"
        "{% endfor %}{% endfor %}", encoding="utf-8")
    with pytest.raises(PageTooLarge) as caught:
        render(team, "big")
    assert str(MAX_PAGE_BYTES) in str(caught.value) and "big.xml.j2" in str(caught.value)
    assert isinstance(caught.value, TemplateError)  # a template error: the job parks, check-config reports


def test_the_limit_is_the_renderers(team):
    (team / "page.xml.j2").write_text("<p>{{ 'x' * 600 }}</p>", encoding="utf-8")
    assert render(team, "page", max_page_bytes=1000).startswith("<p>xxx")
    with pytest.raises(PageTooLarge, match="limit of 500 bytes"):
        render(team, "page", max_page_bytes=500)
