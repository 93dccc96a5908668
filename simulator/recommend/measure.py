"""One trial: a candidate under one load, measured over common-random-number replications."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.rng import replication_seed
from simulator.core.slo import meets
from simulator.core.stats import mean_ci95
from simulator.engine.trial import simulate_trial
from simulator.recommend.candidates import VARIANT
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.recommend_spec import LatencyThreshold


@dataclass(frozen=True, kw_only=True)
class TrialPoint:
    """What one load level did to a candidate (means over replications; latencies in ms). A minute of
    an Advanced job's load test is one run's: no interval, utilisation or set-up time of its own."""

    rate: float
    throughput: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    slo_ms: float | None
    slo_ci95: tuple[float | None, float | None] = (None, None)
    error_rate: float
    cpu_utilization: float | None = None
    gpu_utilization: float | None = None
    memory_utilization: float | None = None
    model_setup_time_ms: float | None = None
    cost_per_hour: float
    feasible: bool


def measure(
    scenarios: list[EndpointScenario], rate: float, slo: LatencyThreshold, max_error_rate: float
) -> TrialPoint:
    """Run each replication scenario (same load, seeds 0..n-1 of the job) and pool their figures."""
    runs = [
        simulate_trial(scenario, replication_seed(scenario.seed, replication))[VARIANT]
        for replication, scenario in enumerate(scenarios)
    ]
    arrived = sum(run.requests.arrived for run in runs)
    error_rate = sum(run.requests.errors for run in runs) / arrived if arrived else 1.0
    error_rates = [r.requests.errors / r.requests.arrived if r.requests.arrived else 1.0 for r in runs]

    def mean_of(key: str) -> float | None:
        values = [getattr(run.model_latency_ms, key) for run in runs]
        return None if any(v is None for v in values) else float(np.mean(values))

    slo_values = [getattr(run.model_latency_ms, slo.key) for run in runs]
    interval = mean_ci95(slo_values)
    window_hours = sum(s.measured_window()[1] - s.measured_window()[0] for s in scenarios) / 3600
    cost = sum(run.cost_usd for run in runs)
    feasible = meets(slo_values, slo.value * 1000.0) and meets(error_rates, max_error_rate)
    # mean ModelSetupTime of each run's cold starts, warm-up included (the first ones happen there)
    setups = [float(np.mean(run.setup_times_s) * 1000.0) for run in runs if run.setup_times_s]
    return TrialPoint(
        rate=rate,
        throughput=float(np.mean([run.throughput_per_s for run in runs])),
        p50_ms=mean_of("p50"),
        p95_ms=mean_of("p95"),
        p99_ms=mean_of("p99"),
        slo_ms=mean_of(slo.key),
        slo_ci95=(interval["ci95_low"], interval["ci95_high"]),
        error_rate=error_rate,
        cpu_utilization=_mean([run.utilisation.get("CPUUtilization") for run in runs]),
        gpu_utilization=_mean([run.utilisation.get("GPUUtilization") for run in runs]),
        memory_utilization=_mean([run.utilisation.get("MemoryUtilization") for run in runs]),
        model_setup_time_ms=float(np.mean(setups)) if setups else None,
        cost_per_hour=cost / window_hours if window_hours > 0 else 0.0,
        feasible=feasible,
    )


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None
