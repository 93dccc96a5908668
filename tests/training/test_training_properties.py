"""Invariants of any training job (hypothesis): accounting order, progress, the on-demand identity."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.catalog import load_catalog
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training import TrainingRun, simulate_training
from simulator.training.formulas import on_demand_seconds

CATALOG = load_catalog()
TOL = 1e-9  # relative float tolerance for sums of phase durations vs differences of clock readings
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

seconds = st.floats(min_value=0, max_value=900, allow_nan=False)


@st.composite
def jobs(draw: st.DrawFn) -> dict[str, Any]:
    work = draw(st.floats(min_value=600, max_value=12 * 3600))
    max_runtime = draw(st.sampled_from([0.5, 1.5, 3.0, 10.0])) * work
    data: dict[str, Any] = {
        "instance_type": draw(st.sampled_from(["ml.p3.2xlarge", "ml.c5.xlarge", "ml.g4dn.xlarge"])),
        "instance_count": draw(st.integers(min_value=1, max_value=4)),
        "scaling_efficiency": draw(st.floats(min_value=0.5, max_value=1)),
        "work": work,
        "startup_time": draw(seconds),
        "download_time": draw(seconds),
        "upload_time": draw(seconds),
        "max_runtime": max_runtime,
    }
    if draw(st.booleans()):
        data["checkpoint"] = {
            "interval": draw(st.none() | st.floats(min_value=60, max_value=work)),
            "write_time": draw(seconds),
            "restore_time": draw(seconds),
        }
    if draw(st.integers(0, 3)) > 0:  # mostly spot: that is where the invariants can break
        spot: dict[str, Any] = {
            # 0.2 to 5 notices per work-length of holding, or a market that never interrupts
            "interruption_rate": draw(st.sampled_from([0.0, 0.2, 1.0, 2.0, 5.0])) / work,
            "notice": draw(st.floats(min_value=0, max_value=300)),
            "checkpoint_on_notice": "checkpoint" in data and draw(st.booleans()),
        }
        if draw(st.booleans()):
            spot["capacity_wait"] = {"distribution": "exponential", "mean": draw(st.floats(10, 3600))}
        data["spot"] = spot
        data["max_wait"] = max_runtime * draw(st.floats(min_value=1, max_value=4))
    return data


def _run(data: dict[str, Any], seed: int) -> TrainingRun:
    return simulate_training(TrainingJobSpec.model_validate(data), CATALOG, np.random.SeedSequence(seed))


@SETTINGS
@given(jobs(), st.integers(min_value=0, max_value=2**32 - 1))
def test_accounting_order(data: dict[str, Any], seed: int) -> None:
    run = _run(data, seed)
    spec = TrainingJobSpec.model_validate(data)
    slack = TOL * max(run.completion_time_s, 1.0)
    assert run.billable_time_s <= run.training_time_s + slack
    assert run.training_time_s <= run.completion_time_s + slack
    assert run.runtime_s <= spec.max_runtime + slack
    if spec.spot_enabled:
        assert run.training_time_s <= spec.effective_max_wait() + slack
        assert run.completion_time_s <= spec.effective_max_wait() + slack
    assert -1e-9 <= run.savings_pct <= 100
    assert run.cost_usd <= run.cost_on_demand_usd + 1e-12
    assert run.completed == (run.secondary_status == "Completed")
    if run.secondary_status == "MaxWaitTimeExceeded":
        assert math.isclose(run.completion_time_s, spec.effective_max_wait())
    if run.secondary_status == "MaxRuntimeExceeded":
        assert math.isclose(run.runtime_s, spec.max_runtime)


@SETTINGS
@given(jobs(), st.integers(min_value=0, max_value=2**32 - 1))
def test_progress_never_exceeds_work_and_only_falls_back_to_the_last_checkpoint(
    data: dict[str, Any], seed: int
) -> None:
    run = _run(data, seed)
    log = run.timeline
    assert all(e.progress_s <= run.work_s + 1e-9 for e in log)
    assert all(b.time_s >= a.time_s for a, b in itertools.pairwise(log))
    assert all(b.checkpoint_s >= a.checkpoint_s for a, b in itertools.pairwise(log))
    drops = 0.0
    for before, after in itertools.pairwise(log):
        if after.progress_s < before.progress_s:
            assert (
                after.progress_s == after.checkpoint_s == before.checkpoint_s
            )  # back to the last checkpoint
            assert before.status == "Interrupted" and before.activity == "reclaim"
            drops += before.progress_s - after.progress_s
    assert math.isclose(drops, run.lost_work_s, abs_tol=1e-6)
    assert run.interruptions == sum(e.activity == "reclaim" for e in log)
    if run.completed:
        assert run.work_done_s == run.work_s
    if "checkpoint" not in data:
        assert all(e.checkpoint_s == 0 for e in log)  # without checkpoints: restart from scratch


@SETTINGS
@given(jobs(), st.integers(min_value=0, max_value=2**32 - 1))
def test_no_checkpoint_no_interruption_is_exactly_on_demand(data: dict[str, Any], seed: int) -> None:
    base = {k: v for k, v in data.items() if k not in ("spot", "max_wait", "checkpoint")}
    base["max_runtime"] = "28d"  # SageMaker's longest
    on_demand = _run(base, seed)
    quiet_spot = _run({**base, "spot": {"interruption_rate": 0}, "max_wait": 2e9}, seed)
    expected = on_demand_seconds(TrainingJobSpec.model_validate(base))
    assert on_demand.completion_time_s == quiet_spot.completion_time_s
    assert on_demand.training_time_s == quiet_spot.training_time_s
    assert math.isclose(on_demand.training_time_s, on_demand.runtime_s, rel_tol=TOL)
    assert math.isclose(on_demand.completion_time_s, expected, rel_tol=TOL)
    assert quiet_spot.interruptions == 0 and quiet_spot.lost_work_s == 0
    assert math.isclose(quiet_spot.billable_time_s, on_demand.billable_time_s * (1 - CATALOG.spot_discount))


@SETTINGS
@given(jobs(), st.integers(min_value=0, max_value=2**32 - 1))
def test_bit_reproducible(data: dict[str, Any], seed: int) -> None:
    assert _run(data, seed) == _run(data, seed)
