"""Exact event logs of small hand-checked jobs (trace-driven, so every time is known in advance)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.training import TrainingRun, simulate_training
from simulator.training.formulas import on_demand_seconds

SEED = np.random.SeedSequence(11, spawn_key=(0,))
P3_2X = 3.825  # $/h, catalog


def _log(run: TrainingRun) -> list[tuple[float, str, str, float, float]]:
    return [(e.time_s, e.status, e.activity, e.progress_s, e.checkpoint_s) for e in run.timeline]


def test_reclaim_resumes_from_last_checkpoint(catalog, make_spec) -> None:
    """5 h job, hourly checkpoints (6 m), notice at 3 h, reclaim 2 min later, 30 min to get capacity back."""
    job = make_spec(
        work="5h",
        startup_time="3m",
        download_time="2m",
        upload_time="1m",
        checkpoint={"interval": "1h", "write_time": "6m", "restore_time": "12m"},
        spot={"trace": ["3h"], "capacity_wait": {"distribution": "deterministic", "value": "30m"}},
        max_wait="2d",
    )
    run = simulate_training(job, catalog, SEED)
    assert _log(run) == [
        (0, "Starting", "", 0, 0),
        (180, "Downloading", "", 0, 0),
        (300, "Training", "compute", 0, 0),
        (3900, "Training", "checkpoint", 3600, 0),
        (4260, "Training", "compute", 3600, 3600),
        (7860, "Training", "checkpoint", 7200, 3600),
        (8220, "Training", "compute", 7200, 7200),
        (10920, "Interrupted", "reclaim", 9900, 7200),  # notice 10800 + 120 s
        (10920, "Interrupted", "capacity-wait", 7200, 7200),
        (12720, "Starting", "", 7200, 7200),
        (12900, "Downloading", "", 7200, 7200),
        (13020, "Training", "restore", 7200, 7200),
        (13740, "Training", "compute", 7200, 7200),
        (17340, "Training", "checkpoint", 10800, 7200),
        (17700, "Training", "compute", 10800, 10800),
        (21300, "Training", "checkpoint", 14400, 10800),
        (21660, "Training", "compute", 14400, 14400),
        (25260, "Uploading", "", 18000, 14400),
        (25320, "Completed", "", 18000, 14400),
    ]
    runtime = 25320 - 2 * 180 - 1800  # everything but Starting and the capacity wait
    assert (run.status, run.secondary_status) == ("Completed", "Completed")
    assert run.completion_time_s == 25320 and run.training_time_s == 25320 - 180
    assert run.runtime_s == runtime
    assert run.billable_time_s == pytest.approx(runtime * 0.3)  # catalog spot discount 70%
    assert run.savings_pct == pytest.approx(100 * (1 - runtime * 0.3 / 25140))
    assert run.cost_usd == pytest.approx(runtime * 0.3 * P3_2X / 3600)
    assert run.cost_on_demand_usd == pytest.approx(runtime * P3_2X / 3600)
    assert (run.interruptions, run.checkpoints, run.lost_work_s, run.capacity_wait_s) == (1, 4, 2700, 1800)


@pytest.mark.parametrize(
    ("write", "on_notice", "end", "lost", "checkpoints"),
    [
        ("1m", True, 7380, 0, 1),  # notice checkpoint completes before the reclaim: nothing lost
        ("3m", True, 10920, 3600, 0),  # write outlasts the 2-minute notice: 3600 s lost, restart from 0
        ("1m", False, 10920, 3720, 0),  # no checkpoint on notice: all 3720 s lost
    ],
)
def test_checkpoint_on_notice(catalog, make_spec, write, on_notice, end, lost, checkpoints) -> None:
    job = make_spec(
        work="2h",
        checkpoint={"write_time": write, "restore_time": "1m"},  # no periodic interval
        spot={"trace": ["1h"], "checkpoint_on_notice": on_notice},
    )
    run = simulate_training(job, catalog, SEED)
    assert run.completion_time_s == end
    assert (run.lost_work_s, run.checkpoints, run.interruptions) == (lost, checkpoints, 1)
    if end == 7380:
        assert ("Training", "notice-checkpoint") in [(e.status, e.activity) for e in run.timeline]
        assert ("Training", "await-reclaim") in [(e.status, e.activity) for e in run.timeline]


def test_notice_when_the_job_can_finish_in_time(catalog, make_spec) -> None:
    """A notice 60 s before the end: the job finishes instead of checkpointing, no reclaim happens."""
    job = make_spec(
        work=3600, checkpoint={"write_time": "1m"}, spot={"trace": [3540], "checkpoint_on_notice": True}
    )
    run = simulate_training(job, catalog, SEED)
    assert (run.completion_time_s, run.interruptions, run.checkpoints) == (3600, 0, 0)


def test_without_checkpoints_restart_from_scratch(catalog, make_spec) -> None:
    job = make_spec(work="2h", startup_time=100, spot={"trace": [50, 1000], "notice": 0})
    run = simulate_training(job, catalog, SEED)
    # reclaimed during Starting (50); restarted, training from 150 until the reclaim at 1000: 850 s lost
    assert run.completion_time_s == 1000 + 100 + 7200
    assert (run.interruptions, run.lost_work_s) == (2, 850)
    assert run.training_time_s == 1000 + 100 + 7200 - 150  # TrainingStartTime = first Downloading at 150


def test_max_wait_stops_the_job(catalog, make_spec) -> None:
    job = make_spec(
        work="2h",
        spot={
            "trace": [1000, 3000, 5000],
            "notice": 0,
            "capacity_wait": {"distribution": "deterministic", "value": 600},
        },
        max_runtime=3600,
        max_wait=4000,
    )
    run = simulate_training(job, catalog, SEED)
    assert (run.status, run.secondary_status) == ("Stopped", "MaxWaitTimeExceeded")
    assert run.completion_time_s == 4000 and run.training_time_s == 4000
    assert run.runtime_s == 1000 + 1400 + 400
    assert run.timeline[-1].status == "MaxWaitTimeExceeded"


def test_max_runtime_stops_the_job(catalog, make_spec) -> None:
    run = simulate_training(make_spec(work="2h", startup_time=100, max_runtime="1h"), catalog, SEED)
    assert (run.status, run.secondary_status) == ("Stopped", "MaxRuntimeExceeded")
    assert (run.completion_time_s, run.runtime_s, run.work_done_s) == (3700, 3600, 3600)


def test_on_demand_is_deterministic_and_matches_closed_form(catalog, make_spec) -> None:
    job = make_spec(
        work="10h",
        instance_count=4,
        scaling_efficiency=0.8,
        startup_time="4m",
        download_time="3m",
        upload_time="2m",
        checkpoint={"interval": "30m", "write_time": "1m"},
    )
    run = simulate_training(job, catalog, SEED)
    compute = 10 * 3600 / (4 * 0.8)
    assert run.completion_time_s == pytest.approx(240 + 180 + compute + 6 * 60 + 120)  # 7 segments, 6 writes
    assert run.completion_time_s == pytest.approx(on_demand_seconds(job))
    assert run.billable_time_s == run.runtime_s == run.training_time_s  # on-demand: no discount
    assert run.savings_pct == 0
    assert run.cost_usd == pytest.approx(run.runtime_s * 4 * P3_2X / 3600)


def test_replications_are_reproducible_and_streams_independent(catalog, make_spec) -> None:
    job = make_spec(
        work="20h",
        spot={"interruption_rate": "1/3h", "capacity_wait": {"distribution": "exponential", "mean": "10m"}},
        checkpoint={"interval": "1h", "write_time": "5m"},
        max_wait="10d",
    )
    first = simulate_training(job, catalog, np.random.SeedSequence(5, spawn_key=(3,)))
    again = simulate_training(job, catalog, np.random.SeedSequence(5, spawn_key=(3,)))
    other = simulate_training(job, catalog, np.random.SeedSequence(5, spawn_key=(4,)))
    assert first == again
    assert first.completion_time_s != other.completion_time_s
    # capacity waits have their own stream: changing them leaves the interruption draws alone
    fixed_wait = job.model_copy(
        update={"spot": job.spot.model_copy(update={"capacity_wait": None})}  # type: ignore[union-attr]
    )
    no_wait = simulate_training(fixed_wait, catalog, np.random.SeedSequence(5, spawn_key=(3,)))
    assert no_wait.interruptions == first.interruptions
    assert no_wait.completion_time_s == pytest.approx(first.completion_time_s - first.capacity_wait_s)
