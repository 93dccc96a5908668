"""Quantities per fixed time bin, vectorised (CloudWatch-style 1-minute datapoints): spread over
bins, and per-bin means and quantiles."""

from __future__ import annotations

import numpy as np

from simulator.metrics.spread_kernel import spread_sums


def spread_over_bins(
    starts: np.ndarray, ends: np.ndarray, amounts: np.ndarray, period: float, n_bins: int
) -> np.ndarray:
    """Each amount spread uniformly over its [start, end) interval, summed per bin of `period`.

    Runs in O(n + bins): partial first/last bins are added directly, whole bins in between through a
    difference array. Zero-length intervals put their amount in the start's bin.
    """
    if len(starts) == 0:
        return np.zeros(n_bins)
    starts, ends, amounts = (np.ascontiguousarray(a, dtype=float) for a in (starts, ends, amounts))
    return spread_sums(starts, ends, amounts, period, n_bins)[:n_bins]


def overlap(starts: np.ndarray, ends: np.ndarray, window_start: float, window_end: float) -> np.ndarray:
    """Length of each [start, end) inside [window_start, window_end)."""
    return np.clip(np.minimum(ends, window_end) - np.maximum(starts, window_start), 0.0, None)


def per_bin_mean(bins: np.ndarray, values: np.ndarray, n_bins: int) -> np.ndarray:
    """Mean of the values per bin (NaN for empty bins; bins at or past `n_bins` are dropped)."""
    sums = np.bincount(bins, weights=values, minlength=n_bins)[:n_bins]
    counts = np.bincount(bins, minlength=n_bins)[:n_bins]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def per_bin_quantiles(
    bins: np.ndarray, values: np.ndarray, n_bins: int, qs: tuple[float, ...]
) -> list[np.ndarray]:
    """Each quantile of the values per bin (NaN for empty bins), as pandas' groupby quantile computes
    it (linear: lower + (upper - lower) * fraction), from the two order statistics each needs.

    Bins are contiguous when the values come in arrival order, so each bin is a slice partitioned
    once for all quantiles: several times cheaper than grouping through pandas.
    """
    results = [np.full(n_bins, np.nan) for _ in qs]
    if len(bins) > 1 and (bins[1:] < bins[:-1]).any():
        order = np.argsort(bins, kind="stable")
        bins, values = bins[order], values[order]
    edges = np.searchsorted(bins, np.arange(n_bins + 1))
    for index in np.flatnonzero(edges[1:] > edges[:-1]):
        group = values[edges[index] : edges[index + 1]]
        positions = [q * (len(group) - 1) for q in qs]
        ranks = sorted({rank for p in positions for rank in (int(p), min(int(p) + 1, len(group) - 1))})
        ordered = np.partition(group, ranks)
        for position, result in zip(positions, results, strict=True):
            rank, fraction = int(position), position % 1
            lower = ordered[rank]
            result[index] = lower if fraction == 0 else lower + (ordered[rank + 1] - lower) * fraction
    return results
