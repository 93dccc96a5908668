"""A recommender trial's figures of one run: the few a search reads, without the tables a Result holds.

A job runs hundreds of short trials; building a Result's DataFrames (timeline, bill, per-period series,
empty scaling tables) took over half of each. The figures here are computed as `simulate` computes the
same ones, and are equal to them bit for bit (tests/recommend/test_trial_runs.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.core.records import RequestLog
from simulator.engine.ring import ring_capacity
from simulator.engine.simulate import Result, execute, simulate
from simulator.hosting.serverless import ServerlessVariant
from simulator.hosting.variant import Variant
from simulator.metrics.bins import overlap
from simulator.metrics.elastic import serverless_bill
from simulator.metrics.fleet import fleet_times, reached_service
from simulator.metrics.series import busy_per_period, utilisation_column, utilisation_per_period
from simulator.metrics.summary import window_figures
from simulator.metrics.summary_types import Latency, Requests
from simulator.scenario.kinds import EndpointScenario


@dataclass(frozen=True)
class TrialFigures:
    """One variant's figures over the measured window (utilisation: mean of the whole periods in it)."""

    requests: Requests
    model_latency_ms: Latency
    throughput_per_s: float
    cost_usd: float
    utilisation: dict[str, float | None]
    """CPUUtilization or GPUUtilization, and MemoryUtilization (none for serverless)."""
    setup_times_s: tuple[float, ...]
    """ModelSetupTime of each cold start (serverless), warm-up included."""


def simulate_trial(scenario: EndpointScenario, seed: np.random.SeedSequence) -> dict[str, TrialFigures]:
    """Each variant's trial figures of one replication; a run too long to keep every record (a
    streaming run) is simulated whole and its figures read from its Result."""
    if ring_capacity(scenario):
        return figures_of_result(simulate(scenario, seed))
    run = execute(scenario, seed)
    log, window = run.model.log, scenario.measured_window()
    seconds = window[1] - window[0]
    _, per_variant = window_figures(log, len(run.model.variants), window[0], trial=True)
    figures = {}
    for variant, (requests, _, model_latency, _) in zip(run.model.variants, per_variant, strict=True):
        utilisation: dict[str, float | None] = {}
        setups: tuple[float, ...] = ()
        if isinstance(variant, ServerlessVariant):
            cost = serverless_bill(scenario, run.catalog, log, variant, window).total_cost_usd
            setups = tuple(setup for _, setup in variant.pool.cold_starts)
        else:
            cost, utilisation = _fleet_figures(scenario, log, variant, window)
        figures[variant.name] = TrialFigures(
            requests=requests,
            model_latency_ms=model_latency,
            throughput_per_s=requests.completed / seconds,
            cost_usd=cost,
            utilisation=utilisation,
            setup_times_s=setups,
        )
    return figures


def figures_of_result(result: Result) -> dict[str, TrialFigures]:
    """The same figures read from a whole run's Result."""
    metrics, period = result.metrics, result.scenario.metrics.period
    start, end = result.scenario.measured_window()
    inside = (metrics["time_s"] >= start) & (metrics["time_s"] + period <= end)
    figures = {}
    for name, block in result.summary.variants.items():
        rows = metrics[inside & (metrics["variant"] == name)]
        columns = [c for c in ("CPUUtilization", "GPUUtilization", "MemoryUtilization") if c in rows]
        setups = result.cold_starts[result.cold_starts["variant"] == name]["model_setup_time_s"]
        figures[name] = TrialFigures(
            requests=block.requests,
            model_latency_ms=block.model_latency_ms,
            throughput_per_s=block.throughput_per_s,
            cost_usd=block.cost_usd.total,
            utilisation={column: _mean(rows[column].to_numpy(dtype=float)) for column in columns},
            setup_times_s=tuple(setups.astype(float)),
        )
    return figures


def _fleet_figures(
    scenario: EndpointScenario, log: RequestLog, variant: Variant, window: tuple[float, float]
) -> tuple[float, dict[str, float | None]]:
    """Cost of an instance-based variant's fleet in the window, and its mean utilisation per period."""
    launched, in_service, terminated = fleet_times(variant, scenario.duration)
    cost = float((overlap(launched, terminated, *window) * variant.price_per_hour / 3600.0).sum())
    period = scenario.metrics.period
    n_bins = int(np.ceil(scenario.duration / period))
    busy = busy_per_period(log, log.column("variant") == variant.index, scenario.duration, period, n_bins)
    spans = reached_service(in_service, terminated)
    _, utilisation, memory = utilisation_per_period(scenario, variant, busy, spans, period, n_bins)
    time = np.arange(n_bins) * period
    inside = (time >= window[0]) & (time + period <= window[1])
    return cost, {
        utilisation_column(variant): _mean(utilisation[inside]),
        "MemoryUtilization": _mean(memory[inside]),
    }


def _mean(values: np.ndarray) -> float | None:
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else None
