"""Precision and recall on the labelled sentences; the held-aside set must reach 0.9."""

from __future__ import annotations

import pytest

from bench.wording import evaluate


@pytest.fixture(scope="module")
def scores():
    return {split: evaluate(split) for split in ("dev", "holdout")}


@pytest.mark.parametrize("name", ["blame_en", "blame_ko", "privacy"])
def test_holdout_precision_and_recall(scores, name):
    for split in ("dev", "holdout"):
        f = scores[split][name]
        print(f"{split} {name}: precision {f['precision']:.3f} recall {f['recall']:.3f}")
    held = scores["holdout"][name]
    assert held["precision"] >= 0.9 and held["recall"] >= 0.9, held["misses"]
