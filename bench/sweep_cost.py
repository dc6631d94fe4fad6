"""Section 5: what one ``debrief sweep`` costs as the archive grows (10 open drafts; 0, 100,
then 1,000 archived postmortems seeded straight into the sandbox's state)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bench import drafting, lifecycle
from bench.site import SERVICE_ACCOUNT, Site

DRAFTS_SPACE, ARCHIVE_SPACE = "PM", "PMARCHIVE"
REPEATS = 2


def _seed_archived(site: Site, number: int) -> None:
    """An archived postmortem as Debrief leaves one: in the archive space, with its labels and
    its ``debrief`` state property."""
    key, now = f"INC-{number}", datetime.now(UTC).isoformat(timespec="seconds")
    labels = ["postmortem", "postmortem-archived", "sev-3", "checkout", key.lower()]
    conf = site.state.confluence
    with site.state.lock:
        page = conf.create_page(ARCHIVE_SPACE, f"Postmortem {key}: seeded outage {number}",
                                f"<p>Archived postmortem of {key}.</p>", SERVICE_ACCOUNT, labels=labels)
        conf.create_property(page.id, "debrief", {"incident": key, "status": "archived", "template": "default",
                                                  "language": "en", "created": now, "updated": now,
                                                  "labels": labels}, SERVICE_ACCOUNT)


def run(site: Site, env: dict, sizes: tuple[int, ...] = (0, 100, 1000), drafts: int = 10) -> dict:
    if not lifecycle.has_sweep():
        return {"available": False, "why": "not available yet: no `debrief sweep`"}
    made = [drafting.one_draft(site, site.create_incident()) for _ in range(drafts)]  # real drafts, by the product
    if any("page_s" not in d for d in made):
        return {"available": True, "error": f"could not draft the open postmortems: {made}"}
    lifecycle.run_sweep(env)  # not counted: the first sweep does what the new drafts are due
    number, archived, rows = 700000, 0, []
    for size in sizes:
        while archived < size:
            number += 1
            archived += 1
            _seed_archived(site, number)
        runs = []
        for _ in range(REPEATS):  # the quicker of two: a shared machine only ever adds time
            mark = site.mark()
            started = time.monotonic()
            result = lifecycle.run_sweep(env)
            seconds = time.monotonic() - started
            calls = site.debrief_calls(mark)
            if result.returncode != 0:
                return {"available": True, "rows": rows, "error": f"debrief sweep exited {result.returncode} with "
                        f"{size} archived: {lifecycle._last_line(result.stderr)}"}  # noqa: SLF001
            runs.append({"drafts": drafts, "archived": size, "seconds": seconds,
                         "debrief_seconds": seconds - calls.service_ms / 1000, "calls": len(calls.entries),
                         "reads": calls.reads, "writes": calls.writes, "service_ms": calls.service_ms,
                         "by_call": calls.by_name()})
        rows.append(min(runs, key=lambda r: r["debrief_seconds"]))
    base = rows[0]
    return {"available": True, "rows": rows,
            "time_ratio_largest_to_smallest": rows[-1]["seconds"] / base["seconds"] if base["seconds"] else None,
            # without the sandbox's own service time (its CQL search scans every page it holds)
            "own_time_ratio_largest_to_smallest": (rows[-1]["debrief_seconds"] / base["debrief_seconds"]
                                                   if base["debrief_seconds"] > 0 else None),
            "calls_ratio_largest_to_smallest": rows[-1]["calls"] / base["calls"] if base["calls"] else None}
