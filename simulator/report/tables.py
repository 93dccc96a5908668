"""Flat rows of the headline figures, shared by the terminal table and the HTML report."""

from __future__ import annotations

from typing import Any

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


def _dig(data: Any, keys: tuple[str, ...]) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def format_figure(value: Any, pattern: str) -> str:
    """A figure, or a replicated {mean, ci95_low, ci95_high} as "mean [low, high]"; "-" when missing."""
    if isinstance(value, dict):
        mean, low, high = value.get("mean"), value.get("ci95_low"), value.get("ci95_high")
        if mean is None:
            return "-"
        if low is None:
            return pattern.format(mean)
        return f"{pattern.format(mean)} [{pattern.format(low)}, {pattern.format(high)}]"
    return "-" if value is None else pattern.format(value)


def headline_rows(
    summary: dict[str, Any], combined: dict[str, Any] | None
) -> tuple[list[str], list[list[str]]]:
    """Header and rows: one column for the endpoint and one per variant (with CIs when replicated)."""
    source = combined if combined is not None else summary
    variants = list(summary.get("variants", {}))
    header = ["figure", "endpoint", *variants]
    rows = []
    for label, keys, pattern in HEADLINE:
        row = [label, format_figure(_dig(source, keys), pattern)]
        row += [format_figure(_dig(source, ("variants", name, *keys)), pattern) for name in variants]
        rows.append(row)
    instances = ["instances mean / max", "-"]
    for name in variants:
        mean = _dig(summary, ("variants", name, "instances", "mean"))
        peak = _dig(summary, ("variants", name, "instances", "max"))
        instances.append("-" if mean is None else f"{mean:.2f} / {peak}")
    rows.append(instances)
    return header, rows
