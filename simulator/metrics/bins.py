"""Spread quantities over fixed time bins, vectorised (CloudWatch-style 1-minute datapoints)."""

from __future__ import annotations

import numpy as np


def spread_over_bins(
    starts: np.ndarray, ends: np.ndarray, amounts: np.ndarray, period: float, n_bins: int
) -> np.ndarray:
    """Each amount spread uniformly over its [start, end) interval, summed per bin of `period`.

    Runs in O(n + bins): partial first/last bins are added directly, whole bins in between through a
    difference array. Zero-length intervals put their amount in the start's bin.
    """
    totals = np.zeros(n_bins + 1)
    if len(starts) == 0:
        return totals[:n_bins]
    starts = np.asarray(starts, dtype=float)
    ends = np.maximum(np.asarray(ends, dtype=float), starts)
    amounts = np.asarray(amounts, dtype=float)
    length = ends - starts
    first = np.minimum((starts // period).astype(np.int64), n_bins)
    last = np.minimum((ends // period).astype(np.int64), n_bins)
    point = length <= 0
    np.add.at(totals, first[point], amounts[point])
    span = ~point
    first, last, starts, ends = first[span], last[span], starts[span], ends[span]
    rate = amounts[span] / length[span]
    same = first == last
    np.add.at(totals, first[same], rate[same] * (ends[same] - starts[same]))
    multi = ~same
    f, la, r = first[multi], last[multi], rate[multi]
    np.add.at(totals, f, r * ((f + 1) * period - starts[multi]))
    np.add.at(totals, la, r * (ends[multi] - la * period))
    difference = np.zeros(n_bins + 2)
    np.add.at(difference, f + 1, r * period)
    np.add.at(difference, la, -r * period)
    totals += np.cumsum(difference)[: n_bins + 1]
    return totals[:n_bins]


def overlap(starts: np.ndarray, ends: np.ndarray, window_start: float, window_end: float) -> np.ndarray:
    """Length of each [start, end) inside [window_start, window_end)."""
    return np.clip(np.minimum(ends, window_end) - np.maximum(starts, window_start), 0.0, None)
