"""Fixtures for the training-job tests (fixtures, not imports, so any pytest import mode works)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from simulator.catalog import Catalog, load_catalog
from simulator.scenario.training_spec import TrainingJobSpec

SpecFactory = Callable[..., TrainingJobSpec]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def _make_spec(**fields: Any) -> TrainingJobSpec:
    base: dict[str, Any] = {"instance_type": "ml.p3.2xlarge", "work": "2h"}
    base.update(fields)
    return TrainingJobSpec.model_validate(base)


def _daly_spec(mtbf: float, delta: float, restart: float, interval: float, work: float) -> TrainingJobSpec:
    """A job under Daly's assumptions (the switches documented in simulator/training/job.py):

    exponential notices at 1/M with notice 0 (the reclaim is immediate), no capacity wait, restart cost R
    as start-up time (interruptible, like everything while instances are held), no download or restore
    cost, and an upload as long as a checkpoint write so the last segment also costs tau + delta.
    Limits are far away so no run is stopped.
    """
    return _make_spec(
        work=work,
        startup_time=restart,
        upload_time=delta,
        spot={"interruption_rate": 1 / mtbf, "notice": 0},
        checkpoint={"interval": interval, "write_time": delta, "restore_time": 0},
        max_runtime="28d",  # SageMaker's longest: far beyond these jobs
        max_wait=1e12,
    )


@pytest.fixture(scope="session")
def make_spec() -> SpecFactory:
    """make_spec(**fields): a small valid job (ml.p3.2xlarge, 2h of work) with fields overridden."""
    return _make_spec


@pytest.fixture(scope="session")
def daly_spec() -> SpecFactory:
    """daly_spec(mtbf, delta, restart, interval, work): a job that meets Daly's assumptions."""
    return _daly_spec
