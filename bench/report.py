"""The benchmark's table (each goal beside its figure) and the same figures as JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HOW_TO_READ = """\
How to read this
  * Ratios are the result; absolute numbers depend on the machine and on whoever else shares it.
    Every ratio compares two things measured in the same run, interleaved round by round.
  * Ingest: the same signed requests go to a bare Flask app answering 202 and to Debrief, both
    under debrief serve's gunicorn settings, from a C load generator (bench/loadgen.c) that
    barely uses the CPU. ratio = Debrief req/s / bare req/s (median of per-round ratios).
  * Draft latency runs from the signed delivery to the sandbox's answer to the page create;
    "floor" is the time the sandbox itself spent serving the calls (journal duration_ms):
    the rest is Debrief's own (queue, worker fork, HTTP clients, rendering).
  * Calls per stage count only requests made with Debrief's account, read from the sandbox
    journal; the minimum is the fewest calls the Jira/Confluence APIs allow for that stage.
  * "-" in the last column: no goal, or the feature is not in the product yet.
  * Full figures: .bench/latest.json. `make bench` never fails the build.
"""


@dataclass
class Row:
    section: str
    what: str
    figure: str
    goal: str = ""
    met: bool | None = None


def _mark(met: bool | None) -> str:
    return "-" if met is None else ("ok" if met else "MISS")


def _one_line(text: str, limit: int = 150) -> str:
    text = " | ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def table(rows: list[Row]) -> str:
    headers = ("", "measure", "figure", "goal", "")
    cells = [(r.section, r.what, _one_line(r.figure), r.goal, _mark(r.met)) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    widths[2] = min(widths[2], 64)
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    last = None
    for c in cells:
        section = c[0] if c[0] != last else ""
        last = c[0]
        lines.append("  ".join(v.ljust(w) for v, w in zip((section, *c[1:]), widths, strict=True)).rstrip())
    return "\n".join(lines)


def write_json(path: Path, figures: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(figures, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
