"""The shared pacer (connector/pacing.py) on a real Redis and the sandbox's token bucket."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
import requests
from redis import Redis

from config.environment import AtlassianAccess
from connector import pace_rules
from connector.clients import jira_client
from connector.errors import TransientAtlassianError
from connector.jira import JiraGateway
from connector.pace_rules import Pace
from connector.pacing import KEY_PREFIX, LocalPacer, PacedOut, RedisPacer, pacer_for, site_of
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL

T0 = 1_800_000_000.0


def entry_start(entry: dict) -> float:
    return datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()


def _access(sandbox) -> AtlassianAccess:
    return AtlassianAccess(sandbox.url, f"{sandbox.url}/wiki", "cloud", DEMO_EMAIL, DEMO_API_TOKEN)


def _store(conn: Redis, pacer: RedisPacer, pace: Pace, tat: float) -> None:
    conn.hset(pacer.key, mapping={"ceiling": repr(pace.ceiling), "start": repr(pace.start), "since": repr(pace.since),
                                  "pause_until": repr(pace.pause_until), "tat": repr(tat)})


@pytest.mark.parametrize(("pace", "tat", "now"), [
    (Pace(), 0.0, T0),                                                    # unpaced
    (Pace(pause_until=T0 + 3), 0.0, T0),                                  # unpaced, paused
    (Pace(ceiling=10.0, start=8.0, since=T0, pause_until=T0), T0 + 0.5, T0 + 0.2),   # climbing
    (Pace(ceiling=10.0, start=8.0, since=T0, pause_until=T0), T0 + 40, T0 + 39.95),  # plateau, slack
    (Pace(ceiling=10.0, start=8.0, since=T0, pause_until=T0), T0 + 100, T0 + 120),   # probing, idle
    (Pace(ceiling=2.0, start=1.6, since=T0, pause_until=T0 + 1), T0, T0 + 0.5),      # paused
    (Pace(ceiling=10.0, start=8.0, since=T0), T0 + 700, T0 + 701),                   # forgotten
])
def test_redis_script_grants_what_the_pure_rules_say(redis_conn, pace, tat, now):
    pacer = RedisPacer(redis_conn, "https://example.atlassian.net")
    _store(redis_conn, pacer, pace, tat)
    wait, send_at = pacer.acquire(30.0, now=now)
    expected_send, expected_tat = pace_rules.grant(tat, pace_rules.rate_at(pace, now), pace.pause_until, now)
    assert send_at == pytest.approx(expected_send, abs=1e-3)
    assert wait == pytest.approx(expected_send - now, abs=1e-3)
    assert float(redis_conn.hget(pacer.key, "tat")) == pytest.approx(expected_tat, abs=1e-3)
    assert 0 < redis_conn.ttl(pacer.key) <= 3600


def test_a_wait_beyond_the_limit_reserves_nothing(redis_conn):
    pacer = RedisPacer(redis_conn, "https://example.atlassian.net")
    _store(redis_conn, pacer, Pace(ceiling=0.1, start=0.1, since=T0), T0 + 50)
    wait, _ = pacer.acquire(20.0, now=T0)
    assert wait == pytest.approx(50 - 1 / (0.1 * pace_rules.PLATEAU), abs=0.01)  # less one slot of slack
    assert float(redis_conn.hget(pacer.key, "tat")) == pytest.approx(T0 + 50)


def test_one_429_pauses_every_process_and_sets_the_rate(redis_conn, sandbox):
    sandbox.state.faults.replace([{"kind": "rate_limit", "rate": 1, "burst": 1, "path": "*"}])
    first, other = RedisPacer(redis_conn, site_of(sandbox.url)), RedisPacer(redis_conn, site_of(sandbox.url))
    url = f"{sandbox.url}/rest/api/2/issue/INC-1"
    answers = []
    for _ in range(2):
        _, sent_at = first.acquire(20.0)
        response = requests.get(url, auth=(DEMO_EMAIL, DEMO_API_TOKEN), timeout=10)
        first.learn(response, sent_at)
        answers.append(response.status_code)
    assert answers == [200, 429]
    pace = other.pace()
    assert pace.ceiling == pytest.approx(1.0)  # X-RateLimit-Limit: the bucket's size
    assert pace.start == pytest.approx(pace_rules.CUT)
    wait, _ = other.acquire(20.0)
    assert 0.5 < wait <= 1.05  # the other process waits out the Retry-After too


def test_a_long_wait_hands_the_job_back_without_calling(redis_conn, sandbox):
    pacer = pacer_for(sandbox.url, redis_conn)
    redis_conn.hset(pacer.key, mapping={"pause_until": repr(time.time() + 60)})
    gateway = JiraGateway(jira_client(_access(sandbox), pacer=pacer), cloud=True)
    mark = len(sandbox.state.journal.entries())
    with pytest.raises(TransientAtlassianError) as caught:
        gateway.issue("INC-1")
    assert isinstance(caught.value, PacedOut) and 55 < caught.value.retry_after <= 60
    assert len(sandbox.state.journal.entries()) == mark


class CountingRedis(Redis):
    """A real Redis client that notes the commands it sends."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent: list[str] = []

    def execute_command(self, *args, **kwargs):
        self.sent.append(str(args[0]).upper())
        return super().execute_command(*args, **kwargs)


def test_a_plain_call_costs_one_redis_round_trip(redis_conn, redis_url, sandbox):
    conn = CountingRedis.from_url(redis_url)
    gateway = JiraGateway(jira_client(_access(sandbox), pacer=pacer_for(sandbox.url, conn)), cloud=True)
    gateway.issue("INC-1")  # loads the script
    conn.sent.clear()
    for _ in range(3):
        gateway.issue("INC-1")
    assert conn.sent == ["EVALSHA"] * 3
    assert redis_conn.hget(KEY_PREFIX + site_of(sandbox.url), "ceiling") is None  # nothing to learn
    conn.close()


@pytest.mark.parametrize("shared", ["redis", "process"])
def test_concurrent_gateways_keep_to_the_bucket(redis_conn, sandbox, shared):
    """Four callers, each with its own client, against a bucket of 10 a second (Atlassian's burst
    limits count requests per second): the refusals come in one stretch at the start, then every
    call is served, at close to the bucket's rate."""
    rate, burst, seconds = 10.0, 10, 6.0
    local = LocalPacer()
    gateways = [JiraGateway(jira_client(_access(sandbox),
                                        pacer=pacer_for(sandbox.url, redis_conn) if shared == "redis" else local),
                            cloud=True) for _ in range(4)]
    sandbox.state.faults.replace([{"kind": "rate_limit", "rate": rate, "burst": burst, "path": "*"}])
    mark = str(sandbox.state.journal.entries()[-1]["id"]) if sandbox.state.journal.entries() else None
    deadline = time.monotonic() + seconds
    failures: list[BaseException] = []

    def caller(gateway: JiraGateway) -> None:
        try:
            while time.monotonic() < deadline:
                gateway.issue("INC-1")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=caller, args=(g,)) for g in gateways]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sandbox.state.faults.clear()
    assert not failures
    calls = sandbox.state.journal.entries(since=mark)
    start = entry_start(calls[0])
    limited = [entry_start(e) - start for e in calls if e["status"] == 429]
    served = [e for e in calls if e["status"] == 200]
    assert limited and min(limited) < 3.0 and max(limited) - min(limited) < 1.0, limited  # one stretch
    after = sorted(entry_start(e) - start for e in served if entry_start(e) - start > max(limited))
    achieved = (len(after) - 1) / (after[-1] - after[0])
    assert 0.85 * rate <= achieved <= 1.05 * rate, achieved


@pytest.mark.e2e
def test_a_worker_honours_the_shared_pause_and_schedules_the_job(sandbox, service, redis_conn):
    """A pause another process learned (one minute) holds a real worker's draft: no call is made
    and the job is scheduled for later with its retries intact."""
    from rq import Queue  # noqa: PLC0415
    from rq.job import Job  # noqa: PLC0415
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry  # noqa: PLC0415

    from jobqueue.kinds import BACKOFF  # noqa: PLC0415
    from jobqueue.queue import QUEUE_NAME  # noqa: PLC0415
    from tests.test_draft_failures import queue_draft  # noqa: PLC0415
    from tests.test_end_to_end import create_incident  # noqa: PLC0415

    key = create_incident(sandbox)
    redis_conn.hset(KEY_PREFIX + site_of(sandbox.url), mapping={"pause_until": repr(time.time() + 60)})
    job_id = queue_draft(redis_conn, key)
    mark = str(sandbox.state.journal.entries()[-1]["id"])
    assert service.run_worker().returncode == 0
    queue = Queue(QUEUE_NAME, connection=redis_conn)
    assert job_id in ScheduledJobRegistry(queue=queue).get_job_ids()
    assert job_id not in FailedJobRegistry(queue=queue).get_job_ids()
    assert Job.fetch(job_id, connection=redis_conn).retries_left == BACKOFF.max  # no retry used up
    assert [e for e in sandbox.state.journal.entries(since=mark) if e["user"] is not None] == []


def _response(status: int, **headers: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response.headers.update(headers)
    return response


def test_local_pacer_learns_like_the_shared_one():
    now = [T0]
    pacer = LocalPacer(clock=lambda: now[0])
    assert pacer.acquire(20.0) == (0.0, T0)
    pacer.learn(_response(200, **{"X-RateLimit-Remaining": "90", "X-RateLimit-Limit": "100"}), T0)
    assert pacer.pace == Pace()  # plenty left: nothing learned
    pacer.learn(_response(429, **{"Retry-After": "2", "X-RateLimit-Limit": "10"}), T0)
    assert pacer.pace == Pace(ceiling=1.0, start=pace_rules.CUT, since=T0 + 2, pause_until=T0 + 2)  # 1 sent
    assert pacer.acquire(20.0) == (2.0, T0 + 2)
    wait, send_at = pacer.acquire(20.0)
    assert send_at == pytest.approx(T0 + 2 + 1 / pace_rules.CUT)  # slack used by the first: spaced
    now[0] = T0 + 100
    assert pacer.acquire(20.0) == (0.0, T0 + 100)
    pacer.learn(_response(429, **{"Retry-After": "60", "RateLimit-Reason": "jira-burst-based"}), T0 + 100)
    assert pacer.acquire(20.0) == (60.0, T0 + 160)  # beyond the limit: nothing reserved,
    assert pacer.acquire(20.0) == (60.0, T0 + 160)  # so the next caller is told the same
