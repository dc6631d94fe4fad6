"""Section 7: the wording and privacy check: how fast it reads page text
(``postmortem.wording.check_text``), and its precision and recall on the held-aside split
(``evaluate("holdout")``, kept beside the labelled data in bench/wording.py)."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

STORAGE = Path("/work/shared/atlassian/storage")  # real editor-saved Confluence bodies
SEED = Path("/work/shared/seed/postmortem-culture.ko.md")  # a long Korean text
SPLIT = "holdout"  # the written sentences held aside
REAL_SPLIT = "real-holdout"  # real postmortem sentences held aside: the figure the goal is about


def _sample_text() -> str:
    from postmortem.storage_format import parse_storage  # noqa: PLC0415

    parts = []
    for path in sorted(STORAGE.glob("*.xml")):
        try:
            parts.append(" ".join(parse_storage(path.read_text(encoding="utf-8")).itertext()))
        except Exception:  # noqa: BLE001, S112 - a body the parser refuses is left out of the sample
            continue
    if SEED.exists():
        parts.append(SEED.read_text(encoding="utf-8"))
    return "\n".join(parts)


def _forget_sentences() -> None:
    """Empty the per-sentence caches of the wording modules, so a repeated run is not a cache hit."""
    for name in ("english", "korean", "model", "privacy", "sentences"):
        try:
            module = importlib.import_module(f"postmortem.wording.{name}")
        except ImportError:
            continue
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def _evaluate():
    for name in ("postmortem.wording", "bench.wording"):
        try:
            fn = getattr(importlib.import_module(name), "evaluate", None)
        except ImportError:
            continue
        if callable(fn):
            return fn
    return None


def run(min_seconds: float = 2.0) -> dict:
    try:
        wording = importlib.import_module("postmortem.wording")
    except ImportError:
        return {"available": False, "why": "not available yet: no postmortem/wording/"}
    out: dict = {"available": True}
    evaluate = _evaluate()
    if evaluate is None:
        out["held_aside"] = {"error": "not available yet: no evaluate(split)"}
    else:
        for key, split in (("held_aside", SPLIT), ("held_aside_real", REAL_SPLIT)):
            try:
                scores = evaluate(split)
                out[key] = {name: {k: v for k, v in s.items() if k != "misses"} for name, s in scores.items()}
            except Exception as exc:  # noqa: BLE001 - reported, never fatal
                out[key] = {"error": f"{type(exc).__name__}: {exc}"}
    check = getattr(wording, "check_text", None)
    text = _sample_text()
    if not callable(check) or not text:
        out["throughput"] = {"error": "no check_text(text)" if not callable(check) else "no sample text"}
        return out
    size = len(text.encode("utf-8"))
    try:
        started = time.perf_counter()
        check(text)  # the first run loads the models (the blame weights, Kiwi for Korean)
        first = time.perf_counter() - started
        done, spent = 0, 0.0
        while spent < min_seconds:
            _forget_sentences()  # every run reads the text afresh, as a new page would be
            started = time.perf_counter()
            check(text)
            spent += time.perf_counter() - started
            done += 1
        out["throughput"] = {"kb_per_s": done * size / 1024 / spent, "sample_kb": size / 1024, "runs": done,
                             "first_run_s": first}
    except Exception as exc:  # noqa: BLE001
        out["throughput"] = {"error": f"{type(exc).__name__}: {exc}"}
    return out
