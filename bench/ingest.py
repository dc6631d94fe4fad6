"""Section 1: webhook intake against a bare Flask endpoint, both under ``debrief serve``'s gunicorn
settings, loaded by the C load generator (interleaved rounds, medians, paired ratios)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

from bench import deliveries, loadgen
from bench.servers import SECRET, Process

PATHS = ("full", "duplicate", "not_incident")
EXPECTED = {"bare": 202, "full": 202, "duplicate": 200, "not_incident": 202}


@dataclass
class Settings:
    rounds: int
    requests: int
    clients: int


def _requests(bodies: list[dict], port: int) -> list[bytes]:
    out = []
    for body in bodies:
        raw, headers = deliveries.signed(body, SECRET)
        out.append(loadgen.http_request(deliveries.PATH, raw, headers, port))
    return out


def _files(out_dir: Path, s: Settings, service_port: int) -> dict:
    """Every request of the section, built before any is sent: fresh incidents and delivery ids
    per round (one file for both servers), one set of deliveries replayed for the duplicates,
    and fresh non-incident deliveries per round."""
    fixture = deliveries.fixture_body()
    files: dict = {"round": []}
    number = 1
    for r in range(s.rounds + 1):  # round 0 warms both servers up
        n = s.requests if r else min(300, s.requests)
        incidents = [deliveries.as_incident(fixture, number + i) for i in range(n)]
        others = [deliveries.not_an_incident(fixture, number + i) for i in range(n)]
        number += n
        files["round"].append({
            "incidents": loadgen.write_requests(out_dir / f"ingest-{r}-incidents.req", _requests(incidents, service_port)),
            "others": loadgen.write_requests(out_dir / f"ingest-{r}-others.req", _requests(others, service_port)),
        })
    dup = _requests([deliveries.as_incident(fixture, 900000 + i) for i in range(s.requests)], service_port)
    files["duplicate"] = loadgen.write_requests(out_dir / "ingest-duplicates.req", dup)
    files["body_bytes"] = len(deliveries.signed(deliveries.as_incident(fixture, 1), SECRET)[0])
    return files


def _summary(results: list[loadgen.LoadResult]) -> dict:
    return {"rps": statistics.median(r.rps for r in results),
            "p50_ms": statistics.median(r.p50_ms for r in results),
            "p99_ms": statistics.median(r.p99_ms for r in results),
            "rounds_rps": [round(r.rps) for r in results],
            "errors": sum(r.errors for r in results)}


def run(binary: Path, service: Process, bare: Process, out_dir: Path, s: Settings) -> dict:
    files = _files(out_dir, s, service.port)
    try:
        warm = files["round"][0]
        loadgen.run(binary, bare.port, warm["incidents"], s.clients)
        loadgen.run(binary, service.port, warm["incidents"], s.clients)
        loadgen.run(binary, service.port, warm["others"], s.clients)
        loadgen.run(binary, service.port, files["duplicate"], s.clients)  # every later replay is a duplicate
        results = _rounds(binary, service, bare, files, s)
    finally:
        for path in out_dir.glob("ingest-*.req"):
            path.unlink()
    out: dict = {"settings": {"rounds": s.rounds, "requests_per_round": s.requests, "clients": s.clients,
                              "server": "gunicorn as `debrief serve` runs it, 2 workers x 4 threads",
                              "body_bytes": files["body_bytes"], "load_generator": "bench/loadgen.c"}}
    for name, rs in results.items():
        summary = _summary(rs)
        want = EXPECTED[name]
        summary["unexpected_status"] = sum(r.requests - r.statuses.get(str(want), 0) for r in rs)
        summary["statuses"] = _merge(r.statuses for r in rs)
        out[name] = summary
    for name in PATHS:
        paired = [ours.rps / ceiling.rps for ours, ceiling in zip(results[name], results["bare"], strict=True)]
        out[name]["ratio"] = statistics.median(paired)
        out[name]["rounds_ratio"] = [round(x, 2) for x in paired]
    return out


def _rounds(binary: Path, service: Process, bare: Process, files: dict, s: Settings) -> dict:
    results: dict[str, list[loadgen.LoadResult]] = {"bare": [], **{p: [] for p in PATHS}}
    for r in range(1, s.rounds + 1):
        f = files["round"][r]
        runs = [("bare", bare, f["incidents"]), ("full", service, f["incidents"]),
                ("duplicate", service, files["duplicate"]), ("not_incident", service, f["others"])]
        if r % 2 == 0:  # alternate who goes first, so drift in the machine's load hits both alike
            runs = runs[1:2] + runs[:1] + runs[2:]
        for name, proc, path in runs:
            results[name].append(loadgen.run(binary, proc.port, path, s.clients))
    return results


def _merge(dicts) -> dict[str, int]:
    total: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            total[k] = total.get(k, 0) + v
    return total
