"""Worker processes sharing cores with the kernel's wake-up preemption (`core.cpu_sharing`), in the
reference model and in the engine, against queueing theory: an unbounded slice on one core is
preemptive LCFS (sojourn = the busy period a request starts), a vanishing one processor sharing, and
any slice keeps the core busy while work is left."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.calibrate.loads import Load
from simulator.calibrate.predict import predict
from simulator.calibrate.profiles import ServeProfile, read_serve_profile, write_profile
from simulator.calibrate.queue_sim import simulate_station
from tests.queueing_theory import lcfs_preemptive_sojourn_moments, processor_sharing_sojourn

N = 200_000
MEAN_S = 0.010


def _mm1(wakeup_slice: float, seed: int = 4) -> np.ndarray:
    rng = np.random.default_rng(seed)
    service = rng.exponential(MEAN_S, N)
    run = simulate_station(
        service, np.zeros(N), vcpus=1, workers=10_000, rate=70.0, wakeup_slice=wakeup_slice
    )
    return run.latency


def test_an_unbounded_slice_on_one_core_is_preemptive_lcfs() -> None:
    latency = _mm1(1.0)  # a second of head start: longer than any 10 ms request
    mean, second = lcfs_preemptive_sojourn_moments(70.0, MEAN_S, 2 * MEAN_S**2)
    assert latency.mean() == pytest.approx(mean, rel=0.04)
    assert np.mean(latency**2) == pytest.approx(second, rel=0.10)


def test_a_vanishing_slice_is_processor_sharing() -> None:
    shared, nearly = _mm1(0.0), _mm1(1e-9)
    assert shared.mean() == pytest.approx(processor_sharing_sojourn(70.0, MEAN_S), rel=0.04)
    np.testing.assert_allclose(nearly, shared, rtol=0, atol=1e-7)  # every request within 0.1 us


def test_the_slice_spreads_latency_and_keeps_its_mean() -> None:
    shared, slice_ = _mm1(0.0), _mm1(0.003)
    assert slice_.mean() == pytest.approx(shared.mean(), rel=0.02)  # both work-conserving and symmetric
    assert np.percentile(slice_, 95) > 1.05 * np.percentile(shared, 95)
    assert np.percentile(slice_, 50) < np.percentile(shared, 50)


@settings(max_examples=60, deadline=None)
@given(
    works=st.lists(st.floats(1e-4, 0.05), min_size=1, max_size=30),
    gaps=st.lists(st.floats(0.0, 0.03), min_size=30, max_size=30),
    wakeup_slice=st.floats(0.0, 0.02),
    workers=st.integers(1, 8),
)
def test_one_core_is_never_idle_while_work_is_left(
    works: list[float], gaps: list[float], wakeup_slice: float, workers: int
) -> None:
    """Whatever the slice, the last request finishes when a first-come-first-served core would."""
    arrivals = np.cumsum(gaps[: len(works)])
    run = simulate_station(
        np.array(works),
        np.zeros(len(works)),
        vcpus=1,
        workers=workers,
        arrival_times=arrivals,
        warmup_s=-1.0,
        wakeup_slice=wakeup_slice,
    )
    busy_until = 0.0
    for arrival, work in zip(arrivals, works, strict=True):
        busy_until = max(busy_until, arrival) + work
    assert float(np.max(run.sent + run.latency)) == pytest.approx(busy_until, rel=1e-9, abs=1e-12)


def _shared_profile(wakeup_slice: float) -> ServeProfile:
    return ServeProfile(
        {"distribution": "gamma", "mean": 0.003, "cv": 0.6},
        {"distribution": "deterministic", "value": 0.0005},
        vcpus=1,
        workers=4,
        wakeup_slice=wakeup_slice,
    )


def test_the_engine_serves_a_profile_with_a_slice_as_the_reference_model(tmp_path: Path) -> None:
    """The engine's instance (`WakeupCpuInstance`, SimPy events) against the reference model's loop."""
    profile = _shared_profile(0.003)
    path = write_profile(profile, tmp_path / "p.yaml")
    assert read_serve_profile(path) == profile
    load = Load("open", 230.0, 1, 1)
    internal = predict(profile, load, backend="internal")
    engine = predict(profile, load, backend="engine", profile_path=path)
    for key in ("p50_ms", "p95_ms", "mean_ms", "throughput"):
        assert engine[key] == pytest.approx(internal[key], rel=0.05), key
    equal = replace(profile, wakeup_slice=0.0)
    shared = predict(equal, load, backend="engine", profile_path=write_profile(equal, tmp_path / "q.yaml"))
    assert engine["p95_ms"] > 1.05 * shared["p95_ms"]
