"""Re-measure a recommendation independently of the search: plain `simulate` on the job's trial protocol."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.core.rng import replication_seed
from simulator.engine.simulate import simulate
from simulator.recommend.candidates import VARIANT, Candidate, poisson_trial
from simulator.scenario.schema import Scenario


def candidate_of(recommendation: dict[str, Any]) -> Candidate:
    config = recommendation["EndpointConfiguration"]
    serverless = config["ServerlessConfig"]
    if serverless:
        return Candidate(
            serverless_memory_mb=serverless["MemorySizeInMB"],
            serverless_max_concurrency=serverless["MaxConcurrency"],
        )
    return Candidate(
        instance_type=config["InstanceType"],
        instance_count=config["InitialInstanceCount"],
        accelerator_type=config.get("AcceleratorType"),
    )


def meets_slo(scenario: Scenario, recommendation: dict[str, Any], factor: float) -> tuple[bool, float, float]:
    """(meets, mean percentile ms, pooled error rate) at factor x MaxInvocations, same seeds as the job."""
    spec = scenario.recommend
    assert spec is not None
    slo = spec.slo()
    assert slo is not None
    rate = recommendation["Metrics"]["MaxInvocations"] / 60.0 * factor
    trial = poisson_trial(
        scenario,
        candidate_of(recommendation),
        rate,
        spec.search.requests_per_trial,
        spec.search.warmup_fraction,
    )
    blocks = [
        simulate(trial, replication_seed(trial.seed, r)).summary["variants"][VARIANT]
        for r in range(spec.search.replications)
    ]
    percentile = float(np.mean([b["model_latency_ms"][slo.key] for b in blocks]))
    arrived = sum(b["requests"]["arrived"] for b in blocks)
    errors = sum(b["requests"]["failed"] + b["requests"]["throttled"] for b in blocks)
    error_rate = errors / arrived
    return percentile <= slo.value * 1000 and error_rate < spec.max_error_rate, percentile, error_rate
