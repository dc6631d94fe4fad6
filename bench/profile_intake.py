"""Where a delivery's time goes inside the service: the intake run in this process (Flask's test
client, the real Redis), timed plain and then under cProfile, attributed to the steps of
webhooks/intake.py. cProfile inflates small functions; read the shares, not the microseconds."""

from __future__ import annotations

import contextlib
import cProfile
import io
import logging
import os
import pstats
import time
import traceback
from collections import Counter

from bench import apps, deliveries
from bench.servers import SECRET

VIEW = ("webhooks/intake.py", "jira_webhook")
WHOLE = ("flask/app.py", "wsgi_app")
MIN_SHARE = 0.02  # steps below 2% of the request are not listed
DEPTH = 8


class RoundTrips:
    """Redis round trips the service makes, by the Debrief function that made them."""

    def __init__(self) -> None:
        self.by_caller: Counter[str] = Counter()
        self.enabled = False

    def connection_class(self):
        from redis.connection import Connection  # noqa: PLC0415

        trips = self

        class CountingConnection(Connection):
            def send_packed_command(self, command, check_health=True):
                if trips.enabled:
                    trips.by_caller[_debrief_caller()] += 1
                return super().send_packed_command(command, check_health)

        return CountingConnection


def _debrief_caller() -> str:
    root = str(deliveries.ROOT)
    for frame in traceback.extract_stack()[-3::-1]:
        if frame.filename.startswith(root) and "/site-packages/" not in frame.filename \
                and not frame.filename.endswith("bench/profile_intake.py"):
            module = os.path.relpath(frame.filename, root).removesuffix(".py").replace(os.sep, ".")
            return f"{module}:{frame.name}"
    return "(outside Debrief)"


def _app(redis_url: str, trips: RoundTrips):
    from redis import Redis  # noqa: PLC0415

    from config.environment import read_environment  # noqa: PLC0415
    from config.settings import load_settings  # noqa: PLC0415
    from webhooks import create_app  # noqa: PLC0415

    env = read_environment({"REDIS_URL": redis_url, "JIRA_WEBHOOK_SECRET": SECRET})
    redis = Redis.from_url(redis_url, connection_class=trips.connection_class())
    return create_app(load_settings(deliveries.ROOT / "app.yaml"), env, redis)


def _bodies(kind: str, first: int, n: int) -> list:
    """Signed deliveries about issues never seen before (so every incident is enqueued afresh)."""
    fixture = deliveries.fixture_body()
    recast = deliveries.as_incident if kind == "full" else deliveries.not_an_incident
    return [deliveries.signed(recast(fixture, first + i), SECRET) for i in range(n)]


def _post_all(client, bodies) -> list[int]:
    return [client.post(deliveries.PATH, data=raw, headers=headers).status_code for raw, headers in bodies]


def _key(stats: pstats.Stats, suffix: str, name: str):
    for key in stats.stats:
        filename, _, func = key
        if func == name and filename.replace(os.sep, "/").endswith(suffix):
            return key
    return None


def _per_call(stats: pstats.Stats, suffix: str, name: str, n: int) -> tuple[float, float]:
    """(microseconds per delivery, calls per delivery) of a function, summed over its entries."""
    total, calls = 0.0, 0
    for (filename, _, func), (_cc, nc, _tt, ct, _callers) in stats.stats.items():
        if func == name and filename.replace(os.sep, "/").endswith(suffix):
            total += ct
            calls += nc
    return total / n * 1e6, calls / n


def _label(key) -> str:
    filename, _, func = key
    path = filename.replace(os.sep, "/")
    for marker in ("/site-packages/", "/lib/python3."):
        if marker in path:
            path = path.split(marker, 1)[1]
            path = path.split("/", 1)[1] if marker == "/lib/python3." else path
            break
    else:
        path = os.path.relpath(filename, deliveries.ROOT) if os.path.isabs(filename) else path
    return f"{path.removesuffix('.py').replace('/', '.')}:{func}"


def _tree(stats: pstats.Stats, root, n: int, whole_us: float) -> list[dict]:
    """The view's callees (and theirs, DEPTH levels down) that take at least MIN_SHARE."""
    stats.calc_callees()
    rows: list[dict] = []
    seen = {root}

    def walk(key, depth: int) -> None:
        callees = stats.all_callees.get(key, {})
        ranked = sorted(callees.items(), key=lambda kv: -kv[1][3])
        for callee, (_cc, nc, _tt, ct) in ranked:
            us = ct / n * 1e6
            if us / whole_us < MIN_SHARE or callee in seen:
                continue
            seen.add(callee)
            rows.append({"step": "  " * depth + _label(callee), "us": us, "share": us / whole_us, "calls": nc / n})
            if depth < DEPTH and "site-packages" not in callee[0] and "/lib/python3." not in callee[0]:
                walk(callee, depth + 1)

    walk(root, 1)
    return rows


def run(redis_url: str, n: int = 600) -> dict:
    from debrief.logs import configure_logging  # noqa: PLC0415

    sink = open(os.devnull, "w")  # noqa: SIM115 - the service's log lines, formatted and dropped
    with contextlib.redirect_stderr(sink):
        configure_logging("json")
    try:
        trips = RoundTrips()
        app = _app(redis_url, trips)
        client, bare_client = app.test_client(), apps.bare().test_client()
        out: dict = {"deliveries": n}
        _post_all(client, _bodies("full", 810000, 50))
        _post_all(bare_client, _bodies("full", 810000, 50))
        # Plain timing: CPU per delivery in one thread, no network, no profiler.
        started = time.perf_counter()
        _post_all(bare_client, _bodies("full", 820000, n))
        out["bare_us"] = (time.perf_counter() - started) / n * 1e6
        for kind, first in (("full", 830000), ("not_incident", 840000)):
            bodies = _bodies(kind, first, n)
            started = time.perf_counter()
            statuses = _post_all(client, bodies)
            out[f"{kind}_us"] = (time.perf_counter() - started) / n * 1e6
            out[f"{kind}_statuses"] = sorted(set(statuses))
        # Redis round trips, by where in Debrief they are made.
        full = _bodies("full", 860000, n)
        for kind, bodies in (("full", full), ("duplicate", full), ("not_incident", _bodies("not_incident", 870000, n))):
            trips.by_caller.clear()  # "duplicate": the very deliveries just sent, sent again
            trips.enabled = True
            _post_all(client, bodies)
            trips.enabled = False
            out[f"{kind}_redis_round_trips"] = {k: v / n for k, v in trips.by_caller.most_common()}
        # Attribution under the profiler.
        profiler = cProfile.Profile()
        bodies = _bodies("full", 850000, n)
        profiler.enable()
        _post_all(client, bodies)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=io.StringIO())
        whole = _per_call(stats, *WHOLE, n)[0] or 1.0
        view = _key(stats, *VIEW)
        out["whole_request_us_profiled"] = whole
        out["steps"] = [{"step": _label(view), "us": _per_call(stats, *VIEW, n)[0],
                         "share": _per_call(stats, *VIEW, n)[0] / whole, "calls": 1.0}] if view else []
        out["steps"] += _tree(stats, view, n, whole) if view else []
        out["redis_round_trips"] = sum(out["full_redis_round_trips"].values())
        return out
    finally:
        logging.getLogger("debrief").handlers[:] = []
        sink.close()
