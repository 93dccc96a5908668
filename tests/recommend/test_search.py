"""The max-throughput search on small jobs: its answer holds, 10% more does not, curves are monotone."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.recommend.candidates import Candidate, capacity_estimate, poisson_trial
from simulator.recommend.measure import measure
from simulator.recommend.ranking import pareto_front, rank, recommendations
from simulator.recommend.search import search_candidate
from simulator.scenario import load_scenario_dict
from simulator.scenario.crossref import scenario_catalog
from tests.recommend.resimulate import meets_slo


def job(small_job: dict[str, Any], **changes: Any) -> Any:
    document = {**small_job, "recommend": {**small_job["recommend"], **changes}}
    return load_scenario_dict(document)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    mean_ms=st.sampled_from([20, 40, 80]),
    cv=st.sampled_from([0.3, 1.0]),
    threshold_factor=st.sampled_from([8.0, 15.0]),  # above the service p99 itself
    percentile=st.sampled_from(["P95", "P99"]),
    instance=st.sampled_from(["ml.c5.large", "ml.c5.xlarge", "ml.c4.large"]),
)
@pytest.mark.slow
def test_answer_holds_at_max_invocations_and_not_ten_percent_above(
    small_job: dict[str, Any],
    mean_ms: int,
    cv: float,
    threshold_factor: float,
    percentile: str,
    instance: str,
) -> None:
    small_job["models"]["m"]["service_time"] = {"distribution": "gamma", "mean": f"{mean_ms}ms", "cv": cv}
    scenario = job(
        small_job, latency_threshold={"percentile": percentile, "value": f"{mean_ms * threshold_factor}ms"}
    )
    outcome = search_candidate(scenario, Candidate(instance_type=instance))
    assert outcome.best is not None and outcome.max_invocations > 0
    (recommendation,) = recommendations(rank([outcome]), scenario.recommend.slo())  # type: ignore[arg-type,union-attr]
    item = recommendation.as_dict()
    assert meets_slo(scenario, item, 1.0)[0]
    assert not meets_slo(scenario, item, 1.1)[0]
    # the answer is below what the hardware can do at all, and not absurdly far below it
    capacity = capacity_estimate(scenario, scenario_catalog(scenario), Candidate(instance_type=instance))
    assert 0.2 * capacity < outcome.max_invocations / 60 < capacity


def test_common_random_numbers_make_the_latency_curve_monotone(small_job: dict[str, Any]) -> None:
    scenario = job(small_job)
    slo = scenario.recommend.slo()  # type: ignore[union-attr]
    candidate = Candidate(instance_type="ml.c5.large")
    capacity = capacity_estimate(scenario, scenario_catalog(scenario), candidate)
    latencies = []
    for share in (0.3, 0.5, 0.7, 0.8, 0.9, 0.95):
        trial = poisson_trial(scenario, candidate, capacity * share, 2000, 0.1)
        latencies.append(measure([trial, trial], capacity * share, slo, 0.01).p99_ms)
    assert latencies == sorted(latencies)


def test_a_threshold_below_the_service_time_is_reported_not_recommended(small_job: dict[str, Any]) -> None:
    small_job["models"]["m"]["service_time"] = {"distribution": "deterministic", "value": "80ms"}
    scenario = job(small_job, latency_threshold={"percentile": "P95", "value": "50ms"})
    outcome = search_candidate(scenario, Candidate(instance_type="ml.c5.xlarge"))
    assert outcome.best is None and outcome.max_invocations == 0
    assert "cannot meet" in (outcome.reason or "")
    assert rank([outcome]) == []


def test_deterministic_service_on_one_instance_saturates_near_its_capacity(small_job: dict[str, Any]) -> None:
    """M/D/2 with a generous threshold: the answer approaches 2 / 50 ms = 40 requests/s from below."""
    small_job["models"]["m"]["service_time"] = {"distribution": "deterministic", "value": "50ms"}
    scenario = job(small_job, latency_threshold={"percentile": "P99", "value": "2s"})
    outcome = search_candidate(scenario, Candidate(instance_type="ml.c5.large"))
    assert 0.85 * 40 < outcome.max_invocations / 60 < 40


def test_pareto_front_keeps_only_undominated_points() -> None:
    points = [(1.0, 10.0, "a"), (2.0, 5.0, "b"), (2.5, 6.0, "c"), (3.0, 1.0, "d"), (0.5, 50.0, "e")]
    assert pareto_front(points) == [(0.5, 50.0, "e"), (1.0, 10.0, "a"), (2.0, 5.0, "b"), (3.0, 1.0, "d")]


@pytest.mark.parametrize("count", [1, 3])
def test_instance_count_scales_capacity_and_cost(small_job: dict[str, Any], count: int) -> None:
    scenario = job(small_job)
    outcome = search_candidate(scenario, Candidate(instance_type="ml.c5.large", instance_count=count))
    assert outcome.best is not None
    assert outcome.best.cost_per_hour == pytest.approx(0.102 * count)


@pytest.mark.parametrize(
    "candidate",
    [
        Candidate(instance_type="ml.c5.xlarge"),
        Candidate(instance_type="ml.c5.large", accelerator_type="ml.eia2.medium"),
        Candidate(instance_type="ml.g4dn.xlarge"),
        Candidate(serverless_memory_mb=2048, serverless_max_concurrency=20),
    ],
    ids=lambda candidate: candidate.id,
)
def test_a_trial_run_measures_what_a_full_run_measures(
    small_job: dict[str, Any], candidate: Candidate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trials skip the tables and figures they do not read; every figure they do read is the same."""
    import simulator.recommend.measure as module
    from simulator.engine.simulate import simulate
    from simulator.engine.trial import figures_of_result, simulate_trial

    small_job["models"]["m"] |= {
        "gpu_service_time": {"distribution": "lognormal", "median": "6ms", "p99": "15ms"},
        "elastic_inference": {"gflops": 8, "cpu_time": {"distribution": "exponential", "mean": "8ms"}},
    }
    scenario = job(small_job)
    slo = scenario.recommend.slo()
    for rate in (5.0, 60.0, 400.0):
        replicas = [poisson_trial(scenario, candidate, rate, 1000, 0.1)] * 2
        trial = measure(replicas, rate, slo, 0.01)
        monkeypatch.setattr(module, "simulate_trial", lambda s, seed: figures_of_result(simulate(s, seed)))
        assert measure(replicas, rate, slo, 0.01) == trial
        monkeypatch.setattr(module, "simulate_trial", simulate_trial)
