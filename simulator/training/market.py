"""The spot market as an interruption-notice process seen by one job.

The job asks for the next notice only when it acquires instances: `next_notice(t, rng)` is the first
notice after t assuming the instances stay held. For Poisson and time-varying rates the hazard of a
held cluster of n instances is n * rate(t) (a reclaim of any instance interrupts the job; the
superposition of n independent Poisson processes is Poisson with n times the rate), sampled by
inverting the cumulative hazard with one Exp(1) draw per acquisition. Because a Poisson process has
no memory, a fresh draw at each acquisition is exact and keeps common random numbers aligned: the
k-th attempt of every candidate configuration sees the same Exp(1) draw.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from simulator.catalog import Catalog
from simulator.scenario.training_spec import BUCKET_MONTHLY_FRACTION, TrainingJobSpec

MONTH_S = 30 * 86400.0
"""Length of the month the Spot Instance Advisor frequency buckets refer to (30 days)."""


def bucket_rate(bucket: str) -> float:
    """Per-instance Poisson rate (1/s) that interrupts the bucket's fraction of instances in a month.

    P(interrupted within a month) = 1 - exp(-rate * month)  =>  rate = -ln(1 - p) / month.
    """
    if bucket not in BUCKET_MONTHLY_FRACTION:
        raise KeyError(
            f"unknown Spot Instance Advisor bucket {bucket!r}; known: {sorted(BUCKET_MONTHLY_FRACTION)}"
        )
    return -math.log1p(-BUCKET_MONTHLY_FRACTION[bucket]) / MONTH_S


class Market(Protocol):
    """Where interruption notices come from."""

    def next_notice(self, t: float, rng: np.random.Generator) -> float:
        """First notice after t while instances stay held (inf when none ever comes)."""
        ...

    def mean_rate(self) -> float:
        """Long-run job-level notice rate (1/s), used for MTBF in Young's and Daly's formulas."""
        ...


@dataclass(frozen=True)
class PoissonMarket:
    """Homogeneous Poisson notices at a job-level rate (instances x per-instance rate)."""

    rate: float

    def next_notice(self, t: float, rng: np.random.Generator) -> float:
        draw = rng.standard_exponential()
        return t + draw / self.rate if self.rate > 0 else math.inf

    def mean_rate(self) -> float:
        return self.rate


@dataclass(frozen=True)
class ScheduleMarket:
    """Non-homogeneous Poisson notices with a cyclic piecewise-constant job-level rate."""

    durations: tuple[float, ...]
    rates: tuple[float, ...]

    def next_notice(self, t: float, rng: np.random.Generator) -> float:
        return self.invert(t, rng.standard_exponential())

    def invert(self, t: float, hazard: float) -> float:
        """The time T > t at which the cumulative hazard from t reaches `hazard`."""
        cycle = sum(self.durations)
        per_cycle = sum(d * r for d, r in zip(self.durations, self.rates, strict=True))
        if per_cycle <= 0:
            return math.inf
        start = t - math.floor(t / cycle) * cycle
        phase, offset = 0, start
        while offset >= self.durations[phase] and phase < len(self.durations) - 1:
            offset -= self.durations[phase]
            phase += 1
        now = t
        for _ in range(3 * len(self.durations) + 2):
            span = max(self.durations[phase] - offset, 0.0)
            available = span * self.rates[phase]
            if hazard <= available and self.rates[phase] > 0:
                return now + hazard / self.rates[phase]
            hazard -= available
            now += span
            offset = 0.0
            phase = (phase + 1) % len(self.durations)
            if phase == 0 and hazard > per_cycle:
                whole = math.floor(hazard / per_cycle)
                hazard -= whole * per_cycle
                now += whole * cycle
        raise AssertionError("hazard inversion did not converge")  # pragma: no cover

    def mean_rate(self) -> float:
        return sum(d * r for d, r in zip(self.durations, self.rates, strict=True)) / sum(self.durations)


@dataclass(frozen=True)
class TraceMarket:
    """Notices at recorded job-level times; a notice while no instances are held is ignored."""

    times: tuple[float, ...]

    def next_notice(self, t: float, rng: np.random.Generator) -> float:
        index = bisect.bisect_right(self.times, t)
        return self.times[index] if index < len(self.times) else math.inf

    def mean_rate(self) -> float:
        if not self.times or self.times[-1] <= 0:
            return 0.0
        return len(self.times) / self.times[-1]


def build_market(spec: TrainingJobSpec, catalog: Catalog) -> Market | None:
    """The market a spot job sees (None for on-demand jobs: they are never interrupted)."""
    if not spec.spot_enabled:
        return None
    assert spec.spot is not None
    n = spec.instance_count
    if spec.spot.trace is not None:
        return TraceMarket(tuple(spec.spot.trace))
    if spec.spot.rate_schedule is not None:
        phases = spec.spot.rate_schedule
        return ScheduleMarket(tuple(p.duration for p in phases), tuple(n * p.rate for p in phases))
    rate = spec.spot.interruption_rate  # per instance, from the scenario or else the catalog's bucket
    if rate is None:
        bucket = catalog.instance(spec.instance_type).spot_interruption_bucket
        if bucket is None:
            raise ValueError("no interruption rate: check_training_job reports this")
        rate = bucket_rate(bucket)
    return PoissonMarket(n * rate)
