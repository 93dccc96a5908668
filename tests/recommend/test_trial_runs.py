"""A recommender trial's cut-down run (`simulate(..., trial=True)`) against the full run it stands for."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.engine.simulate import simulate
from simulator.recommend.candidates import poisson_trial
from simulator.recommend.job import job_candidates
from simulator.scenario import load_scenario
from tests.conftest import ROOT

CANDIDATES = ["ml.c5.xlarge", "ml.m5.large", "ml.c5.large+ml.eia2.medium", "serverless-2048MB-c50"]


@pytest.mark.parametrize("candidate_id", CANDIDATES)
@pytest.mark.parametrize("share", [0.3, 1.2])
def test_a_trial_reads_the_figures_of_the_full_run(candidate_id: str, share: float) -> None:
    """Every figure a trial reads (counts, errors, ModelLatency, throughput, cost, utilisation per
    period, cold starts) is the full run's, bit for bit, below and above the candidate's capacity;
    what it skips (end-to-end latency, queue wait, serving figures) is left empty."""
    scenario = load_scenario(ROOT / "scenarios" / "recommend-default.yaml")
    candidates, _ = job_candidates(scenario)
    candidate = next(c for c in candidates if c.id == candidate_id)
    rate = 25.0 * share if candidate.is_serverless or candidate.accelerator_type else 40.0 * share
    trial_scenario = poisson_trial(scenario, candidate, rate, 3000, scenario.recommend.search.warmup_fraction)
    full, trial = simulate(trial_scenario, 7), simulate(trial_scenario, 7, trial=True)
    pairs = [(full.summary, trial.summary)]
    pairs += [(full.summary.variants[name], trial.summary.variants[name]) for name in full.summary.variants]
    for whole, cut in pairs:
        assert cut.requests == whole.requests
        assert cut.model_latency_ms == whole.model_latency_ms
        assert (cut.throughput_per_s, cut.error_rate, cut.cost_usd) == (
            whole.throughput_per_s,
            whole.error_rate,
            whole.cost_usd,
        )
        assert cut.latency_ms.p99 is None and cut.queue_wait_ms.mean is None
        assert whole.latency_ms.p99 is not None
    for column in trial.metrics.columns:
        assert np.array_equal(trial.metrics[column].to_numpy(), full.metrics[column].to_numpy()), column
    assert trial.cold_starts.equals(full.cold_starts)
