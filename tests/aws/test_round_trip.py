"""import(export(scenario)) reproduces the scenario's deployment, for generated deployments.

Between the two, AWS is played by what its describe calls return for what the export created (the
requests plus the identifiers and timestamps AWS adds), and those responses are themselves checked
against botocore's output shapes, so the test cannot pass on responses AWS would never send.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.aws.sagemaker_names import service_period
from simulator.aws.shapes import AUTOSCALING, CLOUDWATCH, SAGEMAKER
from simulator.importing.build import ImportInputs, ImportOptions, build_scenario
from simulator.importing.documents import check_response
from simulator.importing.scaling import ScalingInputs
from simulator.report.aws_export import Deployment, Variant, export_documents, from_scenario
from simulator.scenario.loader import load_scenario_dict

ACCOUNT = "arn:aws:{}:us-east-1:123456789012:{}"
CREATED = "2026-11-30T09:00:00+00:00"
METRICS = [
    "SageMakerVariantInvocationsPerInstance",
    "CPUUtilization",
    "ConcurrentRequestsPerModel",
    "Invocations",
]
COMPARISONS = [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
]


@st.composite
def step_policy(draw: st.DrawFn, name: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["ChangeInCapacity", "ExactCapacity", "PercentChangeInCapacity"]))
    bounds = sorted(draw(st.sets(st.integers(-2000, 2000).map(float), max_size=3)))
    low, high = draw(st.booleans()) or not bounds, draw(st.booleans()) or not bounds
    edges: list[float | None] = [*([None] if low else []), *bounds, *([None] if high else [])]
    if len(edges) == 1:  # one bound and one open end
        edges = [None, *bounds] if low else [*bounds, None]
    amount = st.integers(0, 5) if kind == "ExactCapacity" else st.integers(-5, 5)
    adjustments = []
    for lower, upper in itertools.pairwise(edges):
        block: dict[str, Any] = {"adjustment": draw(amount)}
        if lower is not None:
            block["lower_bound"] = lower
        if upper is not None:
            block["upper_bound"] = upper
        adjustments.append(block)
    metric = draw(st.sampled_from(METRICS))
    evaluation = draw(st.integers(1, 5))
    step: dict[str, Any] = {
        "name": name,
        "metric": metric,
        # CPUUtilization reads at most 100 x cores: 200 on the smallest type drawn (ml.c5.large)
        "threshold": float(draw(st.integers(0, 199 if metric == "CPUUtilization" else 5000))),
        "comparison": draw(st.sampled_from(COMPARISONS)),
        "alarm": {"evaluation_periods": evaluation},
        "adjustment_type": kind,
        "step_adjustments": adjustments,
        "cooldown": draw(st.integers(0, 3600)),
    }
    if draw(st.booleans()):
        step["alarm"]["datapoints_to_alarm"] = draw(st.integers(1, evaluation))
    periods = [10, 30, 60, 120] if metric == "ConcurrentRequestsPerModel" else [60, 120, 300]
    period = draw(st.sampled_from([None, *periods]))
    if period is not None:
        step["period"] = period
    if kind == "PercentChangeInCapacity" and draw(st.booleans()):
        step["min_adjustment_magnitude"] = draw(st.integers(1, 3))
    return step


@st.composite
def autoscaling(draw: st.DrawFn, count: int) -> dict[str, Any]:
    low = draw(st.integers(1, count))
    block: dict[str, Any] = {"min_capacity": low, "max_capacity": draw(st.integers(count, 12))}
    if draw(st.booleans()):
        metric = draw(st.sampled_from(METRICS[:3]))  # target tracking needs a per-instance metric
        block["target_tracking"] = {
            "metric": metric,
            # CPUUtilization reads at most 100 x cores: 200 on the smallest type drawn (ml.c5.large)
            "target_value": float(draw(st.integers(1, 199 if metric == "CPUUtilization" else 5000))),
            "scale_out_cooldown": draw(st.integers(0, 3600)),
            "scale_in_cooldown": draw(st.integers(0, 3600)),
            "disable_scale_in": draw(st.booleans()),
        }
    names = draw(st.lists(st.sampled_from(["out", "in", "burst", "night-calm"]), unique=True, max_size=2))
    if names:
        block["step_scaling"] = [draw(step_policy(name)) for name in names]
    return block


@st.composite
def variant(draw: st.DrawFn, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "model": "m", "weight": draw(st.integers(1, 100)) / 10}
    if draw(st.integers(0, 3)) == 0:
        most = draw(st.integers(1, 200))
        spec["serverless"] = {
            "memory_mb": 1024 * draw(st.integers(1, 6)),
            "max_concurrency": most,
            "provisioned_concurrency": draw(st.integers(0, most)),
        }
        return spec
    count = draw(st.integers(1, 8))
    spec["instance_type"] = draw(
        st.sampled_from(["ml.c5.large", "ml.c6i.xlarge", "ml.m5.xlarge", "ml.c7g.2xlarge", "ml.g5.xlarge"])
    )
    spec["instance_count"] = count
    routing = draw(st.sampled_from([None, "RANDOM", "LEAST_OUTSTANDING_REQUESTS"]))
    if routing is not None:
        spec["routing"] = routing
    if draw(st.booleans()):
        spec["autoscaling"] = draw(autoscaling(count))
    return spec


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(
        st.lists(st.sampled_from(["prod", "canary", "blue", "green-2"]), min_size=1, max_size=3, unique=True)
    )
    return {
        "name": "generated",
        "duration": 600,
        "models": {"m": {"service_time": {"distribution": "deterministic", "value": 0.01}}},
        "endpoint": {
            "name": draw(st.sampled_from(["shop", "fraud-scorer", "a1"])),
            "routing": draw(st.sampled_from(["RANDOM", "LEAST_OUTSTANDING_REQUESTS"])),
            "variants": [draw(variant(name)) for name in names],
        },
        "traffic": {"arrivals": {"process": "poisson", "rate": 5}},
    }


def described(exported: dict[str, Any], deployment: Deployment) -> ImportInputs:
    """What the describe calls return once the exported requests have been sent."""
    config = {
        **exported["create-endpoint-config.json"],
        "EndpointConfigArn": ACCOUNT.format("sagemaker", "endpoint-config/x"),
        "CreationTime": CREATED,
    }
    targets, policies, alarms = [], [], []
    role = ACCOUNT.format("iam", "role/autoscaling").replace("us-east-1", "")
    for name, document in exported.items():
        if name.startswith("register-scalable-target"):
            targets.append({**document, "RoleARN": role, "CreationTime": CREATED})
        elif name.startswith("put-scaling-policy"):
            arn = ACCOUNT.format("autoscaling", f"scalingPolicy:{len(policies)}")
            alarm_file = name.replace("put-scaling-policy", "put-metric-alarm")
            policy = {**document, "PolicyARN": arn, "CreationTime": CREATED, "Alarms": []}
            if alarm_file in exported:
                alarm = exported[alarm_file]
                arn_alarm = ACCOUNT.format("cloudwatch", f"alarm:{alarm['AlarmName']}")
                policy["Alarms"] = [{"AlarmName": alarm["AlarmName"], "AlarmARN": arn_alarm}]
                alarms.append(
                    {
                        **alarm,
                        "AlarmArn": arn_alarm,
                        "ActionsEnabled": True,
                        "AlarmActions": [arn],
                        "StateValue": "OK",
                    }
                )
            policies.append(policy)
    results = [
        {
            "Id": v.name.replace("-", "_"),
            "Label": v.name,
            "Timestamps": ["2026-11-30T10:02:00Z", "2026-11-30T10:00:00Z"],
            "Values": [30.0 + index, 60.0],
            "StatusCode": "Complete",
        }
        for index, v in enumerate(deployment.variants)
    ]
    return ImportInputs(
        config=check_response(config, SAGEMAKER, "DescribeEndpointConfig", "config"),
        metrics=check_response({"MetricDataResults": results}, CLOUDWATCH, "GetMetricData", "metrics"),
        scaling=ScalingInputs(
            targets=check_response({"ScalableTargets": targets}, AUTOSCALING, "DescribeScalableTargets", "t"),
            policies=check_response(
                {"ScalingPolicies": policies}, AUTOSCALING, "DescribeScalingPolicies", "p"
            ),
            alarms=check_response({"MetricAlarms": alarms}, CLOUDWATCH, "DescribeAlarms", "a"),
        ),
    )


def _deployed(variant: Variant) -> dict[str, Any]:
    """What AWS is told about a variant (the simulation-only start-up time aside); a period left to its
    default is the period AWS publishes the metric at."""
    scaling = variant.autoscaling.model_dump(exclude={"startup_time"}) if variant.autoscaling else None
    for policy in [*(scaling or {}).get("step_scaling", []), (scaling or {}).get("target_tracking") or {}]:
        if policy and policy["period"] is None:
            policy["period"] = service_period(policy["metric"].value)
    return {
        "name": variant.name,
        "instance_type": variant.instance_type,
        "instance_count": variant.instance_count if variant.serverless is None else None,
        "weight": variant.weight,
        "routing": variant.routing,
        "serverless": variant.serverless,
        "autoscaling": scaling,
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=scenarios())
def test_import_of_the_export_is_the_same_deployment(document: dict[str, Any]) -> None:
    original = from_scenario(load_scenario_dict(document), None)
    inputs = described(export_documents(original), original)
    imported = build_scenario(
        inputs, ImportOptions(service_time="{distribution: deterministic, value: 10ms}")
    )
    assert imported.files == {}
    again = from_scenario(load_scenario_dict(imported.document, base_dir=Path(".")), None)
    assert again.endpoint == original.endpoint
    assert [_deployed(v) for v in again.variants] == [_deployed(v) for v in original.variants]
