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
    """Sorted arrival times in [0, duration), produced block by block (thinning: see the module).

    Each block draws BLOCK gaps and then BLOCK acceptance uniforms from the one generator, so
    concatenating the blocks gives the same arrivals whether a run takes them all at once or streams them.
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
            if rate_at is None:
                candidates = last + self._partial_sums(peak, self._duration - last)
                last = float(candidates[-1])
            else:
                candidates = last + np.cumsum(self._rng.exponential(1.0 / peak, BLOCK))
                last = float(candidates[-1])
                candidates = candidates[self._rng.random(BLOCK) * peak < rate_at(candidates)]
            yield candidates[candidates < self._duration]

    def _partial_sums(self, peak: float, span: float) -> np.ndarray:
        """`np.cumsum` of a block's BLOCK gaps, drawn in chunks only until a sum reaches `span` (the
        rest of the block would lie past the duration): the same numbers as one draw of the block,
        since the generator gives the same sequence in pieces and each chunk's sums continue the
        previous chunk's one addition at a time. A short run draws thousands of gaps, not BLOCK."""
        chunks = []
        drawn, total = 0, 0.0
        while drawn < BLOCK and total < span:
            size = min(BLOCK - drawn, max(1024, int((span - total) * peak * 1.05) + 64))
            gaps = self._rng.exponential(1.0 / peak, size)
            gaps[0] += total  # the sum so far plus the first gap: the next step of the full cumsum
            sums = np.cumsum(gaps)
            chunks.append(sums)
            drawn += size
            total = float(sums[-1])
        return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def open_loop_arrivals(spec: OpenLoopSpec, duration: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted arrival times in [0, duration) for any open-loop arrival spec, all at once."""
    blocks = list(ArrivalStream(spec, duration, rng).blocks())
    return np.concatenate(blocks) if blocks else np.empty(0)
