"""How fast Debrief may call one Atlassian site: pure rules, no I/O, the clock passed in.

The pace of a site is learned from its answers (connector/pacing.py keeps it, shared by every
worker process through Redis):

- nothing learned yet: calls go unpaced (only a pause, if one is set, holds them);
- a 429: every caller pauses until its Retry-After (or X-RateLimit-Reset) has passed; the rate
  the request was sent at, or the site's X-RateLimit-Limit when lower, becomes the *ceiling*;
  the rate drops to CUT x ceiling (multiplicative decrease) and climbs back by RAMP x ceiling a
  second to PLATEAU x ceiling, where it stays while answers are fine; after PROBE_AFTER seconds
  there it creeps up (PROBE x ceiling a second) in case the limit went up, and FORGET seconds
  after the cut it is dropped altogether (a refusal long ago says little about now);
- a 429 whose RateLimit-Reason names a per-issue limit (``jira-per-issue-on-write``) says
  nothing about the site's rate: the job's own retry waits it out, the pace is left alone;
- a 429 for a request sent before the last cut says nothing about the new rate: it only
  extends the pause (one congestion, one cut);
- an answer with X-RateLimit-Remaining and a future X-RateLimit-Reset: no quota left pauses until
  the reset; little left (under NEAR_SHARE of the limit) spreads what is left over the time
  until the reset.

``grant`` is GCRA: requests are spaced 1/rate apart, each caller reserving the next slot and
sleeping until it; a slot missed (no caller was ready) may be used late, up to SLACK of them, so
callers that arrive unevenly still get the whole rate, never a burst above one slot.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

CUT = 0.8            # rate right after a 429, as a share of the ceiling
RAMP = 0.25          # climb back, ceiling shares per second
PLATEAU = 0.98       # where the climb stops: just under the rate that was refused
PROBE_AFTER = 30.0   # seconds on the plateau before probing above it
PROBE = 0.02         # probing climb, ceiling shares per second
MIN_RATE = 0.05      # never slower than one call in 20 s
DEFAULT_PAUSE = 1.0  # a 429 without Retry-After or a future reset
NEAR_SHARE = 0.2     # X-RateLimit-NearLimit's own threshold: under 20% of the limit left
FORGET = 600.0       # seconds after a cut when what was learned is dropped (unpaced again)
SLACK = 1.0          # a caller that comes late may use up to this many missed slots at once


@dataclass(frozen=True)
class Pace:
    """What is known about one site. ``ceiling`` None: nothing learned, calls go unpaced."""

    ceiling: float | None = None  # requests/s the site refused (or said it allows)
    start: float = 0.0            # rate at ``since``, the end of the last cut's pause
    since: float = 0.0            # epoch seconds
    pause_until: float = 0.0      # epoch seconds; no call leaves before


@dataclass(frozen=True)
class Answer:
    """What one response said about the limit. ``sent_at``: when the request was let go."""

    status: int
    sent_at: float
    retry_after: float | None = None
    limit: float | None = None
    remaining: float | None = None
    reset_at: float | None = None
    sent_rate: float = 0.0        # requests/s recently let go (used when nothing is learned yet)
    reason: str = ""              # RateLimit-Reason


def rate_at(pace: Pace, now: float) -> float | None:
    """Requests/s allowed at ``now``; None when unpaced."""
    if pace.ceiling is None or now - pace.since > FORGET:
        return None
    ceiling = pace.ceiling
    plateau = PLATEAU * ceiling
    elapsed = max(0.0, now - pace.since)
    start = min(pace.start, plateau)
    climbed = start + RAMP * ceiling * elapsed
    if climbed < plateau:
        return max(MIN_RATE, climbed)
    reached = (plateau - start) / (RAMP * ceiling)
    probing = elapsed - reached - PROBE_AFTER
    return max(MIN_RATE, plateau + PROBE * ceiling * max(0.0, probing))


def grant(tat: float, rate: float | None, pause_until: float, now: float) -> tuple[float, float]:
    """(when the request may leave, the next theoretical arrival time) for a request at ``now``."""
    earliest = max(now, pause_until)
    if rate is None:
        return earliest, tat
    interval = 1.0 / rate
    send_at = max(earliest, tat - SLACK * interval)
    return send_at, max(tat, send_at) + interval


def observe(pace: Pace, answer: Answer, now: float) -> Pace:
    """The pace after ``answer``; ``pace`` itself (the same object) when nothing changes."""
    if answer.status == 429:
        return _refused(pace, answer, now)
    if answer.remaining is None or answer.reset_at is None or answer.reset_at <= now:
        return pace
    if answer.remaining <= 0:
        return replace(pace, pause_until=answer.reset_at) if answer.reset_at > pace.pause_until else pace
    if answer.limit is None or answer.remaining >= NEAR_SHARE * answer.limit:
        return pace
    allowed = max(MIN_RATE, answer.remaining / (answer.reset_at - now))
    current = rate_at(pace, now)
    if current is not None and current <= allowed:
        return pace
    return replace(pace, ceiling=allowed / PLATEAU, start=allowed, since=max(now, pace.pause_until))


def _refused(pace: Pace, answer: Answer, now: float) -> Pace:
    if "per-issue" in answer.reason:
        return pace
    wait = answer.retry_after
    if wait is None and answer.reset_at is not None and answer.reset_at > now:
        wait = answer.reset_at - now
    pause_until = max(pace.pause_until, now + (DEFAULT_PAUSE if wait is None else wait))
    if pace.ceiling is not None and answer.sent_at < pace.since:
        return replace(pace, pause_until=pause_until)  # an echo of the congestion already cut for
    sent_rate = rate_at(pace, answer.sent_at)
    if sent_rate is None:
        sent_rate = answer.sent_rate if answer.sent_rate > 0 else answer.limit or 1.0
    ceiling = max(MIN_RATE, min(sent_rate, answer.limit) if answer.limit else sent_rate)
    return Pace(ceiling=ceiling, start=CUT * ceiling, since=pause_until, pause_until=pause_until)


def header_number(value: str | None) -> float | None:
    """A non-negative number from a header, or None."""
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def header_time(value: str | None) -> float | None:
    """Epoch seconds from X-RateLimit-Reset: ISO 8601 (Atlassian), an HTTP date or epoch seconds."""
    if not value or not value.strip():
        return None
    text = value.strip()
    number = header_number(text)
    if number is not None:
        return number if number > 1e9 else None  # small numbers are not a point in time
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    else:
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    try:
        return parsedate_to_datetime(text).timestamp()
    except (TypeError, ValueError):
        return None
