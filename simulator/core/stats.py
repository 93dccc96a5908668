"""Confidence intervals across independent replications (Student t, 95%)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import stdtrit


def t_interval(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """(mean, half-width) of the Student t interval over independent replications (half 0 for n < 2)."""
    data = np.asarray(values, dtype=float)
    mean = float(data.mean())
    if data.size < 2:
        return mean, 0.0
    # stdtrit is what scipy.stats.t.ppf evaluates (same value), without importing all of scipy.stats
    # (over a second in every process and worker that computes an interval)
    return mean, float(stdtrit(data.size - 1, 0.5 + level / 2) * data.std(ddof=1) / math.sqrt(data.size))


def mean_ci95(
    values: Sequence[float | None], lower: float | None = None, upper: float | None = None
) -> dict[str, float | None]:
    """Mean and 95% t-interval of independent replication outputs (no interval for one value).

    `lower` and `upper` bound what the quantity can take (0 for counts, times and costs; 1 for a
    share): the interval never reaches past them, as a symmetric t-interval over few replications
    otherwise would.
    """
    data = [v for v in values if v is not None]
    if not data:
        return {"mean": None, "ci95_low": None, "ci95_high": None}
    mean, half = t_interval(data)
    if len(data) < 2:
        return {"mean": mean, "ci95_low": None, "ci95_high": None}
    low = mean - half if lower is None else max(lower, mean - half)
    high = mean + half if upper is None else min(upper, mean + half)
    return {"mean": mean, "ci95_low": low, "ci95_high": high}


SUMMARY_SHARES = frozenset({"error_rate", "utilisation", "processing_utilisation"})


def combine_summaries(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Same nested shape as one summary, each number replaced by {mean, ci95_low, ci95_high}.

    Every figure of a summary is a count, time, rate or cost, so no interval reaches below 0; the
    shares in `SUMMARY_SHARES` stop at 1 too (a rare error over three replications would otherwise
    read "0.001 [-0.002, 0.004]").
    """
    first = summaries[0]
    combined: dict[str, Any] = {}
    for key, value in first.items():
        if isinstance(value, dict):
            combined[key] = combine_summaries([s[key] for s in summaries])
        elif isinstance(value, int | float) or value is None:
            upper = 1.0 if key in SUMMARY_SHARES else None
            combined[key] = mean_ci95([s[key] for s in summaries], 0.0, upper)
    return combined


def means_of(combined: dict[str, Any]) -> dict[str, Any]:
    """The `mean` of every figure in a combined summary, in the single-run shape."""
    result: dict[str, Any] = {}
    for key, value in combined.items():
        if isinstance(value, dict) and set(value) == {"mean", "ci95_low", "ci95_high"}:
            result[key] = value["mean"]
        elif isinstance(value, dict):
            result[key] = means_of(value)
    return result


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
