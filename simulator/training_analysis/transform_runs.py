"""Replications of a batch transform job on an executor, and their summary."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from simulator.core.rng import replication_seed
from simulator.core.stats import combine_summaries, means_of
from simulator.execution.executors import Executor, SerialExecutor
from simulator.metrics.parts import Interval
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import TransformScenario
from simulator.training.transform import simulate_transform
from simulator.training_analysis.transform_summary import (
    InstanceUse,
    TransformIntervals,
    TransformJob,
    TransformSummary,
)


def transform_replications(
    scenario: TransformScenario, count: int, executor: Executor | None = None
) -> TransformSummary:
    """`count` replications of the scenario's batch transform (seeds spawned from the scenario seed): one
    run as is, or replication means with `replications` holding their 95% CIs."""
    spec = scenario.batch_transform
    model, catalog = scenario.models[spec.model], scenario_catalog(scenario)
    seeds = [replication_seed(scenario.seed, i) for i in range(count)]
    task = partial(simulate_transform, spec, model, catalog)  # top level, bound: pools and Dask pickle it
    runs = (executor or SerialExecutor()).map(task, seeds)
    head = {"instance_type": spec.instance_type, "instance_count": spec.instance_count}
    if len(runs) == 1:
        return TransformSummary(TransformJob(**head, **_typed(runs[0])))
    combined = combine_summaries(runs)
    intervals = TransformIntervals(n=len(runs), **_typed(combined, lambda value: Interval(**value)))
    return TransformSummary(TransformJob(**head, **_typed(means_of(combined))), intervals)


def _typed(figures: dict[str, Any], figure: Callable[[Any], Any] = lambda value: value) -> dict[str, Any]:
    """A run's (or its replications') figures as `figure`s, each instance's as an InstanceUse of them."""
    typed = {key: figure(value) for key, value in figures.items() if key != "instances"}
    typed["instances"] = {
        name: InstanceUse(**{key: figure(value) for key, value in block.items()})
        for name, block in figures["instances"].items()
    }
    return typed
