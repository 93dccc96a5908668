"""Arrival processes: thinning against the intended rate, closed-loop populations, trace replay."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from scipy import stats

from simulator.engine import simulate
from simulator.scenario import load_scenario_dict
from simulator.scenario.traffic import ArrivalSpec, PoissonArrivals
from simulator.workload.open_loop import open_loop_arrivals

ARRIVALS: TypeAdapter[Any] = TypeAdapter(ArrivalSpec)


def counts_match_poisson(times: np.ndarray, edges: np.ndarray, expected: np.ndarray) -> None:
    """Counts per bin against their expected Poisson means: a chi-square goodness-of-fit at 95%."""
    observed, _ = np.histogram(times, edges)
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    assert statistic < stats.chi2.ppf(0.95, len(expected)), (observed, expected)


def test_poisson_gaps_are_exponential() -> None:
    spec = ARRIVALS.validate_python({"process": "poisson", "rate": "40/s"})
    times = open_loop_arrivals(spec, 3600, np.random.default_rng(1))
    gaps = np.diff(times)
    assert stats.kstest(gaps, "expon", args=(0, 1 / 40)).pvalue > 0.05
    assert len(times) == pytest.approx(40 * 3600, rel=4 / np.sqrt(40 * 3600))


def test_schedule_rate_by_thinning() -> None:
    spec = ARRIVALS.validate_python(
        {
            "process": "schedule",
            "steps": [{"at": 0, "rate": 10}, {"at": "10m", "rate": 50}, {"at": "20m", "rate": 5}],
        }
    )
    times = open_loop_arrivals(spec, 1800, np.random.default_rng(2))
    edges = np.arange(0, 1801, 60.0)
    rate = np.repeat([10, 50, 5], 10) * 60.0
    counts_match_poisson(times, edges, rate)


def test_diurnal_rate_by_thinning() -> None:
    spec = ARRIVALS.validate_python(
        {"process": "diurnal", "mean_rate": "2/s", "amplitude": 0.8, "period": "24h", "peak_at": "14h"}
    )
    times = open_loop_arrivals(spec, 86400, np.random.default_rng(3))
    edges = np.arange(0, 86401, 3600.0)
    # exact expected count per hour: integral of mean * (1 + a cos(2 pi (t - peak) / P))
    omega = 2 * np.pi / 86400
    integral = 2 * (edges + 0.8 / omega * np.sin(omega * (edges - 14 * 3600)))
    counts_match_poisson(times, edges, np.diff(integral))
    peak_hour = np.argmax(np.histogram(times, edges)[0])
    assert 12 <= peak_hour <= 15


def closed_loop(arrivals: dict[str, Any], duration: str = "10m", mean: str = "50ms") -> dict[str, Any]:
    return {
        "name": "closed",
        "seed": 4,
        "duration": duration,
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": mean}}},
        "endpoint": {
            "name": "ep",
            "overhead": {"distribution": "deterministic", "value": 0.01},
            "variants": [{"name": "v", "model": "m", "instance_type": "ml.c5.18xlarge", "workers": 72}],
        },
        "traffic": {"arrivals": {"process": "closed_loop", **arrivals}},
    }


def test_closed_loop_users_without_contention_follow_the_cycle_time() -> None:
    # 10 users, plenty of workers: each cycle = service (50 ms) + overhead (10 ms) + think (40 ms)
    document = closed_loop({"users": 10, "think_time": {"distribution": "deterministic", "value": 0.04}})
    summary = simulate(load_scenario_dict(document)).summary
    assert summary.throughput_per_s == pytest.approx(10 / 0.1, rel=0.02)


def test_stairs_add_users_per_step() -> None:
    document = closed_loop(
        {
            "traffic_type": "STAIRS",
            "stairs": {"duration_in_seconds": 120, "number_of_steps": 3, "users_per_step": 4},
        },
        duration="6m",
    )
    metrics = simulate(load_scenario_dict(document)).metrics
    per_second = metrics["Invocations"].to_numpy() / 60.0
    cycle = 0.05 + 0.01
    expected = np.repeat([4, 8, 12], 2) / cycle
    assert per_second == pytest.approx(expected, rel=0.08)


def test_phases_reset_and_spawn_users() -> None:
    document = closed_loop(
        {
            "traffic_type": "PHASES",
            "phases": [
                {"initial_number_of_users": 2, "spawn_rate": 6, "duration_in_seconds": 300},
                {"initial_number_of_users": 3, "spawn_rate": 0, "duration_in_seconds": 120},
            ],
        },
        duration="7m",
    )
    metrics = simulate(load_scenario_dict(document)).metrics
    per_second = metrics["Invocations"].to_numpy() / 60.0
    cycle = 0.06
    # phase 1: users = 2 + 6 per minute; the mean over minute k is about 2 + 6k + 3 (linear growth)
    expected_first = (2 + 6 * np.arange(5) + 2.5) / cycle
    assert per_second[:5] == pytest.approx(expected_first, rel=0.1)
    assert per_second[5:] == pytest.approx(3 / cycle, rel=0.08)


def test_trace_replay_uses_the_timestamps(tmp_path: Path) -> None:
    trace = tmp_path / "arrivals.csv"
    trace.write_text("id,ts\n1,0.5\n2,0.25\n3,7.0\n4,99.0\n")
    document = closed_loop({}, duration="60s")
    document["traffic"]["arrivals"] = {
        "process": "trace",
        "file": str(trace),
        "column": "ts",
        "time_scale": 2,
    }
    requests = simulate(load_scenario_dict(document)).requests
    assert requests["arrival"].tolist() == [0.5, 1.0, 14.0]  # sorted, scaled, past-the-end dropped


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.01, 5000),
    duration=st.floats(0.1, 200),
    seed=st.integers(0, 2**32),
)
def test_poisson_blocks_drawn_in_chunks_are_the_whole_blocks(rate: float, duration: float, seed: int) -> None:
    """Chunked drawing stops early but gives the numbers of the plain definition: each block's
    BLOCK gaps drawn at once and summed, kept below the duration."""
    from simulator.workload.open_loop import BLOCK, ArrivalStream

    spec = PoissonArrivals(process="poisson", rate=rate)
    chunked = list(ArrivalStream(spec, duration, np.random.default_rng(seed)).blocks())
    rng, last, whole = np.random.default_rng(seed), 0.0, []
    while last < duration:
        candidates = last + np.cumsum(rng.exponential(1.0 / rate, BLOCK))
        last = float(candidates[-1])
        whole.append(candidates[candidates < duration])
    assert len(chunked) == len(whole)
    for mine, plain in zip(chunked, whole, strict=True):
        assert mine.tobytes() == plain.tobytes()
