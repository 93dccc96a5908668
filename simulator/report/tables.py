"""Flat rows of the headline figures, shared by the terminal table and the HTML report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulator.core.stats import format_figure
from simulator.metrics.summary_types import Summary

HEADLINE: list[tuple[str, tuple[str, ...], str]] = [
    ("requests arrived", ("requests", "arrived"), "{:,.0f}"),
    ("completed", ("requests", "completed"), "{:,.0f}"),
    ("failed (5XX)", ("requests", "failed"), "{:,.0f}"),
    ("throttled (4XX)", ("requests", "throttled"), "{:,.0f}"),
    ("throughput /s", ("throughput_per_s",), "{:,.2f}"),
    ("latency mean ms", ("latency_ms", "mean"), "{:,.1f}"),
    ("latency p50 ms", ("latency_ms", "p50"), "{:,.1f}"),
    ("latency p95 ms", ("latency_ms", "p95"), "{:,.1f}"),
    ("latency p99 ms", ("latency_ms", "p99"), "{:,.1f}"),
    ("queue wait mean ms", ("queue_wait_ms", "mean"), "{:,.1f}"),
    ("cost USD", ("cost_usd", "total"), "{:,.4f}"),
    ("USD per 1M inferences", ("cost_usd", "per_million_inferences"), "{:,.2f}"),
]


def dig(data: Any, keys: tuple[str, ...]) -> Any:
    """The figure at `keys` of a typed summary (attributes) or of its replication intervals (keys)."""
    for key in keys:
        data = data.get(key) if isinstance(data, Mapping) else getattr(data, key, None)
    return data


def headline_rows(summary: Summary, combined: dict[str, Any] | None) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one column for the endpoint and one per variant (with CIs when replicated)."""
    source = combined if combined is not None else summary
    variants = list(summary.variants)
    header = ["figure", "endpoint", *variants]
    sources = [source, *(dig(source, ("variants", name)) for name in variants)]
    rows = [
        [label, *(format_figure(dig(s, keys), pattern) for s in sources)] for label, keys, pattern in HEADLINE
    ]
    instances = [  # a serverless variant has no instances: "0.00 / 0" read like a fleet that was down
        "-" if b.serverless is not None else f"{b.instances.mean:.2f} / {b.instances.max}"
        for b in summary.variants.values()
    ]
    rows.append(["instances mean / max", "-", *instances])
    return header, rows
