"""Step scaling as AWS deploys it: a PutScalingPolicy (StepScalingPolicyConfiguration) and the CloudWatch
alarm that drives it (PutMetricAlarm, AWS::CloudWatch::Alarm).

A step policy does nothing until an alarm names it in AlarmActions. The template does that with a Ref
to the policy; the put-metric-alarm request cannot know the policy's ARN before PutScalingPolicy
returns it, so it is written without AlarmActions (add `--alarm-actions <PolicyARN>` when sending it).
The alarm watches the statistic the simulator computes for the scenario's metric (ALARM_METRICS) over
the variant's EndpointName/VariantName dimensions; missing data is "missing", which never breaches, as
in the simulation.
"""

from __future__ import annotations

from typing import Any

from simulator.aws.sagemaker_names import ALARM_METRICS, DIMENSION, NAMESPACE, resource_id, service_period
from simulator.errors import ScenarioError
from simulator.recommend.aws_response import aws_name
from simulator.scenario.scaling import StepScaling

MAX_ALARM_WINDOW = 86400  # CloudWatch: EvaluationPeriods x Period may not exceed a day


def period(step: StepScaling) -> int:
    """The alarm's period: the scenario's, or the one AWS publishes the metric at."""
    return round(step.period) if step.period is not None else service_period(step.metric.value)


def check_steps(steps: list[StepScaling], path: str) -> None:
    """Refuse step policies PutScalingPolicy or PutMetricAlarm would reject, naming the scenario path."""
    for index, step in enumerate(steps):  # unique names and MinAdjustmentMagnitude: variant_check.py
        where = f"{path}[{index}]"
        seconds = period(step)
        if (step.period is not None and step.period != seconds) or not (
            seconds in (10, 30) or seconds % 60 == 0
        ):
            raise ScenarioError(f"{where}.period", "CloudWatch alarms take 10 s, 30 s or a multiple of 60 s")
        if step.alarm.evaluation_periods * seconds > MAX_ALARM_WINDOW:
            raise ScenarioError(
                f"{where}.alarm.evaluation_periods", "CloudWatch evaluates at most one day of periods"
            )


def step_configuration(step: StepScaling) -> dict[str, Any]:
    """StepScalingPolicyConfiguration (the same keys in the API and in CloudFormation)."""
    adjustments = []
    for item in step.step_adjustments:
        bounds = {"MetricIntervalLowerBound": item.lower_bound, "MetricIntervalUpperBound": item.upper_bound}
        block = {key: bound for key, bound in bounds.items() if bound is not None}  # unbounded: left out
        adjustments.append({**block, "ScalingAdjustment": item.adjustment})
    configuration: dict[str, Any] = {
        "AdjustmentType": step.adjustment_type.value,
        "StepAdjustments": adjustments,
        "Cooldown": round(step.cooldown),
    }
    if step.min_adjustment_magnitude is not None:
        configuration["MinAdjustmentMagnitude"] = step.min_adjustment_magnitude
    return configuration


Policy = tuple[str, str, dict[str, Any]]
"""A scaling policy's PolicyName, PolicyType (TargetTrackingScaling or StepScaling) and configuration."""


def step_policy(variant: str, step: StepScaling) -> Policy:
    return aws_name(f"{variant}-{step.name}", 256), "StepScaling", step_configuration(step)


def put_policy(endpoint: str, variant: str, policy: Policy) -> dict[str, Any]:
    """The PutScalingPolicy request of a policy."""
    name, kind, configuration = policy
    return {
        "PolicyName": name,
        "ServiceNamespace": NAMESPACE,
        "ResourceId": resource_id(endpoint, variant),
        "ScalableDimension": DIMENSION,
        "PolicyType": kind,
        f"{kind}PolicyConfiguration": configuration,
    }


def policy_resource(target: str, policy: Policy) -> dict[str, Any]:
    """The same policy as an AWS::ApplicationAutoScaling::ScalingPolicy of the ScalableTarget `target`."""
    name, kind, configuration = policy
    properties = {"PolicyName": name, "PolicyType": kind, "ScalingTargetId": {"Ref": target}}
    return {
        "Type": "AWS::ApplicationAutoScaling::ScalingPolicy",
        "Properties": {**properties, f"{kind}PolicyConfiguration": configuration},
    }


def dimensions(endpoint: Any, variant: str) -> list[dict[str, Any]]:
    """The metric's EndpointName and VariantName dimensions (`endpoint` may be a CloudFormation reference)."""
    return [{"Name": "EndpointName", "Value": endpoint}, {"Name": "VariantName", "Value": variant}]


def alarm_properties(endpoint: Any, variant: str, step: StepScaling) -> dict[str, Any]:
    """The alarm's settings, shared by PutMetricAlarm and AWS::CloudWatch::Alarm (`endpoint` may be a
    CloudFormation reference)."""
    metric, namespace, statistic = ALARM_METRICS[step.metric.value]
    block: dict[str, Any] = {
        "AlarmDescription": f"drives the step scaling policy {step.name!r} of variant {variant} (sagesim)",
        "MetricName": metric,
        "Namespace": namespace,
        "Statistic": statistic,
        "Dimensions": dimensions(endpoint, variant),
        "Period": period(step),
        "EvaluationPeriods": step.alarm.evaluation_periods,
        "Threshold": step.threshold,
        "ComparisonOperator": step.comparison.value,
        "TreatMissingData": "missing",
    }
    if step.alarm.datapoints_to_alarm is not None:
        block["DatapointsToAlarm"] = step.alarm.datapoints_to_alarm
    return block


def put_metric_alarm(endpoint: str, variant: str, step: StepScaling) -> dict[str, Any]:
    name = aws_name(f"{endpoint}-{variant}-{step.name}", 255)
    return {"AlarmName": name, **alarm_properties(endpoint, variant, step)}


def template_resources(variant: str, prefix: str, target: str, steps: list[StepScaling]) -> dict[str, Any]:
    """ScalingPolicy and Alarm resources of each step policy; `target` is the ScalableTarget's id."""
    resources: dict[str, Any] = {}
    endpoint_name = {"Fn::GetAtt": ["Endpoint", "EndpointName"]}
    for step in steps:
        policy = f"{prefix}{_logical(step.name)}StepPolicy"
        resources[policy] = policy_resource(target, step_policy(variant, step))
        resources[f"{prefix}{_logical(step.name)}Alarm"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                **alarm_properties(endpoint_name, variant, step),
                "AlarmActions": [{"Ref": policy}],
            },
        }
    return resources


def _logical(text: str) -> str:
    return "".join(ch for ch in text.title() if ch.isalnum())
