"""Replication statistics: means with t confidence intervals, quantiles, Wilson intervals for fractions."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy import stats

from simulator.core.stats import t_interval


def mean_ci(values: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean, low, high) from the Student t interval over independent replications."""
    mean, half = t_interval(values, level)
    return mean, mean - half, mean + half


def ci95(
    values: Sequence[float] | np.ndarray, lower: float = -math.inf, upper: float = math.inf
) -> dict[str, float]:
    """`mean_ci` as summary.json writes a figure: {mean, ci95_low, ci95_high}; the interval kept within
    what the quantity can take (`lower`, `upper`: 0 for times, counts and costs)."""
    mean, low, high = mean_ci(values)
    return {"mean": mean, "ci95_low": max(lower, low), "ci95_high": min(upper, high)}


def describe(
    values: Sequence[float] | np.ndarray, lower: float = -math.inf, upper: float = math.inf
) -> dict[str, float]:
    """Mean with its 95% CI (within `lower`..`upper`), spread and the quantiles a planner reads (p50,
    p90, p95, p99)."""
    data = np.asarray(values, dtype=float)
    p50, p90, p95, p99 = (float(q) for q in np.quantile(data, [0.5, 0.9, 0.95, 0.99]))
    return {
        **ci95(data, lower, upper),
        "std": float(data.std(ddof=1)) if data.size > 1 else 0.0,
        "min": float(data.min()),
        "p50": p50,
        "p90": p90,
        "p95": p95,
        "p99": p99,
        "max": float(data.max()),
    }


def proportion(flags: Sequence[bool] | np.ndarray, level: float = 0.95) -> dict[str, float]:
    """Fraction with its Wilson score interval (sane at 0 and 1, unlike the normal interval)."""
    data = np.asarray(flags, dtype=bool)
    n = data.size
    p = float(data.mean())
    z = float(stats.norm.ppf(0.5 + level / 2))
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # the Wilson interval always contains p; min/max only undo float rounding at p = 0 or 1
    return {
        "mean": p,
        "ci95_low": min(p, max(0.0, centre - half)),
        "ci95_high": max(p, min(1.0, centre + half)),
    }
