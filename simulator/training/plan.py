"""Resolve a validated spec plus the catalog into the plain numbers the SimPy job runs on.

Kept apart from the process so the simulation never reads pydantic models or the catalog in its
inner loop, and so formulas and tests can see exactly what was simulated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulator.catalog import Catalog
from simulator.scenario.distributions import Distribution
from simulator.scenario.training_check import raise_for_problems
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training.market import Market, build_market


@dataclass(frozen=True)
class JobPlan:
    """Everything one replication needs, in seconds and dollars."""

    work_s: float
    """Training compute the cluster must complete (single-instance work / speedup)."""
    interval_s: float | None
    """Compute time between periodic checkpoints (None: no periodic checkpoints)."""
    write_s: float
    restore_s: float
    startup_s: float
    download_s: float
    upload_s: float
    spot: bool
    notice_s: float
    checkpoint_on_notice: bool
    capacity_wait: Distribution | None
    max_runtime_s: float
    max_wait_s: float
    instance_count: int
    on_demand_price_per_hour: float
    spot_discount: float
    market: Market | None


def build_plan(spec: TrainingJobSpec, catalog: Catalog) -> JobPlan:
    """Plan for one job; raises ScenarioError for catalog problems (unknown type, no spot rate)."""
    raise_for_problems(spec, catalog)
    instance = catalog.instance(spec.instance_type)
    ckpt = spec.checkpoint
    spot = spec.spot if spec.spot_enabled else None
    discount = spot.discount if spot is not None and spot.discount is not None else catalog.spot_discount
    return JobPlan(
        work_s=spec.cluster_work(),
        interval_s=ckpt.interval if ckpt is not None else None,
        write_s=ckpt.write_seconds() if ckpt is not None else 0.0,
        restore_s=ckpt.restore_seconds() if ckpt is not None else 0.0,
        startup_s=spec.startup_time,
        download_s=spec.download_seconds(),
        upload_s=spec.upload_time,
        spot=spot is not None,
        notice_s=spot.notice if spot is not None else 0.0,
        checkpoint_on_notice=spot.checkpoint_on_notice if spot is not None else False,
        capacity_wait=spot.capacity_wait if spot is not None else None,
        max_runtime_s=spec.max_runtime,
        max_wait_s=spec.effective_max_wait(),
        instance_count=spec.instance_count,
        on_demand_price_per_hour=instance.price_per_hour,
        spot_discount=discount,
        market=build_market(spec, catalog),
    )


def job_mtbf(plan: JobPlan) -> float:
    """Mean time between interruption notices of the whole cluster (inf when never interrupted)."""
    rate = plan.market.mean_rate() if plan.market is not None else 0.0
    return 1.0 / rate if rate > 0 else math.inf
