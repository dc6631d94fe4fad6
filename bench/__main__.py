"""``make bench``: Debrief's speed and Atlassian cost, measured as ratios in one run.

Sections: 1 webhook intake vs a bare Flask endpoint (C load generator), with a profile of the
hot path; 2 draft latency against the sandbox's own service time; 3 Atlassian calls per
lifecycle stage against the minimum; 4 behaviour under a rate limit; 5 sweep cost as the
archive grows; 6 a burst of non-incident deliveries around one real incident; 7 the wording
check's speed and held-aside scores.

Prints a table (goal beside figure) and writes the figures to .bench/latest.json. It measures;
it never fails the build (exit 0, also when it cannot run: it says why).

Knobs (environment): BENCH_ROUNDS (5), BENCH_REQUESTS (2000), BENCH_CLIENTS (8),
BENCH_DRAFTS (12), BENCH_RATE (10), BENCH_BURST (10000), BENCH_SECTIONS (e.g. "1,2,3").
"""

from __future__ import annotations

import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime

from bench import (
    drafting,
    ingest,
    lifecycle,
    loadgen,
    profile_draft,
    profile_intake,
    servers,
    sweep_cost,
    wording_check,
)
from bench.report import HOW_TO_READ, Row, table, write_json
from bench.site import Site

OUT = servers.ROOT / ".bench"
GOAL_RATIO, GOAL_P99_MS, GOAL_RATE_SHARE = 0.70, 20.0, 0.9


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _sections() -> set[int]:
    raw = os.environ.get("BENCH_SECTIONS", "1,2,3,4,5,6,7")
    return {int(s) for s in raw.split(",") if s.strip()}


BUDGET_S = float(os.environ.get("BENCH_BUDGET_S", "540"))  # the whole run stays under ten minutes
RESERVE_S = {"ingest": 120, "draft": 40, "lifecycle": 120, "rate_limit": 60, "burst": 40, "sweep": 200,
             "profile": 20, "draft_profile": 20, "wording": 15}  # what a section may take, at most, on a loaded machine
_RUN_STARTED = time.monotonic()


def _section(figures: dict, name: str, fn, *args):
    started = time.monotonic()
    left = BUDGET_S - (started - _RUN_STARTED)
    if left < RESERVE_S.get(name, 30):
        figures[name] = {"error": f"skipped: {left:.0f} s left of the {BUDGET_S:.0f} s budget"}
        return figures[name]
    print(f"[bench] {name} ...", file=sys.stderr, flush=True)
    try:
        figures[name] = fn(*args)
    except Exception as exc:  # noqa: BLE001 - a section that cannot run is reported, never fatal
        figures[name] = {"error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc(limit=4)}
    figures.setdefault("seconds", {})[name] = round(time.monotonic() - started, 1)
    return figures[name]


# Rows --------------------------------------------------------------------------------------
def _ingest_rows(f: dict) -> list[Row]:
    if "error" in f:
        return [Row("1 ingest", "webhook intake", f"could not run: {f['error']}")]
    rows = [Row("1 ingest", "bare Flask 202", f"{f['bare']['rps']:.0f} req/s, p50 {f['bare']['p50_ms']:.1f} ms, "
                f"p99 {f['bare']['p99_ms']:.1f} ms")]
    for name, label in (("full", "full path (auth, parse, decide, enqueue)"), ("duplicate", "duplicate delivery"),
                        ("not_incident", "not an incident")):
        s = f[name]
        bad = f"; {s['unexpected_status']} unexpected answers {s['statuses']}" if s["unexpected_status"] else ""
        rows.append(Row("1 ingest", f"{label}: ratio", f"{s['ratio']:.2f} (rounds {s['rounds_ratio']}){bad}",
                        f">= {GOAL_RATIO:.2f}", s["ratio"] >= GOAL_RATIO and not bad))
        rows.append(Row("1 ingest", f"{label}: latency", f"{s['rps']:.0f} req/s, p50 {s['p50_ms']:.1f} ms, "
                        f"p99 {s['p99_ms']:.1f} ms", f"p99 < {GOAL_P99_MS:.0f} ms", s["p99_ms"] < GOAL_P99_MS))
    return rows


def _profile_rows(p: dict) -> list[Row]:
    if "error" in p:
        return [Row("1 profile", "in-process attribution", f"could not run: {p['error']}")]
    rows = [Row("1 profile", "CPU per delivery, one thread", f"bare {p['bare_us']:.0f} us, full {p['full_us']:.0f} us, "
                f"not-incident {p['not_incident_us']:.0f} us (x{p['full_us'] / p['bare_us']:.1f})")]
    shown = [s for s in p["steps"] if s["share"] >= 0.04][:16]
    for step in shown:
        rows.append(Row("1 profile", step["step"], f"{step['share'] * 100:4.0f}%  {step['us']:6.0f} us  "
                        f"({step['calls']:.1f} calls)"))
    for kind in ("full", "duplicate", "not_incident"):
        trips = p.get(f"{kind}_redis_round_trips") or {}
        total = sum(trips.values())
        where = ", ".join(f"{caller} {count:g}" for caller, count in trips.items())
        rows.append(Row("1 profile", f"Redis round trips, {kind.replace('_', '-')}", f"{total:g} ({where})", "1",
                        total <= 1.0))
    return rows


def _draft_rows(f: dict) -> list[Row]:
    if "error" in f or "page_p50_ms" not in f:
        return [Row("2 draft", "latency", f"could not run: {f.get('error') or f.get('failed')}")]
    return [
        Row("2 draft", f"delivery -> page exists (n={f['incidents']})",
            f"p50 {f['page_p50_ms']:.0f} ms, p95 {f['page_p95_ms']:.0f} ms; floor p50 {f['page_floor_p50_ms']:.0f} ms "
            f"(x{f['page_p50_ms'] / max(f['page_floor_p50_ms'], 1e-9):.1f})"),
        Row("2 draft", "  of which: delivery -> first call",
            f"p50 {f['first_call_p50_ms']:.0f} ms (intake, queue, worker fork, HTTP clients)"),
        Row("2 draft", "  of which: between calls, up to the page",
            f"p50 {f['between_calls_p50_ms']:.0f} ms (Debrief's own work: map, decide, render)"),
        Row("2 draft", "delivery -> draft done",
            f"p50 {f['done_p50_ms']:.0f} ms, p95 {f['done_p95_ms']:.0f} ms; floor p50 {f['done_floor_p50_ms']:.0f} ms; "
            f"{f['calls_per_draft']:.0f} calls"),
    ]


def _draft_profile_rows(p: dict) -> list[Row]:
    if "error" in p:
        return [Row("2 draft job", "in-process attribution", f"could not run: {p['error']}")]
    rows = [Row("2 draft job", f"one draft job in-process (n={p['jobs']})",
                f"{p['job_us'] / 1000:.0f} ms, of which the sandbox served {p['sandbox_service_us'] / 1000:.0f} ms "
                f"over {p['calls_per_job']:.0f} calls")]
    for step in [s for s in p["steps"] if s["share"] >= 0.05][:14]:
        rows.append(Row("2 draft job", step["step"], f"{step['share'] * 100:4.0f}%  {step['us'] / 1000:6.1f} ms  "
                        f"({step['calls']:.1f} calls)"))
    return rows


def _lifecycle_rows(stages) -> list[Row]:
    if isinstance(stages, dict):
        return [Row("3 calls", "lifecycle", f"could not run: {stages.get('error')}")]
    rows = []
    for s in stages:
        m = s.get("minimum")
        goal = f"min {m['reads']}r/{m['writes']}w" if m else ""
        if not s.get("available"):
            rows.append(Row("3 calls", s["stage"], s.get("why", "not available"), goal, None))
            continue
        notes = f"; {'; '.join(s['notes'])}" if s.get("notes") else ""
        rows.append(Row("3 calls", s["stage"], f"{s['reads']} reads / {s['writes']} writes{notes}", goal,
                        s.get("at_minimum")))
    return rows


def _rate_rows(f: dict) -> list[Row]:
    if "error" in f:
        return [Row("4 rate limit", "token bucket", f"could not run: {f['error']}")]
    late = f["429_after_first_2s"]
    return [Row("4 rate limit", f"{f['incidents']} drafts at once, bucket {f['rate']:.0f}/s burst {f['burst']}",
                f"{f['achieved_rate']:.1f} calls/s = {f['ratio']:.2f} R; {f['throttled_429']} x 429 "
                f"({late} after the first 2 s); {f['pages']}/{f['incidents']} pages",
                f">= {GOAL_RATE_SHARE} R, 429s only at start", f["ratio"] >= GOAL_RATE_SHARE and late == 0)]


def _sweep_rows(f: dict) -> list[Row]:
    if not f.get("available") or "error" in f:
        return [Row("5 sweep", "sweep cost vs archive size", f.get("why") or f.get("error", "?"), "flat", None)]
    figure = "; ".join(f"{r['archived']} archived: {r['seconds']:.2f} s ({r['debrief_seconds']:.2f} s Debrief's), "
                       f"{r['calls']} calls" for r in f["rows"])
    own = f["own_time_ratio_largest_to_smallest"] or 1.0
    flat = (f["calls_ratio_largest_to_smallest"] or 1) <= 1.0 and own <= 1.25
    return [Row("5 sweep", "10 drafts, then 100 and 1,000 archived", figure, "flat", None),
            Row("5 sweep", "1,000 archived vs none", f"calls x{f['calls_ratio_largest_to_smallest'] or 1:.2f}, "
                f"Debrief's time x{own:.2f} (with the sandbox's x{f['time_ratio_largest_to_smallest']:.2f})",
                "x1.00 calls, time <= x1.25", flat)]


def _burst_rows(f: dict) -> list[Row]:
    if "error" in f:
        return [Row("6 burst", "burst", f"could not run: {f['error']}")]
    page = f["incident_page_ms"]
    ratio = f["ratio_to_normal"]
    return [Row("6 burst", f"{f['deliveries']} non-incident deliveries", f"{f['rps']:.0f} req/s, {f['server_errors']} x 5xx, "
                f"statuses {f['statuses']}", "no 5xx", f["server_errors"] == 0 and f["errors"] == 0),
            Row("6 burst", "the one incident's page",
                f"{page:.0f} ms = x{ratio:.2f} normal" if page is not None and ratio is not None else "no page appeared",
                "<= x2 normal", ratio is not None and ratio <= 2.0)]


def _wording_rows(f: dict) -> list[Row]:
    if not f.get("available"):
        return [Row("7 wording", "check speed, held-aside precision/recall", f.get("why") or f.get("error", "?"))]
    thr, held = f.get("throughput", {}), f.get("held_aside", {})
    rows = [Row("7 wording", f"page text checked afresh ({thr.get('sample_kb', 0):.0f} KB sample, caches emptied)",
                f"{thr['kb_per_s']:.0f} KB/s; first run {thr['first_run_s']:.2f} s with model loading"
                if "kb_per_s" in thr else str(thr.get("error")))]
    for label, scores in (("held-aside written", held), ("held-aside REAL", f.get("held_aside_real", {}))):
        if "error" in scores:
            rows.append(Row("7 wording", f"{label} split", scores["error"]))
            continue
        for name, s in scores.items():
            rows.append(Row("7 wording", f"{label} {name.replace('_', ' ')}",
                            f"precision {s['precision']:.2f}, recall {s['recall']:.2f} (tp {s['tp']}, fp {s['fp']}, "
                            f"fn {s['fn']})", ">= 0.90 / 0.90", s["precision"] >= 0.9 and s["recall"] >= 0.9))
    return rows


def main() -> int:
    from sandbox.local_redis import NoRedis, claim_empty_database, ensure_redis  # noqa: PLC0415
    from sandbox.server import start as start_sandbox  # noqa: PLC0415

    sections = _sections()
    started = _RUN_STARTED
    try:
        OUT.mkdir(parents=True, exist_ok=True)
        for log in OUT.glob("*.log"):  # this run's logs only
            log.unlink()
        binary = loadgen.build(OUT)
        redis_server = ensure_redis()
        claim = claim_empty_database(redis_server.url, f"bench:{os.getpid()}")
    except (loadgen.LoadgenUnavailable, NoRedis) as exc:
        print(f"make bench: cannot run, nothing measured: {exc}", file=sys.stderr)
        return 0  # it measures; it never fails the build
    from redis import Redis  # noqa: PLC0415

    redis = Redis.from_url(claim.url)  # empty when claimed: every key in it is ours
    figures: dict = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": {
        "cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "redis": f"database {claim.db} of {redis_server.how}"}
    procs: list[servers.Process] = []
    site = None
    try:
        config = servers.bench_config(OUT)
        env = servers.product_env(claim.url, config=config)
        if 1 in sections or 6 in sections:
            service = servers.start_service(env, OUT)
            procs.append(service)
        if 1 in sections:
            bare = servers.start_bare(env, OUT)
            procs.append(bare)
            settings = ingest.Settings(_int("BENCH_ROUNDS", 5), _int("BENCH_REQUESTS", 2000), _int("BENCH_CLIENTS", 8))
            _section(figures, "ingest", ingest.run, binary, service, bare, OUT, settings)
            bare.stop()
            procs.remove(bare)
            redis.flushdb()
            _section(figures, "profile", profile_intake.run, claim.url)
            redis.flushdb()
        if sections & {2, 3, 4, 5, 6}:
            site = start_sandbox("127.0.0.1", 0)
            env = servers.product_env(claim.url, site.url, config)
            if procs:
                procs.pop().stop()
            service = servers.start_service(env, OUT)
            procs.append(service)
            procs += [servers.start_worker(env, OUT, f"bench-{os.getpid()}-{i}") for i in (1, 2)]
            time.sleep(1.0)
            servers.wait_idle(redis)  # the sweep each worker queues when it starts
            driver = Site(site, service.url, redis)
            if 2 in sections or 6 in sections:
                _section(figures, "draft", drafting.draft_latency, driver, _int("BENCH_DRAFTS", 12))
            if 2 in sections:
                _section(figures, "draft_profile", profile_draft.run, driver, env, config)
            if 3 in sections:
                _section(figures, "lifecycle", lifecycle.run, driver, env)
            if 4 in sections:
                _section(figures, "rate_limit", drafting.under_rate_limit, driver, float(_int("BENCH_RATE", 10)),
                         _int("BENCH_RATE", 10), 20)
            if 6 in sections:
                normal = figures.get("draft", {}).get("page_p50_ms")
                _section(figures, "burst", drafting.burst, driver, binary, service.port, OUT,
                         _int("BENCH_BURST", 10000), _int("BENCH_CLIENTS", 8), normal)
            if 5 in sections:  # from a clean slate: only the drafts and archive this section makes
                workers = [p for p in procs if p.name.startswith("debrief worker")]
                for proc in workers:
                    proc.stop()
                    procs.remove(proc)
                redis.flushdb()
                site.state.reset()
                procs += [servers.start_worker(env, OUT, f"bench-{os.getpid()}-{i}") for i in (3, 4)]
                time.sleep(1.0)
                servers.wait_idle(redis)
                _section(figures, "sweep", sweep_cost.run, driver, env)
        if 7 in sections:
            _section(figures, "wording", wording_check.run)
    finally:
        for proc in reversed(procs):
            proc.stop()
        if site is not None:
            site.stop()
        redis.flushdb()
        redis.close()
        claim.release()
        redis_server.stop()
    figures["seconds"]["total"] = round(time.monotonic() - started, 1)

    rows: list[Row] = []
    for key, fn in (("ingest", _ingest_rows), ("profile", _profile_rows), ("draft", _draft_rows), ("draft_profile", _draft_profile_rows),
                    ("lifecycle", _lifecycle_rows), ("rate_limit", _rate_rows), ("sweep", _sweep_rows),
                    ("burst", _burst_rows), ("wording", _wording_rows)):
        if key in figures:
            try:
                rows += fn(figures[key])
            except (KeyError, TypeError, ValueError) as exc:
                rows.append(Row(key, "(report)", f"figures incomplete: {exc}; see .bench/latest.json"))
    print(f"\nDebrief benchmark, {figures['when']}, {figures['machine']['cpus']} CPUs, load average "
          f"{' '.join(f'{x:.1f}' for x in figures['machine']['load_average'])}, {figures['seconds']['total']:.0f} s\n")
    print(table(rows))
    print()
    print(HOW_TO_READ)
    write_json(OUT / "latest.json", figures)
    print(f"Figures: {OUT / 'latest.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
