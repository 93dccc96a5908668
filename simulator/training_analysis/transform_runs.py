"""Replications of a batch transform job on an executor, and their summary."""

from __future__ import annotations

from functools import partial
from typing import Any

from simulator.core.rng import replication_seed
from simulator.execution.executors import Executor, SerialExecutor
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import TransformScenario
from simulator.training.transform import simulate_transform, transform_summary


def transform_replications(
    scenario: TransformScenario, count: int, executor: Executor | None = None
) -> dict[str, Any]:
    """`count` replications of the scenario's batch transform (seeds spawned from the scenario seed)."""
    spec = scenario.batch_transform
    model, catalog = scenario.models[spec.model], scenario_catalog(scenario)
    seeds = [replication_seed(scenario.seed, i) for i in range(count)]
    task = partial(simulate_transform, spec, model, catalog)  # top level, bound: pools and Dask pickle it
    return transform_summary((executor or SerialExecutor()).map(task, seeds), spec)
