"""How fast the container's cores ran second by second within a level, from its CPU accounting.

A level's one speed (its CPU per request over calibration's) hides what moves a tail most on a shared
host: spells of seconds in which the same requests cost far more CPU. Sampled every 0.1 s on this
project's 2-vCPU VM (2026-12-03 23:30 UTC, flask-nginx at 80% of its maximum), the CPU per request in
1-second windows ran 6.1-10.4 ms against a level median of 6.8 ms; in the four windows over 9 ms the
server fell behind, and its p95 per window went from 30-60 ms to 350-720 ms. A closed loop of 8
users drifted 5.6 -> 8.1 ms a request over 10 s. The level's mean speed sees none of that, so the
prediction at it missed p95 by -20..-60% at 65-80% load in most runs, on every stack alike.

`SpeedTrace` turns the samples into a factor per window (the window's CPU per completion over the
level's), which a prediction applies to each replayed request by its send time: the model then runs
on the speed the machine had at each moment, and what is left of the error is the model's. Windows
with few completions say little about cost (a few large batches), so they keep the level's speed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WINDOW_S = 1.0  # long enough for ~30+ completions at 30% load of a ~100/s server
MIN_COMPLETIONS = 10  # fewer in a window: its CPU per completion is the payload mix, not the machine
FACTOR_RANGE = (0.5, 3.0)  # beyond these a window's figure is an accounting glitch, not a speed


@dataclass(frozen=True)
class SpeedTrace:
    """Window start times (s from the level's start) and each window's speed factor relative to the
    level's mean (1.0: as fast as the level on average; 1.3: requests cost 30% more CPU)."""

    starts: np.ndarray
    factors: np.ndarray

    def at(self, times: np.ndarray) -> np.ndarray:
        """The factor for requests sent at `times` (1.0 outside the traced span)."""
        if len(self.starts) == 0:
            return np.ones(len(times))
        index = np.searchsorted(self.starts, times, side="right") - 1
        inside = (index >= 0) & (times < self.starts[-1] + WINDOW_S)
        return np.where(inside, self.factors[np.clip(index, 0, None)], 1.0)

    def changes(self) -> list[tuple[float, float]]:
        """(time, factor) at each window's start, and back to 1.0 where the trace ends."""
        if len(self.starts) == 0:
            return []
        ends = [(float(self.starts[-1] + WINDOW_S), 1.0)]
        return [(float(t), float(f)) for t, f in zip(self.starts, self.factors, strict=True)] + ends

    def spread(self) -> tuple[float, float]:
        """The 10th and 90th percentile factor over the windows ((1, 1) without any)."""
        if len(self.factors) == 0:
            return 1.0, 1.0
        low, high = np.percentile(self.factors, [10, 90])
        return float(low), float(high)


NO_TRACE = SpeedTrace(np.zeros(0), np.zeros(0))


def speed_trace(samples: Sequence[tuple[float, float]], completions: np.ndarray) -> SpeedTrace:
    """Factors per WINDOW_S window from (time, cumulative CPU seconds) samples and completion times,
    both in seconds from the level's start; NO_TRACE when the samples cannot give one."""
    if len(samples) < 2 or len(completions) == 0:
        return NO_TRACE
    times = np.array([t for t, _ in samples])
    cpu = np.array([c for _, c in samples])
    if not (np.all(np.isfinite(cpu)) and np.all(np.diff(times) > 0)):
        return NO_TRACE
    edges = np.arange(times[0], times[-1] + 1e-9, WINDOW_S)  # the last whole window too
    if len(edges) < 2:
        return NO_TRACE
    used = np.diff(np.interp(edges, times, cpu))
    counts = np.histogram(completions, bins=edges)[0]
    usable = counts >= MIN_COMPLETIONS
    if not usable.any():
        return NO_TRACE
    mean_cost = used[usable].sum() / counts[usable].sum()
    if mean_cost <= 0:
        return NO_TRACE
    cost = np.divide(used, counts, out=np.full(len(used), mean_cost), where=usable)
    factors = np.clip(cost / mean_cost, *FACTOR_RANGE)
    return SpeedTrace(edges[:-1], np.where(usable, factors, 1.0))
