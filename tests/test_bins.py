"""`spread_over_bins` against a plain per-interval loop: the vectorised busy-time series adds the same
amounts to the same bins (within float rounding), conserves what falls inside the horizon, and gives
identical results whether or not its caller's arrays are reused (it works on copies)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.metrics.bins import spread_over_bins

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
