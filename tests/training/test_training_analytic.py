"""Simulated means against closed forms: Daly's expected wall time and restart-from-scratch.

Each parametrised case checks that the theory lies inside a confidence interval from independent
replications. The cases of one test form a family, so each interval is a Bonferroni-adjusted
(1 - 0.05/k) interval: all k cases together cover the truth with probability >= 95%. Each test also
requires the interval to be narrow (half-width below 2% of the theory), so a modelling error of a few
percent cannot hide in a wide interval.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.core.rng import replication_seed
from simulator.training import simulate_training
from simulator.training.formulas import daly_exact_interval, daly_wall_time, restart_from_scratch_mean
from simulator.training.stats import mean_ci

H, MIN = 3600.0, 60.0

# (M, delta, R, tau, T_s, replications); T_s is a whole number of tau segments, as Daly's formula assumes.
# Two cases have R = M/2: there the factor e^(R/M) (restarts can be interrupted too) differs by ~10% from
# the (M + R) a non-interruptible restart would give, so the test sees which one the simulator does.
DALY_CASES = [
    (6 * H, 5 * MIN, 10 * MIN, 1 * H, 24 * H, 300),  # near the optimum (~57 min)
    (1 * H, 3 * MIN, 6 * MIN, 1000.0, 40 * H, 200),  # near the optimum (1022 s), many segments
    (2 * H, 1 * MIN, 0.0, 4 * H, 16 * H, 3000),  # tau 16x the optimum (15 min): most segments fail
    (30 * MIN, 2 * MIN, 15 * MIN, 2 * MIN, 2 * H, 800),  # tau 1/5 of the optimum (10.6 min); R = M/2
    (20 * MIN, 10 * MIN, 10 * MIN, 10 * MIN, 5 * H, 700),  # MTBF only 2x delta (Young breaks down); R = M/2
]
RESTART_CASES = [
    # (instances, efficiency, per-instance rate, single-instance work, startup, download, upload, notice,
    #  mean capacity wait, replications)
    (1, 1.0, 1 / (4 * H), 3 * H, 0.0, 0.0, 0.0, 0.0, None, 2000),
    (2, 0.8, 1 / (20 * H), 6 * H, 5 * MIN, 3 * MIN, 2 * MIN, 2 * MIN, 15 * MIN, 2000),
]


def _interval(values: list[float], family: int) -> tuple[float, float, float]:
    return mean_ci(values, level=1 - 0.05 / family)


@pytest.mark.parametrize(("mtbf", "delta", "restart", "tau", "solve", "reps"), DALY_CASES)
def test_mean_wall_time_matches_daly(catalog, daly_spec, mtbf, delta, restart, tau, solve, reps) -> None:
    assert solve / tau == round(solve / tau)
    job = daly_spec(mtbf, delta, restart, tau, solve)
    runs = [simulate_training(job, catalog, replication_seed(7, i)) for i in range(reps)]
    assert all(run.completed for run in runs)
    # TrainingTimeInSeconds starts after the first start-up, where Daly's clock starts.
    mean, low, high = _interval([run.training_time_s for run in runs], len(DALY_CASES))
    theory = daly_wall_time(solve, tau, delta, restart, mtbf)
    assert low <= theory <= high, (mean, theory, 100 * (mean / theory - 1))
    assert (high - low) / 2 < 0.02 * theory
    optimum = daly_exact_interval(delta, mtbf)
    print(f"M={mtbf:g} delta={delta:g} R={restart:g} tau={tau:g} (tau/opt {tau / optimum:.2f}): ", end="")
    print(f"sim {mean:.0f} [{low:.0f}, {high:.0f}] vs Daly {theory:.0f}")


@pytest.mark.parametrize(
    ("count", "efficiency", "rate", "work", "startup", "download", "upload", "notice", "wait", "reps"),
    RESTART_CASES,
)
def test_restart_from_scratch_matches_closed_form(
    catalog, make_spec, count, efficiency, rate, work, startup, download, upload, notice, wait, reps
) -> None:
    """No checkpoints: every reclaim restarts the whole attempt (see formulas.restart_from_scratch_mean).

    The second case also checks the cluster rules: 2 instances at 80% efficiency compute 1.6x faster,
    and a reclaim of either instance interrupts the job (job rate = 2x the instance rate)."""
    spot = {"interruption_rate": rate, "notice": notice}
    if wait is not None:
        spot["capacity_wait"] = {"distribution": "exponential", "mean": wait}
    job = make_spec(
        work=work,
        instance_count=count,
        scaling_efficiency=efficiency,
        startup_time=startup,
        download_time=download,
        upload_time=upload,
        spot=spot,
        max_runtime="28d",  # SageMaker's longest: far beyond these jobs
        max_wait=1e12,
    )
    runs = [simulate_training(job, catalog, replication_seed(13, i)) for i in range(reps)]
    attempt = startup + download + work / (count * efficiency if count > 1 else 1.0) + upload
    theory = restart_from_scratch_mean(attempt, count * rate, notice, wait or 0.0)
    mean, low, high = _interval([run.completion_time_s for run in runs], len(RESTART_CASES))
    assert low <= theory <= high, (mean, theory, 100 * (mean / theory - 1))
    assert (high - low) / 2 < 0.05 * theory
    failures = np.mean([run.interruptions for run in runs])
    assert failures > 0.3  # the case genuinely exercises restarts
