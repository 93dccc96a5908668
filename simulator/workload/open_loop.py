"""Open-loop arrival times, generated up front so every configuration replays identical traffic.

Time-varying rates use thinning (Lewis & Shedler): candidates from a homogeneous process at the
peak rate, each kept with probability rate(t) / peak. Nothing is capped: gaps are exact.
"""

from __future__ import annotations

import numpy as np

from simulator.scenario.traffic import DiurnalArrivals, PoissonArrivals, ScheduleArrivals, TraceArrivals


def homogeneous_poisson(rate: float, duration: float, rng: np.random.Generator) -> np.ndarray:
    """Arrival times of a Poisson process on [0, duration): cumulative exponential gaps, in blocks."""
    expected = rate * duration
    chunks: list[np.ndarray] = []
    last = 0.0
    block = int(expected + 6 * np.sqrt(expected) + 64)
    while True:
        times = last + np.cumsum(rng.exponential(1.0 / rate, block))
        chunks.append(times)
        last = float(times[-1])
        if last >= duration:
            break
        block = max(block // 4, 64)
    times = np.concatenate(chunks)
    return times[times < duration]


def schedule_rate(spec: ScheduleArrivals, times: np.ndarray) -> np.ndarray:
    starts = np.array([step.at for step in spec.steps])
    rates = np.array([step.rate for step in spec.steps])
    return rates[np.searchsorted(starts, times, side="right") - 1]


def diurnal_rate(spec: DiurnalArrivals, times: np.ndarray) -> np.ndarray:
    phase = 2 * np.pi * (times - spec.peak_at) / spec.period
    return spec.mean_rate * (1 + spec.amplitude * np.cos(phase))


def thinned(peak: float, rate_at: object, duration: float, rng: np.random.Generator) -> np.ndarray:
    """Non-homogeneous Poisson arrivals with intensity rate_at(t) <= peak, by thinning."""
    candidates = homogeneous_poisson(peak, duration, rng)
    keep = rng.random(len(candidates)) * peak < rate_at(candidates)  # type: ignore[operator]
    return candidates[keep]


def open_loop_arrivals(
    spec: PoissonArrivals | ScheduleArrivals | DiurnalArrivals | TraceArrivals,
    duration: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Sorted arrival times in [0, duration) for any open-loop arrival spec."""
    if isinstance(spec, PoissonArrivals):
        return homogeneous_poisson(spec.rate, duration, rng)
    if isinstance(spec, ScheduleArrivals):
        peak = max(step.rate for step in spec.steps)
        return thinned(peak, lambda t: schedule_rate(spec, t), duration, rng)
    if isinstance(spec, DiurnalArrivals):
        peak = spec.mean_rate * (1 + spec.amplitude)
        return thinned(peak, lambda t: diurnal_rate(spec, t), duration, rng)
    times = spec.timestamps()
    return times[times < duration]


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
