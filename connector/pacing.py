"""One pace per Atlassian site, shared by every gateway in every worker process.

``RedisPacer`` keeps a site's pace (connector/pace_rules.py) in one Redis hash: taking a slot is
one Lua script (GCRA on the learned rate, honouring the shared pause), learning from an answer
is a WATCH/MULTI update, made only when the answer says something (a 429, quota headers).
``LocalPacer`` holds the same in the process, for commands run without Redis.
``PacedAdapter`` puts a pacer in front of a requests session: every request waits for its slot
and every answer is learned from. A wait longer than the in-job limit is not slept: it raises
``PacedOut`` (a TransientAtlassianError with ``retry_after``), so jobs/entry.py hands the job to
the scheduler as it does for a long Retry-After.

A site is its origin (scheme, host, port): Jira and Confluence on one Cloud site share it, as
they share the site's limits as far as a client can tell; sharing is the safe side.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import redis
import requests
from requests.adapters import HTTPAdapter

from connector import pace_rules
from connector.errors import TransientAtlassianError, retry_after_seconds
from connector.pace_rules import Answer, Pace

log = logging.getLogger("debrief.connector")
KEY_PREFIX = "debrief:pace:"
KEEP_SECONDS = 3600  # a site not called for an hour starts again unpaced

# KEYS[1] the site's hash; ARGV[1] the longest wait to reserve (s); ARGV[2] "now" (epoch s, or "" for
# Redis TIME). Returns {wait, send_at} as strings; a wait above ARGV[1] reserves nothing.
# The rate and the slot mirror rate_at and grant in connector/pace_rules.py
# (tests/test_pacing_redis.py holds them equal).
ACQUIRE = """
local key, max_wait = KEYS[1], tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local f = redis.call('HMGET', key, 'ceiling', 'start', 'since', 'pause_until', 'tat', 'win', 'n', 'pn')
local ceiling, start, since = tonumber(f[1]), tonumber(f[2]) or 0, tonumber(f[3]) or 0
local pause_until, tat = tonumber(f[4]) or 0, tonumber(f[5]) or 0
local win, n, pn = tonumber(f[6]) or 0, tonumber(f[7]) or 0, tonumber(f[8]) or 0
local rate = nil
if ceiling and now - since <= FORGET then
  local plateau = PLATEAU * ceiling
  local elapsed = math.max(0, now - since)
  start = math.min(start, plateau)
  local climbed = start + RAMP * ceiling * elapsed
  if climbed < plateau then
    rate = math.max(MIN_RATE, climbed)
  else
    local probing = elapsed - (plateau - start) / (RAMP * ceiling) - PROBE_AFTER
    rate = math.max(MIN_RATE, plateau + PROBE * ceiling * math.max(0, probing))
  end
end
local send_at = math.max(now, pause_until)
local next_tat = nil
if rate then
  send_at = math.max(send_at, tat - SLACK / rate)
  next_tat = math.max(tat, send_at) + 1 / rate
end
local wait = send_at - now
if wait > max_wait then
  return {tostring(wait), tostring(send_at)}
end
local sec = math.floor(send_at)
if sec ~= win then
  if sec == win + 1 then pn = n else pn = 0 end
  n, win = 0, sec
end
redis.call('HSET', key, 'win', win, 'n', n + 1, 'pn', pn)
if next_tat then redis.call('HSET', key, 'tat', tostring(next_tat)) end
redis.call('EXPIRE', key, KEEP)
return {tostring(wait), tostring(send_at)}
"""
for _name in ("PLATEAU", "RAMP", "PROBE_AFTER", "PROBE", "MIN_RATE", "SLACK", "FORGET"):
    ACQUIRE = ACQUIRE.replace(_name, repr(getattr(pace_rules, _name)))
ACQUIRE = ACQUIRE.replace("KEEP", str(KEEP_SECONDS))


class PacedOut(TransientAtlassianError):
    """The site's pace asks for a longer wait than a job waits in place."""


def site_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def answer_of(response: requests.Response, sent_at: float, sent_rate: float = 0.0) -> Answer:
    headers = response.headers
    return Answer(status=response.status_code, sent_at=sent_at,
                  retry_after=retry_after_seconds(response) if response.status_code == 429 else None,
                  limit=pace_rules.header_number(headers.get("X-RateLimit-Limit")),
                  remaining=pace_rules.header_number(headers.get("X-RateLimit-Remaining")),
                  reset_at=pace_rules.header_time(headers.get("X-RateLimit-Reset")), sent_rate=sent_rate,
                  reason=headers.get("RateLimit-Reason", ""))


def _telling(response: requests.Response) -> bool:
    """Whether an answer can change the pace: a 429, or a quota (nearly) used up. Plain answers,
    most of them, cost no Redis round trip beyond the slot."""
    if response.status_code == 429:
        return True
    remaining = pace_rules.header_number(response.headers.get("X-RateLimit-Remaining"))
    if remaining is None:
        return False
    limit = pace_rules.header_number(response.headers.get("X-RateLimit-Limit"))
    return remaining <= 0 or (limit is not None and remaining < pace_rules.NEAR_SHARE * limit)


class LocalPacer:
    """The pace of one site within this process."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock, self.pace, self.tat = clock, Pace(), 0.0
        self._sent: list[float] = []
        self._lock = threading.Lock()

    def acquire(self, max_wait: float) -> tuple[float, float]:
        with self._lock:
            now = self.clock()
            send_at, tat = pace_rules.grant(self.tat, pace_rules.rate_at(self.pace, now), self.pace.pause_until, now)
            if send_at - now <= max_wait:
                self.tat = tat
                self._sent = [t for t in self._sent if t > now - 1.0] + [send_at]
            return send_at - now, send_at

    def learn(self, response: requests.Response, sent_at: float) -> None:
        if not _telling(response):
            return
        with self._lock:
            now = self.clock()
            sent_rate = float(sum(t > sent_at - 1.0 for t in self._sent))
            pace = pace_rules.observe(self.pace, answer_of(response, sent_at, sent_rate), now)
            if pace is not self.pace:
                self.pace = pace
                self.tat = max(self.tat, pace.pause_until)


class RedisPacer:
    """The pace of one site, shared through Redis by every process that calls it."""

    def __init__(self, conn: redis.Redis, site: str, *, fallback: LocalPacer | None = None):
        self.redis, self.key = conn, KEY_PREFIX + site
        self._acquire = conn.register_script(ACQUIRE)
        self._fallback = fallback or LocalPacer()

    def acquire(self, max_wait: float, now: float | None = None) -> tuple[float, float]:
        try:
            wait, send_at = self._acquire(keys=[self.key], args=[max_wait, "" if now is None else repr(now)])
        except redis.RedisError as exc:
            log.warning("pacing without Redis for this call: %s", exc)
            return self._fallback.acquire(max_wait)
        return float(wait), float(send_at)

    def pace(self) -> Pace:
        return _pace_of(self.redis.hgetall(self.key))

    def learn(self, response: requests.Response, sent_at: float) -> None:
        if not _telling(response):
            return
        try:
            self._learn(response, sent_at)
        except redis.RedisError as exc:
            log.warning("could not record Atlassian's rate limit answer: %s", exc)
            self._fallback.learn(response, sent_at)

    def _learn(self, response: requests.Response, sent_at: float) -> None:
        with self.redis.pipeline() as pipe:
            for _ in range(5):
                try:
                    pipe.watch(self.key)
                    fields = pipe.hgetall(self.key)
                    seconds, micros = pipe.time()
                    now = seconds + micros / 1e6
                    pace = _pace_of(fields)
                    sent_rate = _sent_rate(fields, sent_at)
                    new = pace_rules.observe(pace, answer_of(response, sent_at, sent_rate), now)
                    if new is pace:
                        pipe.unwatch()
                        return
                    tat = max(float(_bytes_keys(fields).get(b"tat", 0) or 0), new.pause_until)
                    pipe.multi()
                    pipe.hset(self.key, mapping={"ceiling": repr(new.ceiling), "start": repr(new.start),
                                                 "since": repr(new.since), "pause_until": repr(new.pause_until),
                                                 "tat": repr(tat)})
                    pipe.expire(self.key, KEEP_SECONDS)
                    pipe.execute()
                    if new.ceiling != pace.ceiling:
                        log.warning("Atlassian rate limit at %s: pacing at %.2f requests/s (ceiling %.2f), "
                                    "paused for %.1fs", self.key[len(KEY_PREFIX):], new.start, new.ceiling,
                                    max(0.0, new.pause_until - now))
                    return
                except redis.WatchError:
                    continue


def _bytes_keys(fields: dict) -> dict:
    return {k.encode() if isinstance(k, str) else k: v for k, v in fields.items()}


def _pace_of(fields: dict) -> Pace:
    fields = _bytes_keys(fields)

    def number(name: str, default: float = 0.0) -> float:
        raw = fields.get(name.encode())
        return float(raw) if raw not in (None, b"", b"None") else default

    ceiling = fields.get(b"ceiling")
    return Pace(ceiling=float(ceiling) if ceiling not in (None, b"", b"None") else None,
                start=number("start"), since=number("since"), pause_until=number("pause_until"))


def _sent_rate(fields: dict, sent_at: float) -> float:
    """Requests let go in the second of ``sent_at`` or the one before, whichever saw more."""
    fields = _bytes_keys(fields)
    win = int(float(fields.get(b"win", 0) or 0))
    n, pn = float(fields.get(b"n", 0) or 0), float(fields.get(b"pn", 0) or 0)
    return max(n, pn) if int(sent_at) in (win, win - 1) else 0.0


class PacedAdapter(HTTPAdapter):
    """Every request waits for its slot in ``pacer``; every answer teaches it."""

    def __init__(self, pacer: LocalPacer | RedisPacer, *, max_wait: float,
                 sleep: Callable[[float], None] = time.sleep, **kwargs):
        self.pacer, self.max_wait, self.sleep = pacer, max_wait, sleep
        super().__init__(**kwargs)

    def send(self, request, *args, **kwargs):
        wait, sent_at = self.pacer.acquire(self.max_wait)
        if wait > self.max_wait:
            raise PacedOut(f"{request.method} {urlsplit(request.url).path}: Atlassian's rate limit asks Debrief "
                           f"to wait {wait:.0f}s", status=429, retry_after=wait)
        if wait > 0:
            self.sleep(wait)
        response = super().send(request, *args, **kwargs)
        response.paced_wait = max(0.0, wait)
        self.pacer.learn(response, sent_at)
        return response


def pace_session(session: requests.Session, pacer: LocalPacer | RedisPacer, *, max_wait: float) -> None:
    """Route every request of ``session`` through ``pacer``."""
    adapter = PacedAdapter(pacer, max_wait=max_wait)
    session.mount("http://", adapter)
    session.mount("https://", adapter)


def pacer_for(url: str, conn: redis.Redis | None = None) -> LocalPacer | RedisPacer:
    """The pacer of ``url``'s site: shared through ``conn`` by every process, else a new one of
    its own for the caller (e.g. ``debrief lint --page``, run without Redis)."""
    return RedisPacer(conn, site_of(url)) if conn is not None else LocalPacer()
