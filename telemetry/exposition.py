"""``/metrics``: the sums in Redis as Prometheus text, through prometheus-client's exposition."""

from __future__ import annotations

import json
import math

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from redis import Redis

from telemetry.metrics import KEY, METRICS, Metric, flush

__all__ = ["CONTENT_TYPE_LATEST", "render"]


class _RedisCollector:
    def __init__(self, stored: dict[bytes, bytes]):
        self.stored = stored

    def collect(self):
        counters: dict[str, dict[tuple, float]] = {}
        histograms: dict[str, dict[tuple, dict[str, float]]] = {}
        for raw_field, raw_value in self.stored.items():
            try:
                name, *values = json.loads(raw_field)
            except ValueError:
                continue
            base, _, part = name.partition("|")
            value = float(raw_value)
            if part:
                histograms.setdefault(base, {}).setdefault(tuple(values), {})[part] = value
            else:
                counters.setdefault(base, {})[tuple(values)] = value
        for metric in METRICS:
            yield (self._counter(metric, counters.get(metric.name, {})) if metric.kind == "counter"
                   else self._histogram(metric, histograms.get(metric.name, {})))

    @staticmethod
    def _counter(metric: Metric, series: dict[tuple, float]) -> CounterMetricFamily:
        family = CounterMetricFamily(metric.name.removesuffix("_total"), metric.help, labels=metric.labels)
        for values, total in sorted(series.items()):
            if len(values) == len(metric.labels):
                family.add_metric(list(values), total)
        return family

    @staticmethod
    def _histogram(metric: Metric, series: dict[tuple, dict[str, float]]) -> HistogramMetricFamily:
        family = HistogramMetricFamily(metric.name, metric.help, labels=metric.labels)
        for values, parts in sorted(series.items()):
            if len(values) != len(metric.labels):
                continue
            running, buckets = 0.0, []
            for bound in (*metric.buckets, math.inf):
                running += parts.get(f"le={bound}", 0.0)
                buckets.append(("+Inf" if bound == math.inf else repr(float(bound)), running))
            family.add_metric(list(values), buckets, parts.get("sum", 0.0))
        return family


def render(redis: Redis) -> bytes:
    """Every metric (those without events too, so dashboards see them from the start)."""
    flush()  # this process's own counts first; other processes' arrive within FLUSH_SECONDS
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_RedisCollector(redis.hgetall(KEY)))
    return generate_latest(registry)
