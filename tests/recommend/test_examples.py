"""The example jobs (scenarios/recommend-*.yaml): the service's identities and the SLO re-checked."""

from __future__ import annotations

import math

import pytest

from simulator.recommend.fleet import rate_range
from simulator.scenario import load_scenario
from tests.recommend.jobs import ROOT, example_job
from tests.recommend.resimulate import meets_slo

pytestmark = pytest.mark.slow  # minutes of simulation: `make test` runs it, `make test-fast` does not

EXAMPLES = ["recommend-default", "recommend-advanced"]


@pytest.mark.parametrize("stem", EXAMPLES)
def test_cost_per_inference_is_cost_per_hour_over_invocations(stem: str) -> None:
    recommendations = example_job(stem).recommendations
    assert len(recommendations) >= 5
    for item in recommendations:
        metrics = item.metrics
        assert metrics["CostPerInference"] == pytest.approx(
            metrics["CostPerHour"] / (metrics["MaxInvocations"] * 60), rel=1e-12
        )


@pytest.mark.parametrize("stem", EXAMPLES)
def test_recommendations_meet_the_slo_and_are_ranked_by_cost_per_inference(stem: str) -> None:
    result = example_job(stem)
    slo = result.scenario.recommend.slo()  # type: ignore[union-attr]
    costs = [r.metrics["CostPerInference"] for r in result.recommendations]
    assert costs == sorted(costs)
    assert [r.rank for r in result.recommendations] == list(range(1, len(costs) + 1))
    for recommendation in result.recommendations:
        item = recommendation.as_dict()
        assert item["Metrics"]["ModelLatency"] <= slo.value * 1000
        assert item["sagesim"]["error_rate"] <= 0.01
        assert set(item["EndpointConfiguration"]) >= {
            "InstanceType",
            "InitialInstanceCount",
            "ServerlessConfig",
        }
        assert set(item["Metrics"]) == {
            "CostPerHour",
            "CostPerInference",
            "MaxInvocations",
            "ModelLatency",
            "CpuUtilization",
            "MemoryUtilization",
            "ModelSetupTime",
        }


def test_default_job_covers_cpu_gpu_and_serverless_candidates() -> None:
    result = example_job("recommend-default")
    ids = [o.candidate.id for o in result.outcomes]
    assert len(ids) >= 12
    assert any(i.startswith("ml.c5") for i in ids) and any(i.startswith("ml.p3") for i in ids)
    assert any(i.startswith("serverless") for i in ids)
    serverless = [r for r in result.recommendations if r.candidate.is_serverless]
    assert serverless and all((r.metrics["ModelSetupTime"] or 0) > 0 for r in serverless)
    cpu = [r for r in result.recommendations if r.candidate.id == "ml.c5.xlarge"]
    # at its maximum an ml.c5.xlarge is busy: CloudWatch CPUUtilization is % x cores (4 vCPUs -> 400)
    assert 250 < (cpu[0].metrics["CpuUtilization"] or 0) <= 400


def test_each_recommendation_holds_at_max_invocations_and_breaks_ten_percent_above() -> None:
    """The must-show property, over every candidate of the default job, with its replications."""
    result = example_job("recommend-default")
    scenario = load_scenario(ROOT / "scenarios" / "recommend-default.yaml")
    for recommendation in result.recommendations:
        name, item = recommendation.candidate.id, recommendation.as_dict()
        holds, latency, errors = meets_slo(scenario, item, 1.0)
        assert holds, f"{name} at MaxInvocations: {latency:.1f} ms, {errors:.3%} errors"
        breaks, latency, errors = meets_slo(scenario, item, 1.1)
        assert not breaks, f"{name} 10% above MaxInvocations still meets the SLO: {latency:.1f} ms"


def test_fleet_sizing_follows_the_documented_rule_and_reports_slo_attainment() -> None:
    result = example_job("recommend-default")
    sizing = result.scenario.recommend.fleet_sizing  # type: ignore[union-attr]
    assert len(result.fleet) == sizing.top
    by_id = {o.candidate.id: o for o in result.outcomes}
    trough, peak, _ = rate_range(sizing.arrivals, sizing.duration)
    estimates = [item["estimated_cost_per_day_usd"] for item in result.fleet]
    assert estimates == sorted(estimates)
    for item in result.fleet:
        per_instance = by_id[item["candidate"]].max_invocations / 60.0
        policy = item["policy"]
        assert policy["target_value"] == pytest.approx(per_instance * sizing.safety_factor * 60.0)
        assert policy["max_capacity"] == math.ceil(peak / (per_instance * sizing.safety_factor))
        assert policy["min_capacity"] == max(1, math.ceil(trough / (per_instance * sizing.safety_factor)))
        assert item["static_instance_count"] == math.ceil(peak / per_instance)
        auto = item["autoscaled"]
        assert policy["min_capacity"] <= auto["instances_mean"]["mean"] <= policy["max_capacity"]
        assert auto["requests_within_slo"]["mean"] > 0.99
        assert auto["cost_per_day_usd"]["ci95_low"] <= auto["cost_per_day_usd"]["mean"]


def test_advanced_job_stops_each_configuration_for_a_stated_reason() -> None:
    result = example_job("recommend-advanced")
    reasons = {o.candidate.id: o.reason for o in result.outcomes}
    assert len(reasons) == 5
    assert all(r and r.startswith("stopped by ") for r in reasons.values())
    # the serverless configuration reaches the job's MaxInvocations before its latency limit
    assert reasons["serverless-4096MB-c30"] == "stopped by MaxInvocations"
    assert reasons["ml.c5.xlarge"] == "stopped by ModelLatencyThresholds"
