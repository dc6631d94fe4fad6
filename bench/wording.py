"""Precision and recall of the wording checks on the labelled sentences in tests/data/wording.

``python -m bench.wording`` prints them; ``evaluate(split)`` returns them. ``split`` is one of

- "dev": written sentences the rules were developed on;
- "holdout": written sentences set aside before any rule was written, never tuned on;
- "real-dev": real sentences quoted from public incident reports, used for tuning;
- "real-holdout": real sentences from the same collection, split off by a hash rule and never
  tuned on (see tests/data/wording/README.md). The real sets are blame only.
"""

from __future__ import annotations

import sys
from pathlib import Path

from postmortem.wording import PrivacyPolicy, blame_findings, privacy_findings

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "wording"


SPLITS = ("dev", "holdout", "real-dev", "real-holdout")
# The privacy files are labelled for this policy (tests/data/wording/README.md): the demo
# company's domain is its own.
SCORING_POLICY = PrivacyPolicy(internal_domains=("example.com",))


def _rows(name: str) -> list[tuple[str, str]]:
    """(label, text) of each row; a third column (the real sets' source) is not scored."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 2)[:2]
            rows.append((label, text))
    return rows


def _figures(tp: int, fp: int, fn: int) -> dict:
    return {"precision": tp / (tp + fp) if tp + fp else 1.0, "recall": tp / (tp + fn) if tp + fn else 1.0,
            "tp": tp, "fp": fp, "fn": fn}


def blame_scores(lang: str, split: str) -> dict:
    """Sentence level: a sentence labelled with a blame kind must get at least one blame
    finding, a sentence labelled ``none`` must get none."""
    tp = fp = fn = 0
    misses = []
    for label, text in _rows(f"blame.{lang}.{split}.tsv"):
        predicted = bool(blame_findings(text, "auto"))
        gold = label != "none"
        tp += predicted and gold
        fp += predicted and not gold
        fn += gold and not predicted
        if predicted != gold:
            misses.append((label, text))
    return {**_figures(tp, fp, fn), "misses": misses}


def privacy_scores(split: str) -> dict:
    """Finding level: each expected (kind, exact text) is a true positive when found."""
    tp = fp = fn = 0
    misses = []
    for expected, text in _rows(f"privacy.{split}.tsv"):
        gold = set() if expected == "-" else {tuple(p.split("=", 1)) for p in expected.split(";")}
        got = {(f.kind, f.text) for f in privacy_findings(text, SCORING_POLICY)}
        tp, fp, fn = tp + len(gold & got), fp + len(got - gold), fn + len(gold - got)
        if gold != got:
            misses.append((expected, text))
    return {**_figures(tp, fp, fn), "misses": misses}


def evaluate(split: str = "holdout") -> dict:
    """{"blame_en": {...}, "blame_ko": {...}, "privacy": {...}}, each with precision,
    recall, tp, fp, fn and the misclassified rows (no "privacy" for the real splits)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}")
    out = {"blame_en": blame_scores("en", split), "blame_ko": blame_scores("ko", split)}
    if not split.startswith("real-"):
        out["privacy"] = privacy_scores(split)
    return out


def report(split: str) -> str:
    lines = []
    for name, figures in evaluate(split).items():
        lines.append(f"{split:12} {name:9} precision {figures['precision']:.3f} recall {figures['recall']:.3f} "
                     f"(tp {figures['tp']}, fp {figures['fp']}, fn {figures['fn']})")
    return "\n".join(lines)


if __name__ == "__main__":
    for which in sys.argv[1:] or list(SPLITS):
        print(report(which))
