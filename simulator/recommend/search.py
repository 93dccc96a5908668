"""Maximum sustainable load of one candidate under the SLO: bracket, then bisect on the rate.

Every trial reuses the job's replication seeds (common random numbers): arrivals are unit
exponential gaps divided by the rate and service demands are drawn in request order, so a higher
rate replays the same requests closer together and the measured curve is monotone in practice.
The reported MaxInvocations is the largest rate shown sustainable, rounded down to whole
invocations per minute, and its metrics come from a trial at exactly that rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pydantic import TypeAdapter

from simulator.recommend.candidates import Candidate, capacity_estimate, floor_per_minute, poisson_trial
from simulator.recommend.measure import TrialPoint, measure
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import RecommendScenario

LOWEST_FRACTION = 1e-4
"""Below this share of the capacity estimate a candidate is declared unable to meet the SLO."""

CURVE_FRACTIONS = (0.25, 0.5, 0.75)
"""Extra load levels (shares of the maximum) measured for the throughput-latency curve, unless a
trial already lies within CURVE_SPACING of them."""
CURVE_SPACING = 0.15


@dataclass
class Outcome:
    """A candidate's search: its curve and, if it meets the SLO at some load, the point at the maximum."""

    candidate: Candidate
    trials: list[TrialPoint] = field(default_factory=list)
    max_invocations: int = 0
    best: TrialPoint | None = None
    reason: str | None = None


OUTCOME = TypeAdapter(Outcome)
"""An outcome from its plain data (a store's JSON or an executor's result)."""


@dataclass
class _Trials:
    """Measures loads for one candidate, at most the job's max_trials times, remembering every point."""

    scenario: RecommendScenario
    candidate: Candidate
    points: dict[float, TrialPoint] = field(default_factory=dict)

    @property
    def exhausted(self) -> bool:
        return len(self.points) >= self.scenario.recommend.search.max_trials

    def at(self, rate: float) -> TrialPoint:
        if rate not in self.points:
            spec = self.scenario.recommend
            search = spec.search
            slo = spec.slo()
            assert slo is not None
            trial = poisson_trial(
                self.scenario, self.candidate, rate, search.requests_per_trial, search.warmup_fraction
            )
            replicas = [trial] * search.replications
            self.points[rate] = measure(replicas, rate, slo, spec.max_error_rate)
        return self.points[rate]


def search_candidate(scenario: RecommendScenario, candidate: Candidate) -> Outcome:
    """Find the candidate's MaxInvocations under the job's SLO (see the module docstring)."""
    search = scenario.recommend.search
    trials = _Trials(scenario, candidate)
    capacity = capacity_estimate(scenario, scenario_catalog(scenario), candidate)
    low, high = _bracket(trials, capacity)
    outcome = Outcome(candidate)
    if low is None:
        outcome.reason = "cannot meet the latency threshold or error bound even at light load"
    else:
        while high / low > 1 + search.tolerance and not trials.exhausted:
            middle = math.sqrt(low * high)
            if trials.at(middle).feasible:
                low = middle
            else:
                high = middle
        outcome.max_invocations, outcome.best = _settle(trials, low, search.tolerance)
        if outcome.best is None:
            outcome.reason = "no sustainable whole number of invocations per minute"
        else:
            for share in CURVE_FRACTIONS:
                rate = outcome.max_invocations / 60.0 * share
                if all(abs(known / rate - 1) > CURVE_SPACING for known in trials.points):
                    trials.at(rate)
    outcome.trials = sorted(trials.points.values(), key=lambda point: point.rate)
    return outcome


def _bracket(trials: _Trials, capacity: float | None) -> tuple[float | None, float]:
    """(a sustainable rate or None, an unsustainable rate above it)."""
    if capacity is None:  # no estimate: climb from 1 request/s by doubling
        capacity = 1.0 / 1.1
    high = capacity * 1.1
    while trials.at(high).feasible and not trials.exhausted:
        high *= 2.0
    low = min(capacity * 0.5, high / 2.0)
    while not trials.at(low).feasible:
        high = low
        low /= 4.0
        if low < capacity * LOWEST_FRACTION or trials.exhausted:
            return None, high
    return low, high


def _settle(trials: _Trials, low: float, tolerance: float) -> tuple[int, TrialPoint | None]:
    """Round down to whole invocations per minute and measure there; step down if noise disagrees."""
    per_minute = floor_per_minute(low)
    for _ in range(8):
        if per_minute < 1:
            return 0, None
        point = trials.at(per_minute / 60.0)
        if point.feasible:
            return per_minute, point
        per_minute = floor_per_minute(per_minute / 60.0 * (1 - tolerance))
    return 0, None
