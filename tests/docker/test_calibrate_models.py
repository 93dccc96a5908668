"""The harness's pure parts, no engine needed: the reference queue model against closed forms,
fitting, profiles, the training predictor and the engine-backed predictor agreeing with it."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from simulator.calibrate.fitting import fit_distribution
from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.predict import max_throughput, predict
from simulator.calibrate.profiles import (
    ServeProfile,
    TrainProfile,
    read_serve_profile,
    read_train_profile,
    write_profile,
)
from simulator.calibrate.queue_sim import simulate_station
from simulator.calibrate.train_predict import predict_completion
from simulator.errors import ScenarioError

N = 200_000


def _erlang_c_wait(lam: float, mean_s: float, c: int) -> float:
    a = lam * mean_s
    rho = a / c
    tail = a**c / math.factorial(c) / (1 - rho)
    p_wait = tail / (sum(a**k / math.factorial(k) for k in range(c)) + tail)
    return p_wait * mean_s / (c - a)


@pytest.mark.parametrize("c", [1, 2])
def test_station_matches_erlang_c(c: int) -> None:
    rng = np.random.default_rng(3)
    run = simulate_station(rng.exponential(1.0, N), np.zeros(N), vcpus=c, workers=c, rate=0.7 * c)
    assert run.latency.mean() == pytest.approx(1.0 + _erlang_c_wait(0.7 * c, 1.0, c), rel=0.04)


def test_station_md1_and_processor_sharing() -> None:
    md1 = simulate_station(np.ones(N), np.zeros(N), vcpus=1, workers=1, rate=0.7)
    assert md1.latency.mean() == pytest.approx(1 + 0.7 / (2 * 0.3), rel=0.03)  # Pollaczek-Khinchine
    rng = np.random.default_rng(4)
    ps = simulate_station(rng.exponential(1.0, N), np.zeros(N), vcpus=1, workers=1000, rate=0.7)
    assert ps.latency.mean() == pytest.approx(1 / 0.3, rel=0.05)  # M/G/1-PS: S / (1 - rho)


def test_closed_loop_throughput_saturates_and_includes_overhead() -> None:
    service = np.full(N // 4, 0.002)
    one = simulate_station(service, np.full(N // 4, 0.001), vcpus=1, workers=1, users=1)
    assert one.throughput == pytest.approx(1 / 0.003, rel=0.01)
    many = simulate_station(service, np.full(N // 4, 0.001), vcpus=1, workers=1, users=8)
    assert many.throughput == pytest.approx(500, rel=0.01)


def test_fit_prefers_parametric_when_close_and_empirical_otherwise() -> None:
    rng = np.random.default_rng(5)
    gamma = fit_distribution(rng.gamma(4.0, 0.25e-3, 5000))
    assert gamma.distribution["distribution"] in ("gamma", "lognormal")
    assert gamma.distribution["mean"] == pytest.approx(1e-3, rel=0.03)
    bimodal = np.concatenate([rng.normal(1e-3, 5e-5, 2500), rng.normal(4e-3, 1e-4, 2500)])
    emp = fit_distribution(bimodal)
    assert emp.distribution["distribution"] == "empirical"
    assert np.mean(emp.distribution["samples"]) == pytest.approx(bimodal.mean(), rel=0.01)


def _profile() -> ServeProfile:
    return ServeProfile(
        {"distribution": "gamma", "mean": 0.0025, "cv": 0.5},
        {"distribution": "deterministic", "value": 0.0005},
        vcpus=1,
        workers=1,
        fitted={"image": "test"},
    )


def test_profile_round_trip_and_bad_profile(tmp_path: Path) -> None:
    path = write_profile(_profile(), tmp_path / "p.yaml")
    assert read_serve_profile(path) == _profile()
    (tmp_path / "bad.yaml").write_text("service_time: {distribution: gamma, mean: -1, cv: 1}\noverhead: {}\n")
    with pytest.raises(ScenarioError) as exc:
        read_serve_profile(tmp_path / "bad.yaml")
    assert "bad.yaml" in exc.value.one_line()


def test_predict_internal_matches_engine(tmp_path: Path) -> None:
    profile = _profile()
    assert max_throughput(profile) == pytest.approx(400, rel=0.01)
    path = write_profile(profile, tmp_path / "p.yaml")
    for load in (Load("open", 300, 1, 1), Load("closed", 4, 1, 1)):
        internal = predict(profile, load, backend="internal")
        engine = predict(profile, load, backend="engine", profile_path=path)
        for key in ("p50_ms", "p95_ms", "throughput"):
            assert engine[key] == pytest.approx(internal[key], rel=0.05), (load, key)


def _train_profile(sigterm: bool) -> TrainProfile:
    det = {"distribution": "deterministic"}
    return TrainProfile(
        work=10.0,
        steps=100,
        checkpoint_every=20,
        startup={**det, "value": 1.0},
        restore={**det, "value": 1.5},
        checkpoint_write={**det, "value": 0.2},
        exit={**det, "value": 0.1},
        relaunch={**det, "value": 0.05},
        sigterm_checkpoint=sigterm,
        vcpus=1,
    )


def test_training_prediction_by_hand(tmp_path: Path) -> None:
    profile = _train_profile(True)
    assert read_train_profile(write_profile(profile, tmp_path / "t.yaml")) == profile
    clean = predict_completion(profile, [])
    assert clean.completion == pytest.approx(1.0 + 10.0 + 4 * 0.2 + 0.1)  # 4 periodic writes, not at the end
    # Run 1: step k ends at 1.0 + 0.1 k; step 20 at 3.0, then the periodic write until 3.2. A stop at 3.05
    # comes during the write, so step 21 runs (3.3), then the SIGTERM checkpoint (3.5) and exit (3.6).
    # Run 2 starts 0.05 s later, restores (1.5) and does 79 steps and 3 periodic writes, then exits.
    stopped = predict_completion(profile, [3.05])
    assert stopped.runs == 2 and stopped.lost_work == 0
    assert stopped.completion == pytest.approx(3.6 + 0.05 + 1.5 + 7.9 + 3 * 0.2 + 0.1)
    lost = predict_completion(_train_profile(False), [2.95])  # step 20 ends at 3.0: seen, no checkpoint
    assert lost.lost_work == pytest.approx(2.0)  # ... back to step 0 (the first checkpoint was never written)
    assert lost.completion == pytest.approx(3.0 + 0.1 + 0.05 + 1.0 + 10.0 + 4 * 0.2 + 0.1)


def test_replayed_arrivals_give_the_poisson_answer_and_drop_warmup() -> None:
    """Replaying a Poisson trace is the same M/G/1 (Pollaczek-Khinchine); requests before warmup_s are
    not counted; predict() averages replications of service draws over the same arrivals."""
    rng = np.random.default_rng(8)
    arrivals = np.cumsum(rng.exponential(1 / 0.7, N))
    run = simulate_station(
        np.ones(N), np.zeros(N), vcpus=1, workers=1, arrival_times=arrivals, warmup_s=float(arrivals[N // 10])
    )
    assert len(run.latency) == N - N // 10
    assert run.latency.mean() == pytest.approx(1 + 0.7 / (2 * 0.3), rel=0.03)
    profile = _profile()
    load = Load("open", 200, 1, 1, warmup_s=1.0)
    trace = np.cumsum(np.random.default_rng(9).exponential(1 / 200, 40_000))
    replayed = predict(profile, load, arrivals=trace, replications=4)
    poisson = predict(profile, load)
    for key in ("p50_ms", "p95_ms", "throughput"):
        assert replayed[key] == pytest.approx(poisson[key], rel=0.05), key
    with pytest.raises(ValueError, match="open-loop"):
        predict(profile, Load("closed", 2, 1, 1), arrivals=trace)


def test_stalled_share_counts_late_sends() -> None:
    recs = [Record(1.0 + k, 1.0 + k + (0.05 if k == 3 else 0.001), 2.0 + k, 200) for k in range(10)]
    assert LoadResult(Load("open", 1, 10, 10, 0.0), recs, 12.0).stalled_share() == pytest.approx(0.1)


def test_training_prediction_averages_over_run_speed() -> None:
    """With every phase fixed and no run-to-run spread the replays are the one deterministic replay;
    with spread, a stop just after a periodic checkpoint sometimes lands before it, so the expected
    lost work lies strictly between the two outcomes."""
    profile = _train_profile(False)
    assert predict_completion(profile, [2.95], replications=50) == predict_completion(profile, [2.95])
    spread = replace(profile, run_speed_cv=0.05)
    expected = predict_completion(spread, [3.02], replications=400)  # step 20 ends at 3.0, its write at 3.2
    assert 0.0 < expected.lost_work < 2.0
