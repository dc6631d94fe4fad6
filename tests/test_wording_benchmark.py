"""Precision and recall on the labelled sentences.

The real sentences (quoted from public incident reports, tests/data/wording/README.md) are the
honest figure: the real-holdout split was never tuned on and is below the 0.9 the issue asks for,
so its test guards the measured level (a regression floor) and prints the figure rather than
claiming 0.9. The written held-aside sets are our own sentences around the issue's examples and
look-alikes; they guard the same way. real-dev is training data for the rules and the model
(postmortem/wording/model.py), so its figures are a fit, not a measure; its cross-validated
figures come from ``python -m bench.wording_model --cv``.
"""

from __future__ import annotations

import hashlib

import pytest

from bench.wording import DATA, SPLITS, evaluate

# Measured on real-holdout, rounded down to 0.05. History: rules alone (first real sets)
# en P 0.806 R 0.521, ko P 0.808 R 0.677; rules weighed by the first model en P 0.750 R 0.625,
# ko P 0.815 R 0.710. With the second collection (holdout 669 en / 392 ko sentences) the old
# checker measured en P 0.819 R 0.521, ko P 0.886 R 0.523 on it; the model trained on the grown
# dev sets measures en P 0.801 R 0.747, ko P 0.873 R 0.756. Raise these when the checker
# improves; 0.9 is the target, not yet reached.
REAL_HOLDOUT_FLOOR = {"blame_en": (0.80, 0.70), "blame_ko": (0.85, 0.75)}
# The written held-aside sets: en P 0.900 R 0.973, ko P 0.921 R 0.972 (before the model learnt
# from the second collection: en 0.921 / 0.946, ko 0.971 / 0.944); privacy 1.0 / 1.0.
WRITTEN_HOLDOUT_FLOOR = {"blame_en": (0.90, 0.95), "blame_ko": (0.90, 0.95), "privacy": (0.95, 0.95)}
# real-dev is fitted (training data): a regression guard only.
REAL_DEV_FLOOR = {"blame_en": (0.95, 0.95), "blame_ko": (0.95, 0.95)}


@pytest.fixture(scope="module")
def scores():
    return {split: evaluate(split) for split in SPLITS}


def _show(scores, name):
    for split in SPLITS:
        if name in scores[split]:
            f = scores[split][name]
            print(f"{split} {name}: precision {f['precision']:.3f} recall {f['recall']:.3f} "
                  f"(tp {f['tp']}, fp {f['fp']}, fn {f['fn']})")


@pytest.mark.parametrize("name", ["blame_en", "blame_ko", "privacy"])
def test_holdout_precision_and_recall(scores, name):
    _show(scores, name)
    held = scores["holdout"][name]
    precision, recall = WRITTEN_HOLDOUT_FLOOR[name]
    # No misses in the message: nobody tunes on this split.
    assert held["precision"] >= precision and held["recall"] >= recall, (
        f"holdout {name}: precision {held['precision']:.3f} recall {held['recall']:.3f}")


@pytest.mark.parametrize("name", ["blame_en", "blame_ko"])
def test_real_dev_precision_and_recall(scores, name):
    dev = scores["real-dev"][name]
    precision, recall = REAL_DEV_FLOOR[name]
    assert dev["precision"] >= precision and dev["recall"] >= recall, dev["misses"]


@pytest.mark.parametrize("name", ["blame_en", "blame_ko"])
def test_real_holdout_does_not_fall_below_the_measured_level(scores, name):
    _show(scores, name)
    held = scores["real-holdout"][name]
    precision, recall = REAL_HOLDOUT_FLOOR[name]
    # No misses in the message: nobody tunes on this split.
    assert held["precision"] >= precision and held["recall"] >= recall, (
        f"real-holdout {name}: precision {held['precision']:.3f} recall {held['recall']:.3f}")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_real_sets_follow_the_hash_rule_and_name_their_source(lang):
    seen = set()
    for split, held in (("real-dev", False), ("real-holdout", True)):
        for line in (DATA / f"blame.{lang}.{split}.tsv").read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            label, sentence, source = line.split("\t")
            assert label in {"culprit", "judgement", "threat", "human_error", "none"}
            assert source.strip(), sentence
            assert (int(hashlib.sha256(sentence.encode("utf-8")).hexdigest(), 16) % 2 == 1) is held, sentence
            assert sentence not in seen
            seen.add(sentence)
    assert len(seen) >= 150
