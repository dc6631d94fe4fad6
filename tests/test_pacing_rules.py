"""Known answers for the pace rules (connector/pace_rules.py): pure, no clock, no I/O."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.pace_rules import (
    CUT,
    DEFAULT_PAUSE,
    FORGET,
    PLATEAU,
    PROBE,
    PROBE_AFTER,
    RAMP,
    Answer,
    Pace,
    grant,
    header_number,
    header_time,
    observe,
    rate_at,
)

T0 = 1_800_000_000.0
LEARNED = Pace(ceiling=10.0, start=8.0, since=T0, pause_until=T0)


def test_nothing_learned_is_unpaced():
    assert rate_at(Pace(), T0) is None
    assert grant(0.0, None, 0.0, T0) == (T0, 0.0)
    assert grant(0.0, None, T0 + 2, T0) == (T0 + 2, 0.0)  # a pause holds even unpaced calls


def test_rate_climbs_from_the_cut_to_the_plateau_then_probes():
    assert rate_at(LEARNED, T0) == pytest.approx(8.0)
    assert rate_at(LEARNED, T0 - 5) == pytest.approx(8.0)  # during the pause
    assert rate_at(LEARNED, T0 + 0.2) == pytest.approx(8.0 + RAMP * 10 * 0.2)
    reached = (PLATEAU * 10 - 8.0) / (RAMP * 10)
    assert rate_at(LEARNED, T0 + reached + 1) == pytest.approx(PLATEAU * 10)
    assert rate_at(LEARNED, T0 + reached + PROBE_AFTER) == pytest.approx(PLATEAU * 10)
    assert rate_at(LEARNED, T0 + reached + PROBE_AFTER + 10) == pytest.approx(PLATEAU * 10 + PROBE * 10 * 10)
    assert rate_at(LEARNED, T0 + FORGET + 1) is None


def test_grant_spaces_calls_and_lets_a_late_caller_use_one_missed_slot():
    assert grant(T0, 10.0, 0.0, T0) == (T0, pytest.approx(T0 + 0.1))
    assert grant(T0 + 0.1, 10.0, 0.0, T0) == (pytest.approx(T0), pytest.approx(T0 + 0.2))  # one slot of slack
    assert grant(T0 + 0.2, 10.0, 0.0, T0) == (pytest.approx(T0 + 0.1), pytest.approx(T0 + 0.3))
    assert grant(T0 - 5, 10.0, 0.0, T0) == (T0, pytest.approx(T0 + 0.1))  # idle time is not saved up
    assert grant(T0, 10.0, T0 + 1, T0) == (T0 + 1, pytest.approx(T0 + 1.1))


def test_first_429_learns_the_limit_and_pauses_everyone():
    answer = Answer(429, sent_at=T0, retry_after=2.0, limit=10.0, sent_rate=25.0)
    pace = observe(Pace(), answer, T0 + 0.01)
    assert pace == Pace(ceiling=10.0, start=CUT * 10.0, since=T0 + 2.01, pause_until=T0 + 2.01)


def test_first_429_without_limit_header_uses_the_rate_sent_at():
    pace = observe(Pace(), Answer(429, sent_at=T0, retry_after=1.0, sent_rate=12.0), T0)
    assert pace.ceiling == 12.0 and pace.start == pytest.approx(CUT * 12.0)


def test_429_while_paced_lowers_the_ceiling_to_the_rate_it_was_sent_at():
    sent_at = T0 + 30  # on the plateau, 9.8/s
    pace = observe(LEARNED, Answer(429, sent_at=sent_at, retry_after=1.0, limit=10.0), sent_at + 0.05)
    assert pace.ceiling == pytest.approx(PLATEAU * 10)
    assert pace.start == pytest.approx(CUT * PLATEAU * 10)
    assert pace.pause_until == pace.since == pytest.approx(sent_at + 1.05)


def test_429_for_a_request_sent_before_the_cut_only_extends_the_pause():
    pace = observe(LEARNED, Answer(429, sent_at=T0 - 0.5, retry_after=3.0, limit=10.0), T0 - 0.4)
    assert pace == Pace(ceiling=10.0, start=8.0, since=T0, pause_until=pytest.approx(T0 + 2.6))
    assert observe(LEARNED, Answer(429, sent_at=T0 - 0.5, retry_after=0.1), T0 - 0.4).pause_until == T0


def test_429_pause_from_reset_or_default():
    from_reset = observe(Pace(), Answer(429, sent_at=T0, reset_at=T0 + 4, sent_rate=5), T0)
    assert from_reset.pause_until == T0 + 4
    past_reset = observe(Pace(), Answer(429, sent_at=T0, reset_at=T0 - 30, sent_rate=5), T0)
    assert past_reset.pause_until == T0 + DEFAULT_PAUSE


def test_per_issue_limit_leaves_the_site_pace_alone():
    answer = Answer(429, sent_at=T0, retry_after=2.0, reason="jira-per-issue-on-write")
    assert observe(LEARNED, answer, T0) is LEARNED


def test_plain_answers_change_nothing():
    assert observe(LEARNED, Answer(200, sent_at=T0), T0) is LEARNED
    assert observe(Pace(), Answer(503, sent_at=T0, retry_after=5), T0) == Pace()
    plenty = Answer(200, sent_at=T0, limit=100, remaining=80, reset_at=T0 + 10)
    assert observe(LEARNED, plenty, T0) is LEARNED
    stale = Answer(200, sent_at=T0, limit=100, remaining=0, reset_at=T0 - 1)
    assert observe(LEARNED, stale, T0) is LEARNED


def test_no_quota_left_pauses_until_the_reset():
    pace = observe(LEARNED, Answer(200, sent_at=T0, limit=100, remaining=0, reset_at=T0 + 7), T0 + 1)
    assert pace == Pace(ceiling=10.0, start=8.0, since=T0, pause_until=T0 + 7)


def test_little_quota_left_is_spread_until_the_reset():
    near = Answer(200, sent_at=T0, limit=100, remaining=10, reset_at=T0 + 5)
    pace = observe(Pace(), near, T0)
    assert rate_at(pace, T0) == pytest.approx(2.0) and rate_at(pace, T0 + 3) == pytest.approx(2.0)
    slow = Pace(ceiling=1.0, start=1.0, since=T0)  # already slower than the quota asks: kept
    assert observe(slow, near, T0) is slow


def test_header_values():
    assert header_number("10") == 10.0 and header_number(" 2.5 ") == 2.5
    assert header_number("-1") is None and header_number("many") is None and header_number(None) is None
    assert header_time("2026-12-01T20:07Z") == datetime(2026, 12, 1, 20, 7, tzinfo=UTC).timestamp()
    assert header_time("2026-12-01T20:07:30.5+00:00") == datetime(2026, 12, 1, 20, 7, 30, 500000,
                                                                 tzinfo=UTC).timestamp()
    assert header_time("Tue, 01 Dec 2026 20:07:00 GMT") == datetime(2026, 12, 1, 20, 7, tzinfo=UTC).timestamp()
    assert header_time("1800000000") == 1800000000.0
    assert header_time("30") is None and header_time("soon") is None and header_time("") is None
