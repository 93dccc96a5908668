"""Fixed-memory aggregates for long runs: finished requests are folded in, then their records reused.

What the summary and the per-period series need is kept as counts, sums and mergeable log-bucketed
histograms (summary percentiles within 0.05%, per-period p50/p99 within 2.5%), so a simulated week
of hundreds of millions of requests fits in well under a gigabyte.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simulator.core.records import ERROR_5XX, RingLog, Status
from simulator.metrics.bins import spread_over_bins
from simulator.metrics.histogram import LogHistogram
from simulator.metrics.summary import PERCENTILES, Figures, compose, request_figures
from simulator.metrics.summary_types import Extras, Latency, QueueWait, Summary

_PERIOD_GROWTH = 1.05  # per-period latency histogram buckets: 2.5% relative error
_PERIOD_FLOOR = 1e-5
_PERIOD_BUCKETS = int(np.log(1e4 / _PERIOD_FLOOR) / np.log(_PERIOD_GROWTH)) + 2


class _WindowFigures:
    """Summary aggregates of one variant (or of requests that never reached one)."""

    def __init__(self) -> None:
        self.status = np.zeros(len(Status), dtype=np.int64)
        self.latency = LogHistogram()
        self.model_latency = LogHistogram()
        self.queue_wait = LogHistogram()

    def merge(self, other: _WindowFigures) -> None:
        self.status += other.status
        self.latency.merge(other.latency)
        self.model_latency.merge(other.model_latency)
        self.queue_wait.merge(other.queue_wait)


def _figures(histogram: LogHistogram) -> Latency:
    if histogram.total == 0:
        return Latency()
    scaled = {name: histogram.percentile(q) for name, q in PERCENTILES.items()}
    return Latency(
        mean=histogram.sum / histogram.total * 1000.0,
        **{name: value * 1000.0 for name, value in scaled.items() if value is not None},
        max=histogram.max * 1000.0,
    )


class StreamingCollector:
    """Folds finished requests into window figures and per-period series, variant by variant."""

    def __init__(self, n_variants: int, period: float, duration: float, window: tuple[float, float]) -> None:
        self.period = period
        self.duration = duration
        self.window = window
        self.n_bins = int(np.ceil(duration / period))
        self.figures = [_WindowFigures() for _ in range(n_variants + 1)]  # last: no variant
        shape = (n_variants, self.n_bins)
        self.invocations = np.zeros(shape, dtype=np.int64)
        self.throttled = np.zeros(shape, dtype=np.int64)
        self.errors_5xx = np.zeros(shape, dtype=np.int64)
        self.completed = np.zeros(shape, dtype=np.int64)
        self.model_latency_sum = np.zeros(shape)
        self.overhead_sum = np.zeros(shape)
        self.busy = np.zeros(shape)
        self.period_histograms = np.zeros((n_variants, self.n_bins, _PERIOD_BUCKETS), dtype=np.int32)

    def fold(self, log: RingLog, start: int, stop: int) -> None:
        """Add the requests with global indices [start, stop) (finished or, at the end, in flight)."""
        for part in log.slices(start, stop):
            self._fold(log, part)

    def _fold(self, log: RingLog, part: slice) -> None:
        arrival, start, end, work, overhead, variant, status = (
            getattr(log, name)[part]
            for name in ("arrival", "start", "end", "work", "overhead", "variant", "status")
        )
        inside = arrival >= self.window[0]
        bins = np.minimum((arrival // self.period).astype(np.int64), self.n_bins - 1)
        ok = status == Status.OK
        model_latency = end - arrival
        n = self.n_bins
        for index, figures in enumerate(self.figures):
            mine = variant == (index if index < len(self.figures) - 1 else -1)
            if not mine.any():
                continue
            counted = mine & inside
            figures.status += np.bincount(status[counted], minlength=len(Status))
            served = counted & ok
            figures.latency.add(model_latency[served] + overhead[served])
            figures.model_latency.add(model_latency[served])
            started = counted & ~np.isnan(start)
            figures.queue_wait.add(start[started] - arrival[started])
            if index == len(self.figures) - 1:
                continue
            # the per-period series of a variant
            self.invocations[index] += np.bincount(bins[mine], minlength=n)[:n]
            self.throttled[index] += np.bincount(bins[mine & (status == Status.THROTTLED)], minlength=n)[:n]
            self.errors_5xx[index] += np.bincount(bins[mine & np.isin(status, ERROR_5XX)], minlength=n)[:n]
            served = mine & ok
            self.completed[index] += np.bincount(bins[served], minlength=n)[:n]
            self.model_latency_sum[index] += np.bincount(
                bins[served], weights=model_latency[served], minlength=n
            )[:n]
            self.overhead_sum[index] += np.bincount(bins[served], weights=overhead[served], minlength=n)[:n]
            scaled = np.maximum(model_latency[served], _PERIOD_FLOOR) / _PERIOD_FLOOR
            bucket = np.minimum(
                (np.log(scaled) / np.log(_PERIOD_GROWTH)).astype(np.int64), _PERIOD_BUCKETS - 1
            )
            np.add.at(self.period_histograms[index], (bins[served], bucket), 1)
            began = mine & ~np.isnan(start)
            self.busy[index] += spread_over_bins(
                start[began], np.nan_to_num(end[began], nan=self.duration), work[began], self.period, n
            )

    # -- results -------------------------------------------------------------------------------------
    @staticmethod
    def _block(figures: _WindowFigures) -> Figures:
        wait = figures.queue_wait
        queue_wait = QueueWait(
            mean=wait.sum / wait.total * 1000.0 if wait.total else None,
            p95=(wait.percentile(95) or 0.0) * 1000.0 if wait.total else None,
        )
        latency, model_latency = _figures(figures.latency), _figures(figures.model_latency)
        return request_figures(figures.status), latency, model_latency, queue_wait

    def summary(
        self,
        timeline: pd.DataFrame,
        bill: pd.DataFrame,
        names: list[str],
        engine: str,
        extras: Mapping[str, Extras],
    ) -> Summary:
        """The same figures as `compose` of `window_figures` on full records (percentiles from the
        histograms)."""
        endpoint = _WindowFigures()
        for figures in self.figures:
            endpoint.merge(figures)
        per_variant = [self._block(self.figures[index]) for index in range(len(names))]
        return compose(self._block(endpoint), per_variant, timeline, bill, names, self.window, engine, extras)

    def period_quantile(self, index: int, q: float) -> np.ndarray:
        """Per-period model latency quantile (seconds) of one variant from its coarse histograms."""
        counts = self.period_histograms[index].astype(np.int64)
        totals = counts.sum(axis=1)
        ranks = np.maximum(1, np.ceil(q * totals)).astype(np.int64)
        bucket = (np.cumsum(counts, axis=1) < ranks[:, None]).sum(axis=1)
        values = _PERIOD_FLOOR * _PERIOD_GROWTH ** (bucket + 0.5)
        return np.where(totals > 0, values, np.nan)
