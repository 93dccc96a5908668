"""Dynamic batching trade-off: p99 latency against throughput for max batch sizes 1-32.

Each curve sweeps the offered rate for one max batch size on one variant (run alone, short runs,
common random numbers: every run uses the scenario's seed); larger batches reach higher throughput at
the price of latency at low load. The runs go to an executor like every other sweep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.engine import simulate
from simulator.execution.executors import Executor, SerialExecutor
from simulator.hosting.plans import batching_plan
from simulator.hosting.service import device_speed
from simulator.options.hardware import option_scenario
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.derive import derive
from simulator.scenario.kinds import EndpointScenario, OptionsScenario

BATCH_SIZES = (1, 2, 4, 8, 16, 32)


@dataclass(frozen=True)
class BatchingSweep:
    """The curves of one batching option and what a plot of them is about."""

    variant: str
    instance_type: str
    curves: pd.DataFrame


def _figures(run: EndpointScenario) -> dict[str, Any]:
    """One sweep point (module level: picklable for process pools and Dask)."""
    summary = simulate(run).summary
    p99 = summary.latency_ms.p99
    return {"throughput_per_s": summary.throughput_per_s, "p99_ms": p99, "error_rate": summary.error_rate}


def batching_curves(
    scenario: OptionsScenario,
    variant: str,
    rates: list[float],
    duration: float = 60.0,
    executor: Executor | None = None,
) -> pd.DataFrame:
    """Rows (max_batch_size, offered rate, throughput/s, p99 ms, error rate) for a batching variant."""
    base = option_scenario(scenario, variant)
    model_name = base.endpoint.variants[0].model
    points = [{"max_batch_size": size, "offered_per_s": rate} for size in BATCH_SIZES for rate in rates]
    changes = [
        {
            f"models.{model_name}.batching.max_batch_size": point["max_batch_size"],
            "traffic.arrivals": {"process": "poisson", "rate": point["offered_per_s"]},
            "duration": duration,
            "warmup": duration / 6,
        }
        for point in points
    ]
    runs = [derive(base, change, EndpointScenario) for change in changes]
    figures = (executor or SerialExecutor()).map(_figures, runs)
    return pd.DataFrame([{**point, **figure} for point, figure in zip(points, figures, strict=True)])


def batching_sweep(scenario: OptionsScenario, executor: Executor | None = None) -> BatchingSweep | None:
    """The curves of the first option with dynamic batching (None: no option batches).

    Rates span 3%-95% of the option's capacity at max batch 32, on a log scale.
    """
    catalog = scenario_catalog(scenario)
    for variant in scenario.endpoint.variants:
        model = scenario.models[variant.model]
        instance = catalog.instance(variant.instance_type) if variant.instance_type else None
        plan = batching_plan(model, instance, catalog) if instance is not None else None
        if instance is None or plan is None or variant.instance_type is None:
            continue
        _, devices, _ = device_speed(instance, catalog)
        capacity = variant.instance_count * devices * 32 / plan.batch_time(32)
        rates = list(np.geomspace(0.03, 0.95, 8) * capacity)
        curves = batching_curves(scenario, variant.name, rates, executor=executor)
        return BatchingSweep(variant.name, variant.instance_type, curves)
    return None
