"""One trial: a candidate under one load, measured over common-random-number replications."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from simulator.core.rng import replication_seed
from simulator.core.slo import meets
from simulator.core.stats import mean_ci95
from simulator.engine.result import Result
from simulator.engine.simulate import simulate
from simulator.recommend.candidates import VARIANT
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.recommend_spec import LatencyThreshold


@dataclass(frozen=True)
class TrialPoint:
    """What one load level did to a candidate (means over replications; latencies in ms)."""

    rate: float
    throughput: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    slo_ms: float | None
    slo_ci95: tuple[float | None, float | None]
    error_rate: float
    cpu_utilization: float | None
    gpu_utilization: float | None
    memory_utilization: float | None
    model_setup_time_ms: float | None
    cost_per_hour: float
    feasible: bool

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["slo_ci95"] = list(self.slo_ci95)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrialPoint:
        return cls(**{**data, "slo_ci95": tuple(data["slo_ci95"])})


def _window_mean(result: Result, column: str) -> float | None:
    metrics = result.metrics
    if column not in metrics.columns:
        return None
    start, end = result.scenario.measured_window()
    time = metrics["time_s"].to_numpy()
    inside = (time >= start) & (time + result.scenario.metrics.period <= end)
    values = metrics[column].to_numpy(dtype=float)[inside]
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else None


def _setup_ms(result: Result) -> float | None:
    """Mean ModelSetupTime of the run's cold starts, warm-up included (the first ones happen there)."""
    setups = result.cold_starts
    return None if setups.empty else float(setups["model_setup_time_s"].mean() * 1000.0)


def measure(
    scenarios: list[EndpointScenario], rate: float, slo: LatencyThreshold, max_error_rate: float
) -> TrialPoint:
    """Run each replication scenario (same load, seeds 0..n-1 of the job) and pool their figures."""
    blocks = []
    results = []
    for replication, scenario in enumerate(scenarios):
        result = simulate(scenario, replication_seed(scenario.seed, replication), trial=True)
        results.append(result)
        blocks.append(result.summary.variants[VARIANT])
    arrived = sum(b.requests.arrived for b in blocks)
    error_rate = sum(b.requests.errors for b in blocks) / arrived if arrived else 1.0
    error_rates = [b.requests.errors / b.requests.arrived if b.requests.arrived else 1.0 for b in blocks]

    def mean_of(key: str) -> float | None:
        values = [getattr(b.model_latency_ms, key) for b in blocks]
        return None if any(v is None for v in values) else float(np.mean(values))

    slo_values = [getattr(b.model_latency_ms, slo.key) for b in blocks]
    slo_ms = None if any(v is None for v in slo_values) else float(np.mean(slo_values))
    interval = mean_ci95(slo_values)
    window_hours = (
        sum(r.scenario.measured_window()[1] - r.scenario.measured_window()[0] for r in results) / 3600
    )
    cost = sum(b.cost_usd.total for b in blocks)
    feasible = meets(slo_values, slo.value * 1000.0) and meets(error_rates, max_error_rate)
    setups = [s for s in (_setup_ms(r) for r in results) if s is not None]
    return TrialPoint(
        rate=rate,
        throughput=float(np.mean([b.throughput_per_s for b in blocks])),
        p50_ms=mean_of("p50"),
        p95_ms=mean_of("p95"),
        p99_ms=mean_of("p99"),
        slo_ms=slo_ms,
        slo_ci95=(interval["ci95_low"], interval["ci95_high"]),
        error_rate=error_rate,
        cpu_utilization=_mean([_window_mean(r, "CPUUtilization") for r in results]),
        gpu_utilization=_mean([_window_mean(r, "GPUUtilization") for r in results]),
        memory_utilization=_mean([_window_mean(r, "MemoryUtilization") for r in results]),
        model_setup_time_ms=float(np.mean(setups)) if setups else None,
        cost_per_hour=cost / window_hours if window_hours > 0 else 0.0,
        feasible=feasible,
    )


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None
