"""Prometheus metrics: definitions and recording (telemetry.metrics), ``/metrics`` text
(telemetry.exposition)."""
