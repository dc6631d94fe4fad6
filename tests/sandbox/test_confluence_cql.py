"""The sandbox's CQL: tokenizer, parser and evaluator, without HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sandbox.confluence import cql

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def record(**overrides: object) -> cql.Record:
    values: dict = {
        "id": "98100", "type": "page", "space_key": "PM", "space_title": "Postmortems",
        "title": "INC-7 Payment outage", "text": "The payment gateway timed out for 20 minutes",
        "labels": ["postmortem", "sev1"], "ancestors": ["98001"], "parent": "98001",
        "creator": {"acc-1", "mina.park", "mina.park@example.com"},
        "contributors": {"acc-1", "acc-2"},
        "created": datetime(2024, 5, 30, 9, 0, tzinfo=UTC),
        "lastmodified": datetime(2024, 5, 31, 18, 30, tzinfo=UTC),
    }
    values.update(overrides)
    return cql.Record(**values)


def matches(query: str, rec: cql.Record | None = None, **context: object) -> bool:
    ctx = cql.Context(now=NOW, **context)  # type: ignore[arg-type]
    return cql.compile_query(cql.parse(query), ctx)(rec or record())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("label = postmortem", True),
        ('label = "POSTMORTEM"', True),
        ("label = global:sev1", True),
        ("label != postmortem", False),
        ("label in (draft, sev1)", True),
        ("label not in (draft, sev1)", False),
        ("space = PM and type = page", True),
        ("space.key = pmarchive", False),
        ('space.title ~ "postmortem"', True),
        ("type = comment or title ~ payment", True),
        ("not (type = comment)", True),
        ("NOT type = page", False),
        ('title = "INC-7 Payment outage"', True),
        ('title ~ "pay*"', True),
        ('title ~ "outage payment"', True),
        ('title !~ "outage"', False),
        ('text ~ "gateway"', True),
        ('text ~ "\\"gateway timed\\""', True),
        ('text ~ "sev1"', True),  # labels are part of the text
        ("ancestor = 98001 and parent = 98001", True),
        ("ancestor = 98002", False),
        ("id = 98100", True),
        ("id in (1, 2)", False),
        ("creator = mina.park", True),
        ("creator = currentUser()", False),
        ("contributor = acc-2", True),
        ("created = 2024-05-30", True),
        ("created > 2024-05-30", False),
        ("created >= 2024-05-30 and created < 2024-05-31", True),
        ('lastmodified > now("-1d")', True),
        ('lastmodified > now("-12h")', False),
        ("created > -4w", True),
        ("created >= startOfMonth()", False),
        ("created >= startOfMonth(-1M)", True),
        ("(label = a or label = sev1) and (space = PM or space = X)", True),
        ("label = a or label = b and label = sev1", False),
        ("type = page order by created desc", True),
    ],
)
def test_evaluation(query: str, expected: bool) -> None:
    assert matches(query) is expected


def test_current_user_and_current_space_come_from_the_context() -> None:
    assert matches("creator = currentUser()", current_user={"acc-1"})
    assert matches("space = currentSpace()", current_space="PM")
    with pytest.raises(cql.CqlError):
        matches("space = currentSpace()")


def test_precedence_and_binds_tighter_than_or() -> None:
    query = cql.parse("label = a or label = b and label = c")
    assert isinstance(query.where, cql.Or)
    assert isinstance(query.where.right, cql.And)


def test_order_by_keys_and_directions() -> None:
    query = cql.parse("type = page ORDER BY title ASC, created desc")
    assert query.order_by == (("title", False), ("created", True))
    assert cql.parse("order by lastmodified").where is None


def test_sorting_records() -> None:
    recs = [record(id="3", title="b"), record(id="1", title="c"), record(id="2", title="a")]
    ordered = cql.sort_records(recs, cql.parse("type = page order by title"))
    assert [r.title for r in ordered] == ["a", "b", "c"]
    by_id = cql.sort_records(recs, cql.parse("type = page"))
    assert [r.id for r in by_id] == ["1", "2", "3"]


def test_quoted_strings_with_escapes_and_single_quotes() -> None:
    query = cql.parse("title = 'it\\'s \"here\"'")
    assert isinstance(query.where, cql.Clause)
    assert query.where.values[0].text == "it's \"here\""


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "type =",
        "type = page and",
        "and type = page",
        "foo = bar",
        "type ~ page",
        "text = hello",
        "created ~ 2024",
        "(type = page",
        "type = page)",
        "type = page order title",
        "type = page order by colour",
        'title = "unterminated',
        "label in ()",
        "label in (a b)",
        "label not (a)",
        "label = a b",
        "type == page",
        "type = page; drop",
        "created > yesterday",
        "created > now(\"-1x\")",
    ],
)
def test_invalid_queries_raise(bad: str) -> None:
    with pytest.raises(cql.CqlError):
        cql.compile_query(cql.parse(bad), cql.Context(now=NOW))(record())


def test_tokenizer_positions() -> None:
    tokens = cql.tokenize('label = "a b" AND id in (1,2)')
    assert [t.kind for t in tokens] == ["word", "op", "string", "word", "word", "word", "(",
                                        "word", ",", "word", ")", "eof"]
    assert tokens[2].text == "a b"
