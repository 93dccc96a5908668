"""Calibration widens the one-user service-time shape to what an open-loop level shows.

A multi-worker server's requests meet each other in open-loop traffic, which a one-user closed loop
never shows; the fit picks the spread with which the replayed level's p95 comes out right.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level
from simulator.calibrate.profiles import ServeProfile, sample
from simulator.calibrate.queue_sim import simulate_station
from simulator.calibrate.serve import fit_rate_scale, spread_distribution

ONE_USER = {"distribution": "lognormal", "mean": 0.004, "cv": 0.45}


def _open_level(service_cv: float, rate: float = 120.0, seconds: float = 10.0) -> Level:
    """An open-loop level as a 4-worker server on one core would answer it (no CPU accounting)."""
    rng = np.random.default_rng(7)
    sent = np.cumsum(rng.exponential(1.0 / rate, int(rate * seconds)))
    service = sample({"distribution": "lognormal", "mean": 0.004, "cv": service_cv}, rng, len(sent))
    run = simulate_station(
        service, np.full(len(sent), 2e-4), vcpus=1, workers=4, arrival_times=sent, warmup_s=0
    )
    records = [Record(t, t, t + lat, 200) for t, lat in zip(sent, run.latency, strict=True)]
    return Level(LoadResult(Load("open", rate, len(sent), seconds), records, float(sent[-1])), float("nan"))


def _fitted_spread(service_cv: float) -> float:
    overhead = {"distribution": "deterministic", "value": 2e-4}
    profile = ServeProfile(ONE_USER, overhead, 1, 4, {"service": {"mean": 0.004}})
    level = _open_level(service_cv)
    return fit_rate_scale(profile, [level], [level], 300.0).fitted["rate_scale"]["spread"]


def test_spread_keeps_the_mean_and_widens_the_log_deviations() -> None:
    wide = spread_distribution(ONE_USER, 2.0)
    draws = sample(ONE_USER, np.random.default_rng(1), 200_000)
    widened = np.asarray(wide["samples"])
    assert widened.mean() == pytest.approx(draws.mean(), rel=0.02)
    assert np.log(widened).std() == pytest.approx(2 * np.log(draws).std(), rel=0.03)


@pytest.mark.slow
def test_the_one_user_shape_is_kept_when_the_open_loop_level_shows_it() -> None:
    assert _fitted_spread(0.45) in (0.85, 1.0, 1.2)


@pytest.mark.slow
def test_a_wider_open_loop_level_widens_the_service_time() -> None:
    """cv 0.9 against 0.45 is 1.8 times the log-deviation (lognormal sigma 0.80 against 0.43)."""
    assert 1.4 <= _fitted_spread(0.9) <= 2.3
