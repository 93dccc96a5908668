"""Which simulated metric a CloudWatch metric (name, namespace, statistic, dimensions) is."""

from __future__ import annotations

from typing import Any

from simulator.aws.sagemaker_names import ALARM_METRICS
from simulator.importing.documents import refuse


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
