"""`spread_over_bins` against a plain per-interval loop: the vectorised busy-time series adds the same
amounts to the same bins (within float rounding), conserves what falls inside the horizon, and gives
identical results whether or not its caller's arrays are reused (it works on copies). The per-bin
quantiles (ModelLatency p50/p99 per minute) against pandas' groupby quantile, bit for bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.metrics.bins import per_bin_quantiles, spread_over_bins

PERIOD = 60.0
BINS = 10


def _by_loop(starts: np.ndarray, ends: np.ndarray, amounts: np.ndarray) -> np.ndarray:
    totals = np.zeros(BINS)
    for start, end, amount in zip(starts, ends, amounts, strict=True):
        end = max(end, start)
        if end <= start:
            if int(start // PERIOD) < BINS:
                totals[int(start // PERIOD)] += amount
            continue
        rate = amount / (end - start)
        for index in range(BINS):
            low, high = index * PERIOD, (index + 1) * PERIOD
            inside = min(end, high) - max(start, low)
            if inside > 0:
                totals[index] += rate * inside
    return totals


intervals = st.lists(
    st.tuples(
        st.floats(0, BINS * PERIOD * 1.2, allow_nan=False),
        st.floats(0, 200.0, allow_nan=False),
        st.floats(0, 5.0, allow_nan=False),
    ),
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(intervals)
def test_spread_matches_a_loop_over_intervals(rows: list[tuple[float, float, float]]) -> None:
    starts = np.array([r[0] for r in rows], dtype=float)
    ends = starts + np.array([r[1] for r in rows], dtype=float)
    amounts = np.array([r[2] for r in rows], dtype=float)
    before = (starts.copy(), ends.copy(), amounts.copy())
    spread = spread_over_bins(starts, ends, amounts, PERIOD, BINS)
    assert spread.shape == (BINS,)
    np.testing.assert_allclose(spread, _by_loop(starts, ends, amounts), rtol=1e-9, atol=1e-9)
    for original, now in zip(before, (starts, ends, amounts), strict=True):
        assert np.array_equal(original, now)  # the caller's columns are left as they were


def test_an_interval_across_bins_is_split_by_its_overlap() -> None:
    spread = spread_over_bins(np.array([30.0]), np.array([150.0]), np.array([12.0]), PERIOD, BINS)
    np.testing.assert_allclose(spread[:3], [3.0, 6.0, 3.0])
    assert spread[3:].sum() == 0.0


def _pandas_quantiles(bins: np.ndarray, values: np.ndarray, qs: tuple[float, ...]) -> list[np.ndarray]:
    results = [np.full(BINS, np.nan) for _ in qs]
    if len(values):
        grouped = pd.Series(values).groupby(bins).quantile(list(qs))
        for q, result in zip(qs, results, strict=True):
            one = grouped.xs(q, level=1)
            keep = one.index.to_numpy() < BINS
            result[one.index.to_numpy()[keep]] = one.to_numpy()[keep]
    return results


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, BINS + 1), st.floats(0, 1e7, allow_nan=False, allow_subnormal=False)),
        max_size=200,
    ),
    st.booleans(),
    st.lists(st.floats(0, 1), min_size=1, max_size=5, unique=True),
)
def test_per_bin_quantiles_equal_pandas_groupby_quantile(
    rows: list[tuple[int, float]], in_order: bool, qs: list[float]
) -> None:
    """In or out of bin order, ties, empty bins and bins past the horizon: the same floats as pandas."""
    if in_order:
        rows = sorted(rows, key=lambda row: row[0])
    bins = np.array([row[0] for row in rows], dtype=np.int64)
    values = np.array([row[1] for row in rows], dtype=float)
    ours = per_bin_quantiles(bins, values, BINS, tuple(qs))
    for mine, reference in zip(ours, _pandas_quantiles(bins, values, tuple(qs)), strict=True):
        assert np.array_equal(mine, reference, equal_nan=True)


@pytest.mark.parametrize("period", [60.0, 1.0, 0.37, 0.1, 1e-3])
def test_instants_on_and_beside_bin_edges_fall_where_numpy_floor_division_puts_them(period: float) -> None:
    """The compiled spread bins by numpy's float `//`, which differs from floor(t / period) next to edges."""
    edges = np.arange(BINS + 2, dtype=float) * period
    times = np.concatenate(
        [edges, np.nextafter(edges, np.inf), np.nextafter(edges, -np.inf), edges * (1 + 2**-52)]
    )
    times = times[times >= 0]
    expected = np.bincount(np.minimum((times // period).astype(np.int64), BINS), minlength=BINS + 1)
    spread = spread_over_bins(times, times, np.ones_like(times), period, BINS)
    assert np.array_equal(spread, expected[:BINS].astype(float))
