"""A step policy's CloudWatch alarm (from `aws cloudwatch describe-alarms`) as the scenario's step alarm, and
which simulated metric a CloudWatch metric (an alarm's, or a customised target-tracking metric) is."""

from __future__ import annotations

from typing import Any

from simulator.aws.sagemaker_names import ALARM_METRICS, service_period
from simulator.importing.documents import refuse, screen

OPTION = "--alarms"
SIMULATED = {
    "MetricName", "Namespace", "Statistic", "Dimensions", "Period", "EvaluationPeriods", "DatapointsToAlarm",
    "Threshold", "ComparisonOperator", "TreatMissingData", "ActionsEnabled", "AlarmActions",
}  # fmt: skip
NO_BEARING = {
    "AlarmName", "AlarmArn", "AlarmDescription", "AlarmConfigurationUpdatedTimestamp", "OKActions",
    "InsufficientDataActions", "StateValue", "StateReason", "StateReasonData", "StateUpdatedTimestamp",
    "EvaluationState", "StateTransitionedTimestamp",
}  # fmt: skip
REFUSED = {
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
    screen(alarm, f"{path}.", OPTION, SIMULATED, NO_BEARING, REFUSED)
    if alarm.get("ActionsEnabled") is False:
        raise refuse(OPTION, f"{path}.ActionsEnabled", "its actions are disabled: the policy would never run")
    metric = simulated_metric(alarm, path, OPTION, endpoint, variant)
    for key in ("Threshold", "ComparisonOperator", "EvaluationPeriods", "Period"):
        if key not in alarm:
            raise refuse(OPTION, path, f"no {key}")
    if alarm["ComparisonOperator"] not in COMPARISONS:
        raise refuse(OPTION, f"{path}.ComparisonOperator", f"{alarm['ComparisonOperator']} is not simulated")
    missing = alarm.get("TreatMissingData", "missing")
    if missing not in MISSING_DATA:
        raise refuse(
            OPTION,
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
