"""Advanced job: each endpoint configuration under the user's PHASES/STAIRS closed-loop load test.

Per replication, 1-minute datapoints are read in order until a stopping condition holds:
- ModelLatencyThresholds: the minute's percentile exceeds the threshold (that minute is excluded);
- the minute's failed + throttled share reaches the error bound (excluded);
- MaxInvocations: the minute reaches that many invocations (included; the test has its answer);
- FlatInvocations Stop: the best of the last 3 minutes is within 2% of the best before them
  (throughput has levelled out; included).
MaxInvocations is the busiest accepted minute; its latency and utilisation are that minute's.
Replications are combined by their mean (MaxInvocations rounded down) with a 95% CI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simulator.core.records import ERROR_5XX, Status
from simulator.core.rng import replication_seed
from simulator.core.stats import mean_ci95
from simulator.engine.result import Result
from simulator.engine.simulate import simulate
from simulator.recommend.candidates import Candidate, trial_scenario
from simulator.recommend.measure import TrialPoint
from simulator.recommend.search import Outcome
from simulator.scenario.kinds import RecommendScenario
from simulator.scenario.recommend_spec import AdvancedJob, LatencyThreshold

FLAT_MINUTES = 3
FLAT_GROWTH = 0.02


@dataclass(frozen=True)
class Minute:
    index: int
    invocations: int
    percentile_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    error_rate: float


@dataclass(frozen=True)
class LoadTest:
    """One replication's answer: the busiest accepted minute, and why the test stopped."""

    best: Minute | None
    stopped_by: str


def pattern_arrivals(job: AdvancedJob) -> dict[str, Any]:
    """The job's TrafficPattern (its PHASES or its STAIRS) as closed-loop arrivals."""
    arrivals = {"process": "closed_loop", **job.traffic_pattern.model_dump(mode="json", exclude_none=True)}
    if job.think_time is not None:
        arrivals["think_time"] = job.think_time.model_dump(mode="json", by_alias=True)
    return arrivals


def per_minute(result: Result, slo: LatencyThreshold, period: float = 60.0) -> list[Minute]:
    """The complete minutes of a run, each with its invocations, latency percentiles and error share."""
    log = result.log
    assert log is not None
    arrival = log.column("arrival")
    status = log.column("status")
    latency_ms = (log.column("end") - arrival) * 1000.0
    bins = (arrival // period).astype(np.int64)
    minutes = []
    for index in range(int(result.scenario.duration // period)):
        mine = bins == index
        count = int(np.count_nonzero(mine))
        if count == 0:
            continue
        ok = mine & (status == Status.OK)
        values = latency_ms[ok]
        bad = np.count_nonzero(mine & (np.isin(status, ERROR_5XX) | (status == Status.THROTTLED)))
        p50, p95, p99 = np.percentile(values, [50, 95, 99]) if len(values) else (math.inf,) * 3
        minutes.append(
            Minute(
                index=index,
                invocations=count,
                percentile_ms=float(p95 if slo.percentile == "P95" else p99),
                p50_ms=float(p50),
                p95_ms=float(p95),
                p99_ms=float(p99),
                error_rate=bad / count,
            )
        )
    return minutes


def apply_stopping(
    minutes: list[Minute], job: AdvancedJob, slo: LatencyThreshold, max_error_rate: float
) -> LoadTest:
    """Walk the minutes in order until a stopping condition holds (see the module docstring)."""
    conditions = job.stopping_conditions
    accepted: list[Minute] = []
    stopped_by = "end of traffic pattern"
    for minute in minutes:
        if minute.percentile_ms > slo.value * 1000.0:
            stopped_by = "ModelLatencyThresholds"
            break
        if minute.error_rate >= max_error_rate:
            stopped_by = "error bound"
            break
        accepted.append(minute)
        if conditions.max_invocations is not None and minute.invocations >= conditions.max_invocations:
            stopped_by = "MaxInvocations"
            break
        if conditions.flat_invocations == "Stop" and len(accepted) > FLAT_MINUTES:
            before = max(m.invocations for m in accepted[:-FLAT_MINUTES])
            recent = max(m.invocations for m in accepted[-FLAT_MINUTES:])
            if recent <= before * (1 + FLAT_GROWTH):
                stopped_by = "FlatInvocations"
                break
    best = max(accepted, key=lambda m: (m.invocations, -m.index)) if accepted else None
    return LoadTest(best, stopped_by)


def _utilisation(result: Result, minute: int, column: str) -> float | None:
    metrics = result.metrics
    if column not in metrics.columns:
        return None
    value = metrics.loc[metrics["time_s"] == minute * 60.0, column]
    return float(value.iloc[0]) if len(value) and np.isfinite(value.iloc[0]) else None


def run_load_test(scenario: RecommendScenario, candidate: Candidate) -> Outcome:
    """All replications of one configuration's load test, combined."""
    spec = scenario.recommend
    assert spec.advanced is not None
    job = spec.advanced
    slo = spec.slo()
    assert slo is not None
    duration = min(job.traffic_pattern.total_seconds(), job.job_duration)
    test = trial_scenario(scenario, candidate, pattern_arrivals(job), duration=duration, warmup=0.0)
    results = [
        simulate(test, replication_seed(test.seed, replication)) for replication in range(job.replications)
    ]
    per_run = [per_minute(result, slo) for result in results]
    tests = [apply_stopping(minutes, job, slo, spec.max_error_rate) for minutes in per_run]
    outcome = Outcome(candidate)
    curve = next((minutes for minutes in per_run if minutes), [])  # the first run's with any minute
    outcome.trials = [_point(m, slo, candidate_cost(results[0])) for m in curve]
    bests = [test.best for test in tests if test.best is not None]
    if len(bests) < len(tests):
        outcome.reason = "the latency threshold or error bound is broken from the first minute"
        return outcome

    def mean(field: str) -> float:
        return float(np.mean([getattr(minute, field) for minute in bests]))

    interval = mean_ci95([minute.percentile_ms for minute in bests])
    first, busiest = results[0], bests[0].index
    outcome.max_invocations = math.floor(mean("invocations"))
    measured = ("percentile_ms", "p50_ms", "p95_ms", "p99_ms", "error_rate")  # of the busiest minutes
    average = Minute(busiest, outcome.max_invocations, **{name: mean(name) for name in measured})
    outcome.best = replace(
        _point(average, slo, candidate_cost(first)),
        slo_ci95=(interval["ci95_low"], interval["ci95_high"]),
        cpu_utilization=_utilisation(first, busiest, "CPUUtilization"),
        gpu_utilization=_utilisation(first, busiest, "GPUUtilization"),
        memory_utilization=_utilisation(first, busiest, "MemoryUtilization"),
        model_setup_time_ms=None
        if first.cold_starts.empty
        else float(first.cold_starts["model_setup_time_s"].mean() * 1000.0),
        feasible=True,
    )
    outcome.reason = f"stopped by {tests[0].stopped_by}"
    return outcome


def candidate_cost(result: Result) -> float:
    """Cost per hour of the configuration over the whole test."""
    start, end = result.scenario.measured_window()
    return result.summary.cost_usd.total / ((end - start) / 3600.0)


def _point(minute: Minute, slo: LatencyThreshold, cost_per_hour: float) -> TrialPoint:
    """A minute of the load test as a point of the throughput-latency curve."""
    return TrialPoint(
        rate=minute.invocations / 60.0,
        throughput=minute.invocations / 60.0,
        p50_ms=minute.p50_ms,
        p95_ms=minute.p95_ms,
        p99_ms=minute.p99_ms,
        slo_ms=minute.percentile_ms,
        error_rate=minute.error_rate,
        cost_per_hour=cost_per_hour,
        feasible=minute.percentile_ms <= slo.value * 1000.0,
    )
