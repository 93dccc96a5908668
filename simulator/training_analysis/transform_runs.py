"""Replications of a batch transform job on an executor, and their summary."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.catalog import Catalog
from simulator.core.rng import replication_seed
from simulator.execution.executors import Executor, SerialExecutor
from simulator.scenario.crossref import scenario_catalog
from simulator.scenario.kinds import TransformScenario
from simulator.scenario.models import ModelSpec
from simulator.scenario.transform_spec import BatchTransformSpec
from simulator.training.transform import simulate_transform, transform_summary


@dataclass(frozen=True)
class TransformReplication:
    """One replication to run: the job, its model and catalog, the scenario seed and the index."""

    spec: BatchTransformSpec
    model: ModelSpec
    catalog: Catalog
    seed: int
    index: int


def simulate_replication(task: TransformReplication) -> dict[str, Any]:
    """Replication `task.index` of the job (top level: picklable for process pools and Dask)."""
    return simulate_transform(task.spec, task.model, task.catalog, replication_seed(task.seed, task.index))


def transform_replications(
    scenario: TransformScenario, count: int, executor: Executor | None = None
) -> dict[str, Any]:
    """`count` replications of the scenario's batch transform (seeds spawned from the scenario seed)."""
    spec = scenario.batch_transform
    model, catalog = scenario.models[spec.model], scenario_catalog(scenario)
    tasks = [TransformReplication(spec, model, catalog, scenario.seed, i) for i in range(count)]
    return transform_summary((executor or SerialExecutor()).map(simulate_replication, tasks), spec)
