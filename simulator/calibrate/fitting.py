"""Fit distribution dicts to measured samples.

Candidates are the scenario schema's own kinds (gamma and log-normal by mean and cv); the best by
Kolmogorov-Smirnov distance is kept when it is close, otherwise the samples themselves are kept as an
`empirical` distribution compressed to evenly spaced quantiles, which preserves the tail that
percentile latencies depend on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

KS_ACCEPT = 0.03  # keep a parametric fit only when its KS distance is this small
QUANTILES = 500


@dataclass(frozen=True)
class Fit:
    distribution: dict[str, Any]
    ks: float  # KS distance of the chosen form to the samples
    candidates: dict[str, float]  # KS distance of every candidate

    def summary(self) -> dict[str, Any]:
        return {"ks": round(self.ks, 4), "candidates": {k: round(v, 4) for k, v in self.candidates.items()}}


def fit_distribution(samples: np.ndarray) -> Fit:
    """Best of gamma / log-normal / empirical for positive samples (seconds)."""
    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("no samples to fit")
    x = np.maximum(x, 1e-7)
    mean, cv = float(x.mean()), float(x.std() / x.mean()) if x.size > 1 else 0.0
    if x.size < 2 or cv < 1e-3:
        return Fit({"distribution": "deterministic", "value": mean}, 0.0, {})
    shape = 1.0 / cv**2
    sigma = math.sqrt(math.log1p(cv**2))
    mu = math.log(mean) - sigma**2 / 2
    candidates = {
        "gamma": float(stats.kstest(x, stats.gamma(shape, scale=mean / shape).cdf).statistic),
        "lognormal": float(stats.kstest(x, stats.lognorm(sigma, scale=math.exp(mu)).cdf).statistic),
    }
    best = min(candidates, key=lambda k: candidates[k])
    if candidates[best] <= KS_ACCEPT:
        dist = {"distribution": best, "mean": mean, "cv": min(cv, 10.0)}
        return Fit(dist, candidates[best], candidates)
    # evenly spaced quantiles: a compact empirical distribution with the same shape
    q = [float(f"{v:.6g}") for v in np.quantile(x, (np.arange(QUANTILES) + 0.5) / QUANTILES)]
    ks_emp = float(stats.ks_2samp(x, q).statistic)
    return Fit({"distribution": "empirical", "samples": q}, ks_emp, {**candidates, "empirical": ks_emp})
