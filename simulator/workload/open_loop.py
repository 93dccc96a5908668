"""Open-loop arrival times, generated up front so every configuration replays identical traffic.

Time-varying rates use thinning (Lewis & Shedler): candidates from a homogeneous process at the
peak rate, each kept with probability rate(t) / peak. Nothing is capped: gaps are exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from simulator.scenario.traffic import DiurnalArrivals, PoissonArrivals, ScheduleArrivals, TraceArrivals

BLOCK = 65536
"""Candidates drawn per block: fixed, so a run's arrivals do not depend on how they are consumed."""


def schedule_rate(spec: ScheduleArrivals, times: np.ndarray) -> np.ndarray:
    starts = np.array([step.at for step in spec.steps])
    rates = np.array([step.rate for step in spec.steps])
    return rates[np.searchsorted(starts, times, side="right") - 1]


def diurnal_rate(spec: DiurnalArrivals, times: np.ndarray) -> np.ndarray:
    phase = 2 * np.pi * (times - spec.peak_at) / spec.period
    return spec.mean_rate * (1 + spec.amplitude * np.cos(phase))


OpenLoopSpec = PoissonArrivals | ScheduleArrivals | DiurnalArrivals | TraceArrivals


class ArrivalStream:
    """Sorted arrival times in [0, duration), produced block by block.

    Poisson gaps are cumulative exponentials at the peak rate; time-varying rates keep each
    candidate with probability rate(t) / peak (thinning, Lewis & Shedler). Each block draws BLOCK
    gaps and then BLOCK acceptance uniforms from the one generator, so concatenating the blocks gives
    the same arrivals whether a run takes them all at once or streams them. Gaps are never capped.
    """

    def __init__(self, spec: OpenLoopSpec, duration: float, rng: np.random.Generator) -> None:
        self._spec = spec
        self._duration = duration
        self._rng = rng

    def _peak_and_rate(self) -> tuple[float, Callable[[np.ndarray], np.ndarray] | None]:
        spec = self._spec
        if isinstance(spec, PoissonArrivals):
            return spec.rate, None
        if isinstance(spec, ScheduleArrivals):
            return max(step.rate for step in spec.steps), lambda t: schedule_rate(spec, t)
        assert isinstance(spec, DiurnalArrivals)
        return spec.mean_rate * (1 + spec.amplitude), lambda t: diurnal_rate(spec, t)

    def blocks(self) -> Iterator[np.ndarray]:
        if isinstance(self._spec, TraceArrivals):
            times = self._spec.timestamps()
            times = times[times < self._duration]
            for start in range(0, len(times), BLOCK):
                yield times[start : start + BLOCK]
            return
        peak, rate_at = self._peak_and_rate()
        last = 0.0
        while last < self._duration:
            candidates = last + np.cumsum(self._rng.exponential(1.0 / peak, BLOCK))
            last = float(candidates[-1])
            if rate_at is not None:
                keep = self._rng.random(BLOCK) * peak < rate_at(candidates)
                candidates = candidates[keep]
            yield candidates[candidates < self._duration]


def open_loop_arrivals(spec: OpenLoopSpec, duration: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times in [0, duration) for any open-loop arrival spec, all at once."""
    blocks = list(ArrivalStream(spec, duration, rng).blocks())
    return np.concatenate(blocks) if blocks else np.empty(0)


def expected_rate(
    spec: PoissonArrivals | ScheduleArrivals | DiurnalArrivals | TraceArrivals, times: np.ndarray
) -> np.ndarray:
    """The intended intensity at `times` (for plots and tests); traces have none."""
    if isinstance(spec, PoissonArrivals):
        return np.full(len(times), spec.rate)
    if isinstance(spec, ScheduleArrivals):
        return schedule_rate(spec, times)
    if isinstance(spec, DiurnalArrivals):
        return diurnal_rate(spec, times)
    return np.full(len(times), np.nan)
