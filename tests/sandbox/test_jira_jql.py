"""JQL parser and evaluator without HTTP."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.jira.jql import JqlError, search
from sandbox.jira.jql_parse import BoolOp, Clause, Not, parse
from sandbox.jira.seed import seeded_state


def test_precedence_not_and_or():
    query = parse("a = 1 OR b = 2 AND NOT c = 3 ORDER BY a DESC, b")
    assert isinstance(query.where, BoolOp) and query.where.op == "or"
    right = query.where.children[1]
    assert right.op == "and" and isinstance(right.children[1], Not)
    assert query.order == [("a", True), ("b", False)]


def test_keywords_are_case_insensitive_and_bang_is_not():
    query = parse("project = INC and !(status = Done) order by key asc")
    assert query.where.op == "and" and isinstance(query.where.children[1], Not)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_quoted_values_round_trip(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    clause = parse(f'summary ~ "{escaped}"').where
    assert isinstance(clause, Clause) and clause.values[0].text == text


def test_functions_and_lists():
    clause = parse("assignee in (currentUser(), EMPTY, jun.seo)").where
    assert [v.function for v in clause.values] == ["currentUser", None, None]
    assert clause.values[1].empty


def test_search_on_state():
    state = seeded_state()
    assert [i.key for i in search(state, "project = INC ORDER BY key")] == ["INC-1", "INC-2", "INC-3"]
    assert [i.key for i in search(state, 'cf[10100] = "SEV-1"')] == ["INC-1"]
    with pytest.raises(JqlError, match="line 1, character 11"):
        search(state, "project = (")
