"""Fleet sizing beyond the Inference Recommender: the user's own traffic under a suggested policy.

For each of the best instance-based recommendations, with r = MaxInvocations / 60 (requests/s one
configuration sustains within the SLO) and the safety factor s:
- target tracking on SageMakerVariantInvocationsPerInstance at r x s x 60 (the documented rule);
- MaxCapacity = ceil(peak / (r x s)), MinCapacity = max(1, ceil(trough / (r x s))), starting at
  the count the first minute's rate needs;
- a static fleet sized for the peak at the SLO edge, ceil(peak / r), for comparison.
Every instance-based candidate meeting the SLO is planned; the `top` cheapest by the plan's own
estimate (capacity following the traffic exactly) are simulated. Both fleets are simulated on the
traffic for `duration` with replications: cost per day, the share of
requests within the latency threshold, the share of minutes whose percentile meets it, errors.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.core.records import Status
from simulator.core.stats import mean_ci95
from simulator.engine.result import Result
from simulator.engine.simulate import simulate
from simulator.execution.replications import Replication
from simulator.recommend.candidates import VARIANT, Candidate, trial_scenario
from simulator.scenario.kinds import EndpointScenario, RecommendScenario
from simulator.scenario.recommend_spec import FleetSizing, LatencyThreshold
from simulator.scenario.traffic import DiurnalArrivals, PoissonArrivals, ScheduleArrivals
from simulator.workload.open_loop import diurnal_rate, schedule_rate


@dataclass(frozen=True)
class Plan:
    """A sized fleet for one candidate: its policy and the static alternative."""

    candidate: Candidate
    max_rps_per_instance: float
    target_invocations_per_instance: float
    min_capacity: int
    max_capacity: int
    initial_count: int
    static_count: int


def rate_range(arrivals: Any, duration: float) -> tuple[float, float, float]:
    """(trough, peak, rate at t=0) of the traffic in requests per second (traces: per-minute counts)."""
    rates = _rates(arrivals, np.linspace(0.0, duration, 4097), duration)
    return float(rates.min()), float(rates.max()), float(rates[0])


def size_fleet(candidate: Candidate, max_invocations: int, sizing: FleetSizing) -> Plan:
    per_configuration = max_invocations / 60.0
    per_instance = per_configuration / candidate.instance_count
    trough, peak, first = rate_range(sizing.arrivals, sizing.duration)
    safe = per_instance * sizing.safety_factor
    maximum = max(1, math.ceil(peak / safe))
    minimum = min(maximum, max(1, math.ceil(trough / safe)))
    return Plan(
        candidate=candidate,
        max_rps_per_instance=per_instance,
        target_invocations_per_instance=per_instance * sizing.safety_factor * 60.0,
        min_capacity=minimum,
        max_capacity=maximum,
        initial_count=min(maximum, max(minimum, math.ceil(first / safe))),
        static_count=max(1, math.ceil(peak / per_instance)),
    )


def estimated_cost_per_day(plan: Plan, sizing: FleetSizing, price_per_hour: float) -> float:
    """What the policy would cost if capacity followed the traffic exactly (used to pick what to simulate)."""
    times = np.linspace(0.0, sizing.duration, 1441)
    rates = _rates(sizing.arrivals, times, sizing.duration)
    safe = plan.max_rps_per_instance * sizing.safety_factor
    wanted = np.clip(np.ceil(rates / safe), plan.min_capacity, plan.max_capacity)
    return float(wanted.mean() * price_per_hour * 24.0)


def _rates(arrivals: Any, times: np.ndarray, duration: float) -> np.ndarray:
    if isinstance(arrivals, PoissonArrivals):
        return np.full(len(times), arrivals.rate)
    if isinstance(arrivals, ScheduleArrivals):
        return schedule_rate(arrivals, times)
    if isinstance(arrivals, DiurnalArrivals):
        return diurnal_rate(arrivals, times)
    stamps = arrivals.timestamps()
    counts = np.bincount(
        (stamps[stamps < duration] // 60).astype(np.int64), minlength=int(duration // 60) + 1
    )
    return counts[np.minimum((times // 60).astype(np.int64), len(counts) - 1)] / 60.0


def fleet_scenario(scenario: RecommendScenario, plan: Plan, autoscaled: bool) -> EndpointScenario:
    """The user's traffic on the candidate's instance type, autoscaled by the plan or static."""
    sizing = scenario.recommend.fleet_sizing
    assert sizing is not None
    fleet: dict[str, Any] = {"instance_count": plan.initial_count if autoscaled else plan.static_count}
    if autoscaled:
        fleet["autoscaling"] = {
            "min_capacity": plan.min_capacity,
            "max_capacity": plan.max_capacity,
            "target_tracking": {
                "target_value": plan.target_invocations_per_instance,
                "scale_in_cooldown": sizing.scale_in_cooldown,
                "scale_out_cooldown": sizing.scale_out_cooldown,
            },
        }
        if sizing.startup_time is not None:
            fleet["autoscaling"]["startup_time"] = sizing.startup_time.model_dump(mode="json", by_alias=True)
    arrivals = sizing.arrivals.model_dump(mode="json", by_alias=True)
    return trial_scenario(scenario, plan.candidate, arrivals, sizing.duration, sizing.warmup, fleet=fleet)


def fleet_figures(result: Result, slo: LatencyThreshold) -> dict[str, float]:
    """One replication's cost per day and SLO attainment."""
    log = result.log
    assert log is not None
    start, end = result.scenario.measured_window()
    arrival = log.column("arrival")
    inside = arrival >= start
    status = log.column("status")[inside]
    latency = (log.column("end") - arrival)[inside]
    within = np.count_nonzero((status == Status.OK) & (latency <= slo.value))
    metrics = result.metrics
    column = "ModelLatency_p99"
    minutes = metrics[(metrics["time_s"] >= start) & (metrics["Invocations"] > 0)]
    block = result.summary.variants[VARIANT]
    return {
        "cost_per_day_usd": result.summary.cost_usd.total * 86400.0 / (end - start),
        "requests_within_slo": within / max(1, len(status)),
        "minutes_p99_within_slo": float((minutes[column] <= slo.value * 1e6).mean()) if len(minutes) else 1.0,
        "error_rate": block.error_rate,
        "instances_mean": block.instances.mean,
        "instances_max": block.instances.max,
        "latency_p99_ms": block.model_latency_ms.p99 or math.nan,
    }


def simulate_fleet(slo: LatencyThreshold, replication: Replication) -> dict[str, float]:
    """Executor task (the job's latency threshold bound): one replication of one sized fleet."""
    return fleet_figures(simulate(replication.scenario, replication.seed), slo)


SHARES = ("requests_within_slo", "minutes_p99_within_slo", "error_rate")
"""Figures that are shares of requests or minutes: their intervals stay inside [0, 1]."""


def combine(figures: list[dict[str, float]]) -> dict[str, dict[str, float | None]]:
    return {
        key: mean_ci95([f[key] for f in figures], *((0.0, 1.0) if key in SHARES else ()))
        for key in figures[0]
    }
