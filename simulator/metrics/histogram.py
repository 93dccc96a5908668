"""Mergeable log-bucketed histograms: percentiles of hundreds of millions of latencies in fixed memory.

Bucket k holds values in [floor * g^k, floor * g^(k+1)) with g = 1 + relative_error * 2, so any
percentile read back (the bucket's geometric midpoint) is within `relative_error` of a true sample
value of that rank. Values below `floor` (1 microsecond) share bucket 0.
"""

from __future__ import annotations

import math

import numpy as np


class LogHistogram:
    """Counts per logarithmic bucket, plus exact count, sum and maximum."""

    def __init__(self, relative_error: float = 0.0005, floor: float = 1e-6, ceiling: float = 1e5) -> None:
        self.growth = 1.0 + 2.0 * relative_error
        self.floor = floor
        self._log_growth = math.log(self.growth)
        self.counts = np.zeros(int(math.log(ceiling / floor) / self._log_growth) + 2, dtype=np.int64)
        self.total = 0
        self.sum = 0.0
        self.max = -math.inf

    def add(self, values: np.ndarray) -> None:
        if len(values) == 0:
            return
        scaled = np.maximum(values, self.floor) / self.floor
        index = np.minimum((np.log(scaled) / self._log_growth).astype(np.int64), len(self.counts) - 1)
        self.counts += np.bincount(index, minlength=len(self.counts))
        self.total += len(values)
        self.sum += float(values.sum())
        self.max = max(self.max, float(values.max()))

    def merge(self, other: LogHistogram) -> None:
        self.counts += other.counts
        self.total += other.total
        self.sum += other.sum
        self.max = max(self.max, other.max)

    def percentile(self, q: float) -> float | None:
        """The q-th percentile (0-100), nearest rank, as its bucket's geometric midpoint."""
        if self.total == 0:
            return None
        rank = max(1, math.ceil(q / 100.0 * self.total))
        bucket = int(np.searchsorted(np.cumsum(self.counts), rank))
        value = self.floor * self.growth ** (bucket + 0.5)
        return min(value, self.max)
