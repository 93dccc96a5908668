"""Re-measure a recommendation independently of the search: plain `simulate` on the job's trial protocol."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import stats

from simulator.core.rng import replication_seed
from simulator.engine.simulate import simulate
from simulator.recommend.candidates import VARIANT, Candidate, poisson_trial
from simulator.scenario.kinds import RecommendScenario


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


def meets_slo(
    scenario: RecommendScenario, recommendation: dict[str, Any], factor: float
) -> tuple[bool, float, float]:
    """(meets, mean percentile ms, mean error rate) at factor x MaxInvocations, same seeds as the job.

    Meets: the upper end of the 95% CI across replications of the percentile and of the error rate
    is at or below its limit, the rule every sagesim command states.
    """
    spec = scenario.recommend
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
        simulate(trial, replication_seed(trial.seed, r)).summary.variants[VARIANT]
        for r in range(spec.search.replications)
    ]
    percentiles = [getattr(b.model_latency_ms, slo.key) for b in blocks]
    rates = [b.requests.errors / b.requests.arrived for b in blocks]
    holds = _upper_95(percentiles) <= slo.value * 1000 and _upper_95(rates) <= spec.max_error_rate
    return holds, float(np.mean(percentiles)), float(np.mean(rates))


def _upper_95(values: list[float]) -> float:
    """Upper end of the two-sided 95% Student t interval (the value itself for one replication),
    written out here rather than imported so the check does not share the code it checks."""
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        return float(data.mean())
    return float(data.mean() + stats.t.ppf(0.975, data.size - 1) * data.std(ddof=1) / np.sqrt(data.size))
