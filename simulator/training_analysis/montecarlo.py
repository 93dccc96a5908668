"""Replications of a training job and the summary.json they produce (spot beside on-demand).

An analysis above the runtime: replications go to an executor (a process pool, Dask or serial) like
every other experiment, so `--executor` and `--workers` apply to training jobs too.
"""

from __future__ import annotations

import math
from dataclasses import fields
from functools import partial

import numpy as np

from simulator.catalog import Catalog
from simulator.core.rng import replication_seed
from simulator.execution.executors import Executor, SerialExecutor
from simulator.metrics.parts import Interval
from simulator.scenario.derive import derive_spec
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training.accounting import TrainingRun
from simulator.training.job import simulate_training
from simulator.training.plan import build_plan, job_mtbf
from simulator.training.stats import ci95, describe, proportion
from simulator.training_analysis.training_summary import (
    Comparison,
    Endings,
    OnDemand,
    SideBySide,
    Spread,
    TrainingSummary,
)

_METRICS = tuple(part.name for part in fields(OnDemand) if part.name != "status")
"""Every figure of a run that the summary describes over the replications (and gives on demand)."""

_UPPER = {
    "savings_pct": 100.0
}  # every figure is a time, count, cost or share of at least 0; this is at most 100
_ENDINGS = (  # summary key -> SecondaryStatus
    ("completed", "Completed"),
    ("max_wait_exceeded", "MaxWaitTimeExceeded"),
    ("max_runtime_exceeded", "MaxRuntimeExceeded"),
)


def run_replications(
    spec: TrainingJobSpec,
    catalog: Catalog,
    seed: int,
    replications: int,
    executor: Executor | None = None,
) -> list[TrainingRun]:
    """Independent replications 0..n-1, in order, on `executor` (serial in this process by default); the
    task, a `partial` of top-level simulate_training, pickles for process pools and Dask."""
    seeds = [replication_seed(seed, i) for i in range(replications)]
    return (executor or SerialExecutor()).map(partial(simulate_training, spec, catalog), seeds)


def summarize_training(spec: TrainingJobSpec, catalog: Catalog, runs: list[TrainingRun]) -> TrainingSummary:
    """summary.json content: every metric with mean, 95% CI and quantiles; spot and on-demand side by side."""
    if not runs:
        raise ValueError("no replications to summarise")
    plan = build_plan(spec, catalog)
    # the same job without spot: never interrupted, so one deterministic run describes it
    on_demand = simulate_training(derive_spec(spec, {"spot": None}), catalog, np.random.SeedSequence(0))
    statuses = [run.secondary_status for run in runs]
    endings = {key: Interval(**proportion([s == status for s in statuses])) for key, status in _ENDINGS}
    missed = None
    if spec.deadline is not None:
        missed = Interval(
            **proportion([not run.completed or run.completion_time_s > spec.deadline for run in runs])
        )
    return TrainingSummary(
        replications=len(runs),
        instance_type=spec.instance_type,
        instance_count=spec.instance_count,
        spot=spec.spot_enabled,
        spot_discount=plan.spot_discount if plan.spot else 0.0,
        work_s=plan.work_s,
        job_mtbf_s=_finite_or_none(job_mtbf(plan)),
        max_runtime_s=spec.max_runtime,
        max_wait_s=_finite_or_none(spec.effective_max_wait()),
        **{
            name: Spread(**describe([getattr(run, name) for run in runs], 0.0, _UPPER.get(name, math.inf)))
            for name in _METRICS
        },
        deadline_s=spec.deadline,
        deadline_miss_probability=None if missed is None else missed.mean,
        probabilities=Endings(**endings, deadline_missed=missed),
        **{f"{key}_fraction": ending.mean for key, ending in endings.items()},
        on_demand=OnDemand(
            **{name: float(getattr(on_demand, name)) for name in _METRICS}, status=on_demand.secondary_status
        ),
        spot_vs_on_demand=_comparison(runs, on_demand),
    )


def _comparison(runs: list[TrainingRun], on_demand: TrainingRun) -> Comparison:
    """Means side by side, plus per-replication savings and slow-down against the on-demand job."""
    sides = {
        name: SideBySide(
            Interval(**ci95([getattr(run, name) for run in runs])), float(getattr(on_demand, name))
        )
        for name in ("completion_time_s", "training_time_s", "billable_time_s", "cost_usd")
    }
    saving = slower = None
    if on_demand.cost_usd > 0:
        saving = Interval(**ci95([100.0 * (1.0 - run.cost_usd / on_demand.cost_usd) for run in runs]))
    if on_demand.completion_time_s > 0:
        time = on_demand.completion_time_s
        slower = Interval(**ci95([100.0 * (run.completion_time_s / time - 1.0) for run in runs]))
    return Comparison(**sides, cost_saving_vs_on_demand_pct=saving, extra_time_vs_on_demand_pct=slower)


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
