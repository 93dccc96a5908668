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
    if len(starts) == 0:
        return np.zeros(n_bins)
    starts = np.asarray(starts, dtype=float)
    ends = np.maximum(np.asarray(ends, dtype=float), starts)
    amounts = np.asarray(amounts, dtype=float)
    length = ends - starts
    first = np.minimum((starts // period).astype(np.int64), n_bins)
    last = np.minimum((ends // period).astype(np.int64), n_bins)
    point = length <= 0
    span = ~point
    first_span, last_span, starts, ends = first[span], last[span], starts[span], ends[span]
    rate = amounts[span] / length[span]
    points, point_amounts = first[point], amounts[point]
    del first, last, length, span, point  # long runs: free each full-size temporary once it is used
    same = first_span == last_span
    multi = ~same
    f, la, r = first_span[multi], last_span[multi], rate[multi]
    # one bincount adds in input order, as the successive np.add.at calls it stands for did
    single = ends[same]
    single -= starts[same]
    single *= rate[same]
    totals = np.bincount(
        np.concatenate([points, first_span[same], f, la]),
        weights=np.concatenate(
            [
                point_amounts,
                single,
                r * ((f + 1) * period - starts[multi]),
                r * (ends[multi] - la * period),
            ]
        ),
        minlength=n_bins + 1,
    )
    difference = np.bincount(
        np.concatenate([f + 1, la]), weights=np.concatenate([r * period, -r * period]), minlength=n_bins + 2
    )
    totals += np.cumsum(difference)[: n_bins + 1]
    return totals[:n_bins]


def overlap(starts: np.ndarray, ends: np.ndarray, window_start: float, window_end: float) -> np.ndarray:
    """Length of each [start, end) inside [window_start, window_end)."""
    return np.clip(np.minimum(ends, window_end) - np.maximum(starts, window_start), 0.0, None)
