"""A recommender trial's figures (`simulate_trial`) against the full run they stand for."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.core.rng import replication_seed
from simulator.engine.result import Result
from simulator.engine.simulate import simulate
from simulator.engine.trial import simulate_trial
from simulator.recommend.candidates import VARIANT, poisson_trial
from simulator.recommend.job import job_candidates
from simulator.scenario import load_scenario
from simulator.scenario.derive import derive
from simulator.scenario.kinds import EndpointScenario
from tests.conftest import ROOT

CANDIDATES = ["ml.c5.xlarge", "ml.m5.large", "ml.c5.large+ml.eia2.medium", "serverless-2048MB-c50"]
UTILISATION = ("CPUUtilization", "GPUUtilization", "MemoryUtilization")


def _trial(candidate_id: str, share: float) -> EndpointScenario:
    scenario = load_scenario(ROOT / "scenarios" / "recommend-default.yaml")
    candidates, _ = job_candidates(scenario)
    candidate = next(c for c in candidates if c.id == candidate_id)
    rate = 25.0 * share if candidate.is_serverless or candidate.accelerator_type else 40.0 * share
    return poisson_trial(scenario, candidate, rate, 3000, scenario.recommend.search.warmup_fraction)


def _window_means(full: Result, name: str) -> dict[str, float | None]:
    """Mean of each utilisation column over the whole periods inside the measured window (pandas)."""
    metrics, period = full.metrics, full.scenario.metrics.period
    start, end = full.scenario.measured_window()
    rows = metrics[(metrics["time_s"] >= start) & (metrics["time_s"] + period <= end)]
    rows = rows[rows["variant"] == name]
    means = {}
    for column in UTILISATION:
        if column in rows:
            present = rows[column].dropna()
            means[column] = None if present.empty else float(present.mean())
    return means


@pytest.mark.parametrize("candidate_id", CANDIDATES)
@pytest.mark.parametrize("share", [0.3, 1.2])
def test_a_trial_has_the_figures_of_the_full_run(candidate_id: str, share: float) -> None:
    """Every figure a trial reads (counts, ModelLatency, throughput, cost, utilisation over the window,
    cold starts) is the full run's, bit for bit, below and above the candidate's capacity."""
    scenario = _trial(candidate_id, share)
    seed = replication_seed(scenario.seed, 3)
    full, figures = simulate(scenario, seed), simulate_trial(scenario, seed)
    assert list(figures) == list(full.summary.variants)
    for name, block in full.summary.variants.items():
        trial = figures[name]
        assert trial.requests == block.requests
        assert trial.model_latency_ms == block.model_latency_ms
        assert (trial.throughput_per_s, trial.cost_usd) == (block.throughput_per_s, block.cost_usd.total)
        assert trial.utilisation == _window_means(full, name)
        setups = full.cold_starts[full.cold_starts["variant"] == name]["model_setup_time_s"]
        assert trial.setup_times_s == tuple(setups)
    if candidate_id.startswith("serverless"):
        assert figures[name].setup_times_s, "a serverless trial has cold starts"
    else:
        assert all(value is not None for value in figures[name].utilisation.values())


def test_a_streaming_trial_reads_its_figures_from_the_whole_run() -> None:
    """A trial too long to keep every record is run whole: its figures are its streamed summary's."""
    scenario = derive(_trial("ml.c5.xlarge", 0.5), {"metrics.per_request_records": False}, EndpointScenario)
    seed = replication_seed(scenario.seed, 0)
    full, trial = simulate(scenario, seed), simulate_trial(scenario, seed)[VARIANT]
    block = full.summary.variants[VARIANT]
    assert full.log is None, "the run streamed"
    assert (trial.requests, trial.model_latency_ms, trial.cost_usd) == (
        block.requests,
        block.model_latency_ms,
        block.cost_usd.total,
    )
    assert trial.utilisation == _window_means(full, VARIANT)
    assert np.isfinite(trial.utilisation["CPUUtilization"] or np.nan)
