"""Real Confluence bodies (../shared/atlassian/storage, see its SOURCES.md) through the page
model: every one parses, and splicing any one table cell or task status leaves every other
character of the body as it was. Skipped where the folder is not on this machine."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem.page import apply_edits, parse_page

STORAGE_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "atlassian" / "storage"
BODIES = sorted(STORAGE_DIR.glob("*.xml")) if STORAGE_DIR.is_dir() else []
needs_bodies = pytest.mark.skipif(not BODIES, reason=f"the real page bodies are not on this machine ({STORAGE_DIR})")
HYPOTHESIS = settings(max_examples=150, deadline=None)


def body_of(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def all_cells(page):
    return [cell for table in page.tables() for row in table.rows for cell in row]


def expected_text(text: str) -> str:
    lines = (" ".join(line.replace("\u00a0", " ").split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def assert_outside_identical(before: str, after: str, span: tuple[int, int]) -> None:
    start, end = span
    tail = len(before) - end
    assert after[:start] == before[:start]
    assert after[len(after) - tail:] == before[end:]


@needs_bodies
def test_every_real_body_is_there() -> None:
    assert len(BODIES) == 15


@needs_bodies
@pytest.mark.parametrize("path", BODIES, ids=lambda p: p.name)
def test_every_real_body_parses_and_every_cell_splices_alone(path: Path) -> None:
    body = body_of(path)
    page = parse_page(body)
    assert page.body is body
    cells = all_cells(page)
    for cell in cells:
        assert body[cell.span[0]:cell.span[0] + 3] in ("<td", "<th")
        assert body[slice(*cell.inner)] == cell.xml
    marker = "<p>spliced &amp; 새 값</p>"
    for cell in cells:
        after = apply_edits(body, [page.replace_cell(cell, marker)])
        start = cell.inner[0] if not cell.empty else cell.span[0]
        end = cell.inner[1] if not cell.empty else cell.span[1]
        assert_outside_identical(body, after, (start, end))
        again = parse_page(after)
        [changed] = [c for c in all_cells(again) if c.span[0] == cell.span[0]]
        assert changed.text == "spliced & 새 값"


@needs_bodies
@pytest.mark.parametrize("path", BODIES, ids=lambda p: p.name)
def test_every_task_status_splices_alone(path: Path) -> None:
    body = body_of(path)
    page = parse_page(body)
    tasks = page.checklist or parse_page_tasks(body)
    for task in tasks:
        after = apply_edits(body, [page.set_task(task, not task.complete)])
        assert_outside_identical(body, after, task.status_span)
        [again] = [t for t in parse_page_tasks(after) if t.span[0] == task.span[0]]
        assert again.complete is not task.complete


def parse_page_tasks(body: str):
    """Every task on a page (a real body has no review-checklist section: read them all)."""
    return parse_page(body).tasks()


@needs_bodies
def test_real_bodies_have_tasks_and_tables_to_splice() -> None:
    pages = {p.name: parse_page(body_of(p)) for p in BODIES}
    assert sum(len(all_cells(p)) for p in pages.values()) > 700
    with_tasks = [name for name in pages if parse_page_tasks(body_of(STORAGE_DIR / name))]
    assert {"02-dc-table-mentions-dates-task.xml", "14-cloud-space-welcome-tasks.xml",
            "18-dc8-space-home-tasks-in-table.xml", "19-server43-details-tasks-mention.xml"} <= set(with_tasks)


@needs_bodies
def test_what_the_real_editors_put_in_cells_is_read() -> None:
    dc = parse_page(body_of(STORAGE_DIR / "02-dc-table-mentions-dates-task.xml"))
    cells = all_cells(dc)
    assert {m.kind for c in cells for m in c.mentions} == {"userkey"}
    assert "2023-12-04" in {d for c in cells for d in c.dates}
    server = parse_page(body_of(STORAGE_DIR / "19-server43-details-tasks-mention.xml"))
    assert [t.complete for t in parse_page_tasks(server.body)][:2] == [True, False]


TEXT = st.lists(st.characters(blacklist_categories=("Cs", "Cc", "Cn", "Co", "Zl", "Zp"))
                | st.sampled_from([*"<>&\"' \n장애결제", "]]>", "&amp;", "<p>", "&nbsp;"]),
                max_size=30).map("".join)


@needs_bodies
@HYPOTHESIS
@given(data=st.data(), text=TEXT)
def test_a_random_cell_takes_random_text_and_nothing_else_changes(data, text: str) -> None:
    path = data.draw(st.sampled_from(BODIES), label="body")
    body = body_of(path)
    page = parse_page(body)
    cells = all_cells(page)
    if not cells:
        return
    cell = data.draw(st.sampled_from(cells), label="cell")
    edit = page.replace_cell_text(cell, text)
    after = apply_edits(body, [edit])
    assert_outside_identical(body, after, edit.span)
    [changed] = [c for c in all_cells(parse_page(after)) if c.span[0] == cell.span[0]]
    assert changed.text == expected_text(text)


@needs_bodies
@HYPOTHESIS
@given(data=st.data())
def test_random_task_status_changes_only_its_status(data) -> None:
    path = data.draw(st.sampled_from([p for p in BODIES if parse_page_tasks(body_of(p))]), label="body")
    body = body_of(path)
    page = parse_page(body)
    task = data.draw(st.sampled_from(parse_page_tasks(body)), label="task")
    complete = data.draw(st.booleans(), label="complete")
    after = apply_edits(body, [page.set_task(task, complete)])
    assert_outside_identical(body, after, task.status_span)
    [again] = [t for t in parse_page_tasks(after) if t.span[0] == task.span[0]]
    assert again.complete is complete
