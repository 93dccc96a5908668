"""How SageMaker variants are named to Application Auto Scaling and CloudWatch, in one place.

Export writes these names and import reads them back, so both sides take them from here. Keys are the
scenario's metric names (simulator.scenario.scaling.ScalingMetric values), kept as plain strings so
this module stays below the scenario layer.
"""

from __future__ import annotations

import re

NAMESPACE = "sagemaker"  # Application Auto Scaling's ServiceNamespace for endpoint variants
DIMENSION = "sagemaker:variant:DesiredInstanceCount"
HIGH_RESOLUTION = "ConcurrentRequestsPerModel"  # the one metric AWS publishes every 10 s

PREDEFINED = {  # scenario metric -> target tracking's PredefinedMetricType
    "SageMakerVariantInvocationsPerInstance": "SageMakerVariantInvocationsPerInstance",
    "ConcurrentRequestsPerModel": "SageMakerVariantConcurrentRequestsPerModelHighResolution",
}

ALARM_METRICS = {  # scenario metric -> (CloudWatch MetricName, Namespace, Statistic) the simulator computes
    "SageMakerVariantInvocationsPerInstance": ("InvocationsPerInstance", "AWS/SageMaker", "Sum"),
    "CPUUtilization": ("CPUUtilization", "/aws/sagemaker/Endpoints", "Average"),
    "ConcurrentRequestsPerModel": ("ConcurrentRequestsPerModel", "AWS/SageMaker", "Average"),
    "Invocations": ("Invocations", "AWS/SageMaker", "Sum"),
}

_RESOURCE = re.compile(r"endpoint/(?P<endpoint>[^/]+)/variant/(?P<variant>[^/]+)")


def service_period(metric: str) -> int:
    """The period AWS evaluates `metric` at, in seconds."""
    return 10 if metric == HIGH_RESOLUTION else 60


def resource_id(endpoint: str, variant: str) -> str:
    return f"endpoint/{endpoint}/variant/{variant}"


def parse_resource_id(namespace: object, text: object) -> tuple[str, str] | None:
    """(endpoint, variant) of an Application Auto Scaling ServiceNamespace and ResourceId; None when they
    are not a SageMaker variant's."""
    match = _RESOURCE.fullmatch(str(text))
    return (match["endpoint"], match["variant"]) if match and namespace == NAMESPACE else None
