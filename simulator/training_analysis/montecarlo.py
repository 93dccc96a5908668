"""Replications of a training job and the summary.json they produce (spot beside on-demand).

An analysis above the runtime: replications go to an executor (a process pool, Dask or serial) like
every other experiment, so `--executor` and `--workers` apply to training jobs too.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np

from simulator.catalog import Catalog
from simulator.core.rng import replication_seed
from simulator.execution.executors import Executor, SerialExecutor
from simulator.scenario.derive import derive_spec
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training.accounting import TrainingRun
from simulator.training.job import simulate_training
from simulator.training.plan import build_plan, job_mtbf
from simulator.training.stats import ci95, describe, proportion

_METRICS = (
    "completion_time_s",
    "training_time_s",
    "billable_time_s",
    "runtime_s",
    "savings_pct",
    "cost_usd",
    "cost_on_demand_usd",
    "interruptions",
    "checkpoints",
    "lost_work_s",
    "capacity_wait_s",
)

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


def summarize_training(spec: TrainingJobSpec, catalog: Catalog, runs: list[TrainingRun]) -> dict[str, Any]:
    """summary.json content: every metric with mean, 95% CI and quantiles; spot and on-demand side by side."""
    if not runs:
        raise ValueError("no replications to summarise")
    plan = build_plan(spec, catalog)
    # the same job without spot: never interrupted, so one deterministic run describes it
    on_demand = simulate_training(derive_spec(spec, {"spot": None}), catalog, np.random.SeedSequence(0))
    summary: dict[str, Any] = {
        "kind": "training_job",
        "replications": len(runs),
        "instance_type": spec.instance_type,
        "instance_count": spec.instance_count,
        "spot": spec.spot_enabled,
        "spot_discount": plan.spot_discount if plan.spot else 0.0,
        "work_s": plan.work_s,
        "job_mtbf_s": _finite_or_none(job_mtbf(plan)),
        "max_runtime_s": spec.max_runtime,
        "max_wait_s": _finite_or_none(spec.effective_max_wait()),
    }
    for name in _METRICS:
        summary[name] = describe([getattr(run, name) for run in runs])
    statuses = [run.secondary_status for run in runs]
    probabilities = {key: proportion([s == status for s in statuses]) for key, status in _ENDINGS}
    if spec.deadline is not None:
        probabilities["deadline_missed"] = proportion(
            [not run.completed or run.completion_time_s > spec.deadline for run in runs]
        )
        summary["deadline_s"] = spec.deadline
        summary["deadline_miss_probability"] = probabilities["deadline_missed"]["mean"]
    summary["probabilities"] = probabilities
    summary.update({f"{key}_fraction": probabilities[key]["mean"] for key, _ in _ENDINGS})
    summary["on_demand"] = {
        **{name: float(getattr(on_demand, name)) for name in _METRICS},
        "status": on_demand.secondary_status,
    }
    summary["spot_vs_on_demand"] = _comparison(runs, on_demand)
    return summary


def _comparison(runs: list[TrainingRun], on_demand: TrainingRun) -> dict[str, Any]:
    """Means side by side, plus per-replication savings and slow-down against the on-demand job."""
    table: dict[str, Any] = {}
    for name in ("completion_time_s", "training_time_s", "billable_time_s", "cost_usd"):
        spot = ci95([getattr(run, name) for run in runs])
        table[name] = {"spot": spot, "on_demand": float(getattr(on_demand, name))}
    if on_demand.cost_usd > 0:
        savings = [100.0 * (1.0 - run.cost_usd / on_demand.cost_usd) for run in runs]
        table["cost_saving_vs_on_demand_pct"] = ci95(savings)
    if on_demand.completion_time_s > 0:
        slower = [100.0 * (run.completion_time_s / on_demand.completion_time_s - 1.0) for run in runs]
        table["extra_time_vs_on_demand_pct"] = ci95(slower)
    return table


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None
