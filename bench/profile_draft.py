"""Where a draft job's time goes: ``jobs.draft.draft`` run in this process against the sandbox,
under cProfile, with fresh HTTP clients per job as the worker's forked work horse has them.
Time inside the HTTP calls includes the sandbox's own service time (it shares this process's
interpreter): compare with the journal's figure printed beside it."""

from __future__ import annotations

import cProfile
import io
import pstats
from datetime import UTC, datetime
from pathlib import Path

from bench.profile_intake import _key, _per_call, _tree
from bench.site import Site

ROOT_FN = ("jobs/draft.py", "draft")


def run(site: Site, env: dict, config: Path, n: int = 5) -> dict:
    from redis import Redis  # noqa: PLC0415

    from config.environment import read_environment  # noqa: PLC0415
    from config.settings import load_settings  # noqa: PLC0415
    from jobs.context import JobContext  # noqa: PLC0415
    from jobs.draft import draft  # noqa: PLC0415

    settings, environment = load_settings(config), read_environment(env, need_atlassian=True)
    keys = [site.create_incident() for _ in range(n + 1)]
    profiler = cProfile.Profile()
    mark = None
    for i, key in enumerate(keys):
        ctx = JobContext(settings, environment, Redis.from_url(env["REDIS_URL"]))  # new clients, as per job
        if i == 1:  # the first job warms imports and caches up, uncounted
            mark = site.mark()
            profiler.enable()
        draft(ctx, datetime.now(UTC), key)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    root = _key(stats, *ROOT_FN)
    if root is None:
        return {"error": "jobs.draft.draft did not run under the profiler"}
    whole = _per_call(stats, *ROOT_FN, n)[0]
    journal = site.debrief_calls(mark)
    return {"jobs": n, "job_us": whole, "sandbox_service_us": journal.service_ms * 1000 / n,
            "calls_per_job": len(journal.entries) / n, "steps": _tree(stats, root, n, whole)}
