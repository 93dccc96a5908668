"""DescribeScalableTargets + DescribeScalingPolicies (+ DescribeAlarms for step policies) -> each
variant's `autoscaling` block.

Items about other resources (another endpoint, another service) are skipped with a note: an unfiltered
describe call lists the whole account. Items about this endpoint are simulated or refused, never
dropped: suspended scaling, predictive policies, metric math and settings of other scalable
dimensions (a serverless variant's provisioned concurrency) are refused with the reason. A step policy's
CloudWatch alarm (from `aws cloudwatch describe-alarms`) gives the step its metric, threshold and alarm.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from simulator.aws.sagemaker_names import (
    ALARM_METRICS,
    DIMENSION,
    PREDEFINED,
    parse_resource_id,
    service_period,
)
from simulator.importing.documents import no_more_pages, refuse, screen

TARGETS = "--scalable-targets"
POLICIES = "--scaling-policies"
_PREDEFINED = {aws: metric for metric, aws in PREDEFINED.items()}
ALARMS = "--alarms"
ALARM_SIMULATED = {
    "MetricName", "Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
    "Threshold", "ComparisonOperator", "TreatMissingData", "ActionsEnabled", "AlarmActions",
}  # fmt: skip
ALARM_NO_BEARING = {
    "AlarmName", "AlarmArn", "AlarmDescription", "AlarmConfigurationUpdatedTimestamp", "OKActions",
    "InsufficientDataActions", "StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
    "EvaluationState", "StateTransitionedTimestamp",
}  # fmt: skip
ALARM_REFUSED = {
    "ExtendedStatistic": "percentile statistics are not simulated",
    "EvaluateLowSampleCountPercentile": "percentile statistics are not simulated",
    "Metrics": "metric math is not simulated",
    "ThresholdMetricId": "anomaly detection bands are not simulated",
    "Unit": "a Unit filter is not simulated",
}
COMPARISONS = {
    "GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
}  # fmt: skip
MISSING_DATA = {"missing", "notBreaching"}  # the simulation's rule: missing datapoints never breach


@dataclass
class ScalingInputs:
    """The describe responses (None when not given) an import reads scaling from."""

    targets: dict[str, Any] | None = None
    policies: dict[str, Any] | None = None
    alarms: dict[str, Any] | None = None


@dataclass
class ImportedScaling:
    by_variant: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _items(inputs: ScalingInputs) -> Iterator[tuple[str, str, dict[str, Any], tuple[str, str] | None]]:
    """(option, JSON path, item, the (endpoint, variant) it scales or None for another resource) of every
    scalable target, then every scaling policy."""
    documents = ((TARGETS, "ScalableTargets", inputs.targets), (POLICIES, "ScalingPolicies", inputs.policies))
    for option, key, document in documents:
        for index, item in enumerate((document or {}).get(key, [])):
            scaled = parse_resource_id(item.get("ServiceNamespace"), item.get("ResourceId"))
            yield option, f"{key}[{index}]", item, scaled


def endpoints_named(inputs: ScalingInputs) -> set[str]:
    """The endpoints whose variants the describe responses scale."""
    return {scaled[0] for *_, scaled in _items(inputs) if scaled is not None}


def read_scaling(inputs: ScalingInputs, endpoint: str, variants: list[str]) -> ImportedScaling:
    no_more_pages(inputs.targets, TARGETS)
    no_more_pages(inputs.policies, POLICIES)
    result = ImportedScaling()
    skipped = 0
    for option, path, item, scaled in _items(inputs):
        if scaled is None or scaled[0] != endpoint:
            skipped += 1
            continue
        variant = scaled[1]  # about this endpoint: simulated or refused, never dropped
        if variant not in variants:
            raise refuse(option, f"{path}.ResourceId", f"variant {variant!r} is not in --endpoint-config")
        if item["ScalableDimension"] != DIMENSION:
            raise refuse(
                option,
                f"{path}.ScalableDimension",
                f"{item['ScalableDimension']} is not simulated (only {DIMENSION})",
            )
        if option == POLICIES:
            if variant not in result.by_variant:
                raise refuse(
                    POLICIES,
                    f"{path}.ResourceId",
                    f"variant {variant!r} has no scalable target: give {TARGETS}",
                )
            _policy(item, path, endpoint, variant, result.by_variant[variant], inputs.alarms)
            continue
        if variant in result.by_variant:
            raise refuse(TARGETS, path, f"a second scalable target for variant {variant!r}")
        suspended = [k for k, v in item.get("SuspendedState", {}).items() if v]
        if suspended:
            raise refuse(
                TARGETS, f"{path}.SuspendedState.{suspended[0]}", "suspended scaling is not simulated"
            )
        if "PredictedCapacity" in item:
            result.notes.append(f"{TARGETS} {path}.PredictedCapacity (a forecast, not a setting)")
        result.by_variant[variant] = {
            "min_capacity": item["MinCapacity"],
            "max_capacity": item["MaxCapacity"],
        }
    if skipped:
        result.notes.append(
            f"{skipped} scalable targets or policies of other resources than endpoint {endpoint}"
        )
    return result


def _policy(
    item: dict[str, Any],
    path: str,
    endpoint: str,
    variant: str,
    autoscaling: dict[str, Any],
    alarms: dict[str, Any] | None,
) -> None:
    kind = item["PolicyType"]
    if kind == "TargetTrackingScaling":
        if "target_tracking" in autoscaling:
            raise refuse(POLICIES, path, f"a second target tracking policy for {variant!r} is not simulated")
        autoscaling["target_tracking"] = _target_tracking(item, path, endpoint, variant)
    elif kind == "StepScaling":
        step = _step(item, path, variant)
        names = item.get("Alarms", [])
        if len(names) != 1:
            raise refuse(
                POLICIES, f"{path}.Alarms", f"one alarm drives a simulated step policy, not {len(names)}"
            )
        alarm, where = _find_alarm(alarms, names[0]["AlarmName"], f"{path}.Alarms[0]")
        step.update(read_alarm(alarm, where, endpoint, variant))
        autoscaling.setdefault("step_scaling", []).append(step)
    else:
        raise refuse(POLICIES, f"{path}.PolicyType", f"{kind} is not simulated")


def _find_alarm(alarms: dict[str, Any] | None, name: str, path: str) -> tuple[dict[str, Any], str]:
    """The MetricAlarms entry called `name` and its JSON path in --alarms."""
    if alarms is None:
        raise refuse(
            POLICIES,
            path,
            f"the step policy's alarm {name!r} is needed: give --alarms (aws cloudwatch describe-alarms)",
        )
    for index, alarm in enumerate(alarms.get("MetricAlarms", [])):
        if alarm.get("AlarmName") == name:
            return alarm, f"MetricAlarms[{index}]"
    raise refuse(POLICIES, path, f"alarm {name!r} is not in --alarms")


def _target_tracking(item: dict[str, Any], path: str, endpoint: str, variant: str) -> dict[str, Any]:
    where = f"{path}.TargetTrackingScalingPolicyConfiguration"
    if "TargetTrackingScalingPolicyConfiguration" not in item:
        raise refuse(POLICIES, path, "a TargetTrackingScaling policy without its configuration")
    config = item["TargetTrackingScalingPolicyConfiguration"]
    tracking: dict[str, Any] = {"target_value": config["TargetValue"]}
    if "PredefinedMetricSpecification" in config:
        spec = config["PredefinedMetricSpecification"]
        kind = spec["PredefinedMetricType"]
        if kind not in _PREDEFINED:
            raise refuse(
                POLICIES,
                f"{where}.PredefinedMetricSpecification.PredefinedMetricType",
                f"{kind} is not simulated (only {', '.join(_PREDEFINED)})",
            )
        if "ResourceLabel" in spec:
            raise refuse(POLICIES, f"{where}.PredefinedMetricSpecification.ResourceLabel", "not simulated")
        tracking["metric"] = _PREDEFINED[kind]
    elif "CustomizedMetricSpecification" in config:
        spec = config["CustomizedMetricSpecification"]
        for key in ("Metrics", "Unit"):  # refused for the alarm's reasons
            if key in spec:
                raise refuse(POLICIES, f"{where}.CustomizedMetricSpecification.{key}", ALARM_REFUSED[key])
        tracking["metric"] = simulated_metric(
            spec, f"{where}.CustomizedMetricSpecification", POLICIES, endpoint, variant
        )
    else:
        raise refuse(POLICIES, where, "no metric specification")
    tracking.update(
        _renamed(config, {"ScaleOutCooldown": "scale_out_cooldown", "ScaleInCooldown": "scale_in_cooldown"})
    )
    if config.get("DisableScaleIn"):
        tracking["disable_scale_in"] = True
    return tracking


def _step(item: dict[str, Any], path: str, variant: str) -> dict[str, Any]:
    if "StepScalingPolicyConfiguration" not in item:
        raise refuse(POLICIES, path, "a StepScaling policy without its configuration")
    where = f"{path}.StepScalingPolicyConfiguration"
    config = item["StepScalingPolicyConfiguration"]
    if "AdjustmentType" not in config:
        raise refuse(POLICIES, where, "no AdjustmentType")
    if config.get("MetricAggregationType", "Average") != "Average":
        raise refuse(POLICIES, f"{where}.MetricAggregationType", "only Average is simulated")
    if not config.get("StepAdjustments"):
        raise refuse(POLICIES, f"{where}.StepAdjustments", "no step adjustments")
    bounds = {"MetricIntervalLowerBound": "lower_bound", "MetricIntervalUpperBound": "upper_bound"}
    adjustments = [
        {**_renamed(block, bounds), "adjustment": block["ScalingAdjustment"]}
        for block in config["StepAdjustments"]
    ]
    name = str(item["PolicyName"]).removeprefix(f"{variant}-")
    step: dict[str, Any] = {
        "name": name,
        "adjustment_type": config["AdjustmentType"],
        "step_adjustments": adjustments,
    }
    return step | _renamed(
        config, {"MinAdjustmentMagnitude": "min_adjustment_magnitude", "Cooldown": "cooldown"}
    )


def _renamed(block: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The keys of `block` that `names` maps (AWS name -> scenario name), renamed, in the order of `names`."""
    return {ours: block[theirs] for theirs, ours in names.items() if theirs in block}


def simulated_metric(block: dict[str, Any], path: str, option: str, endpoint: str, variant: str) -> str:
    """The scenario metric `block` (MetricName, Namespace, Statistic, Dimensions) watches, or a refusal:
    the simulator computes only ALARM_METRICS, each over one variant."""
    key = (block.get("MetricName"), block.get("Namespace"), block.get("Statistic"))
    found = [metric for metric, names in ALARM_METRICS.items() if names == key]
    if not found:
        known = "; ".join(f"{n} {s} in {ns}" for n, ns, s in ALARM_METRICS.values())
        raise refuse(option, path, f"{key[0]} {key[2]} in {key[1]} is not simulated (only {known})")
    dimensions = {d.get("Name"): d.get("Value") for d in block.get("Dimensions", [])}
    if dimensions != {"EndpointName": endpoint, "VariantName": variant}:
        raise refuse(
            option,
            f"{path}.Dimensions",
            f"must be EndpointName={endpoint} and VariantName={variant} (the variant it scales)",
        )
    return found[0]


def read_alarm(alarm: dict[str, Any], path: str, endpoint: str, variant: str) -> dict[str, Any]:
    """The scenario step policy's metric, period, threshold, comparison and alarm settings."""
    screen(alarm, f"{path}.", ALARMS, ALARM_SIMULATED, ALARM_NO_BEARING, ALARM_REFUSED)
    if alarm.get("ActionsEnabled") is False:
        raise refuse(ALARMS, f"{path}.ActionsEnabled", "its actions are disabled: the policy would never run")
    metric = simulated_metric(alarm, path, ALARMS, endpoint, variant)
    for key in ("Threshold", "ComparisonOperator", "EvaluationPeriods", "Period"):
        if key not in alarm:
            raise refuse(ALARMS, path, f"no {key}")
    if alarm["ComparisonOperator"] not in COMPARISONS:
        raise refuse(ALARMS, f"{path}.ComparisonOperator", f"{alarm['ComparisonOperator']} is not simulated")
    missing = alarm.get("TreatMissingData", "missing")
    if missing not in MISSING_DATA:
        raise refuse(
            ALARMS,
            f"{path}.TreatMissingData",
            f"{missing!r}: the simulation treats missing data as not breaching",
        )
    step: dict[str, Any] = {
        "metric": metric,
        "threshold": alarm["Threshold"],
        "comparison": alarm["ComparisonOperator"],
        "alarm": {"evaluation_periods": alarm["EvaluationPeriods"]},
    }
    if "DatapointsToAlarm" in alarm:
        step["alarm"]["datapoints_to_alarm"] = alarm["DatapointsToAlarm"]
    if alarm["Period"] != service_period(metric):
        step["period"] = alarm["Period"]
    return step
