"""The `rollout:` scenario section: a SageMaker blue/green deployment with guardrails.

Field names follow the DeploymentConfig API (BlueGreenUpdatePolicy, TrafficRoutingConfig, CapacitySize,
AutoRollbackConfiguration) in snake_case; the alarms are CloudWatch alarms on the green variant's
metrics, given inline because sagesim has no CloudWatch to look them up in.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema, model_validator

from simulator.scenario.common import StrictModel, cased
from simulator.scenario.scaling import Comparison
from simulator.scenario.units import Duration, parse_duration


class RoutingType(StrEnum):
    ALL_AT_ONCE = "ALL_AT_ONCE"
    CANARY = "CANARY"
    LINEAR = "LINEAR"


class SizeType(StrEnum):
    INSTANCE_COUNT = "INSTANCE_COUNT"
    CAPACITY_PERCENT = "CAPACITY_PERCENT"


class CapacitySize(StrictModel):
    """A batch of the green fleet: a number of instances or a percentage of its instance count."""

    type: Annotated[SizeType, cased(str.upper)]
    value: float = Field(strict=True, gt=0, allow_inf_nan=False)

    def fraction_of(self, instances: int) -> float:
        """The share of the shifted traffic this batch carries (traffic follows capacity)."""
        return self.value / (100.0 if self.type is SizeType.CAPACITY_PERCENT else instances)


class TrafficRouting(StrictModel):
    """TrafficRoutingConfig: how traffic moves from blue to green, with a baking period after each step."""

    type: Annotated[RoutingType, cased(str.upper)] = RoutingType.ALL_AT_ONCE
    wait_interval: Duration = Field(
        default=300.0, ge=0, le=3600, description="WaitIntervalInSeconds: baking period after each step"
    )
    canary_size: CapacitySize | None = None
    linear_step_size: CapacitySize | None = None

    @model_validator(mode="after")
    def _sizes_match_type(self) -> TrafficRouting:
        sizes = {RoutingType.CANARY: "canary_size", RoutingType.LINEAR: "linear_step_size"}
        if self.type in sizes and getattr(self, sizes[self.type]) is None:
            raise ValueError(f"{self.type.value} needs {sizes[self.type]}")
        for kind, key in sizes.items():
            if kind is not self.type and getattr(self, key) is not None:
                raise ValueError(f"{key} is only for {kind.value}, not {self.type.value}")
        return self


class AlarmMetric(StrEnum):
    MODEL_LATENCY = "ModelLatency"
    ERRORS_5XX = "Invocation5XXErrors"
    ERROR_RATE_5XX = "Invocation5XXErrorRate"


_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d{1,3})?)$")
STATISTICS = {
    AlarmMetric.MODEL_LATENCY: "Average, Maximum or a percentile p0.1..p99.9",
    AlarmMetric.ERRORS_5XX: "Sum",
    AlarmMetric.ERROR_RATE_5XX: "Average",
}


def percentile_of(statistic: str) -> float | None:
    """50.0 for 'p50', None for a statistic that is not a percentile."""
    match = _PERCENTILE.match(statistic)
    return float(match.group(1)) if match else None


class RollbackAlarm(StrictModel):
    """A CloudWatch metric alarm on the green variant: ALARM when `datapoints_to_alarm` of the last
    `evaluation_periods` datapoints breach `threshold`.

    ModelLatency thresholds are durations (end of request minus arrival, as the model server sees it);
    Invocation5XXErrors counts per period; Invocation5XXErrorRate is a percentage of the period's
    invocations (CloudWatch metric math 100 * Invocation5XXErrors / Invocations). A datapoint covers the
    requests that finished in the period; a period with no finished requests is missing and never breaches.
    """

    name: str = Field(min_length=1, max_length=255)
    metric: AlarmMetric
    statistic: str | None = Field(
        default=None, description="default: p99 for ModelLatency, else the only one"
    )
    threshold: Annotated[
        float,
        WithJsonSchema(
            {
                "anyOf": [{"type": "number"}, {"type": "string", "examples": ["250ms"]}],
                "description": "a duration for ModelLatency alarms, else a number",
            }
        ),
    ] = Field(allow_inf_nan=False)
    comparison: Annotated[Comparison, Field(description="CloudWatch ComparisonOperator")] = Comparison.GT
    period: Duration = Field(default=60.0, ge=10, le=3600)
    evaluation_periods: int = Field(strict=True, default=3, ge=1, le=100)
    datapoints_to_alarm: int | None = Field(strict=True, default=None, ge=1, le=100)

    @model_validator(mode="before")
    @classmethod
    def _latency_threshold_is_a_duration(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("metric") == AlarmMetric.MODEL_LATENCY and "threshold" in data:
            return {**data, "threshold": parse_duration(data["threshold"])}
        return data

    def resolved_statistic(self) -> str:
        if self.statistic is not None:
            return self.statistic
        return "p99" if self.metric is AlarmMetric.MODEL_LATENCY else STATISTICS[self.metric]

    @property
    def needed(self) -> int:
        return self.datapoints_to_alarm or self.evaluation_periods


class RolloutSpec(StrictModel):
    """UpdateEndpoint with a blue/green DeploymentConfig at time `start`.

    `blue` is the variant serving now; `green` is a variant of the endpoint holding the candidate model,
    declared with weight 0: its `instance_count` instances are launched at `start` (taking the variant's
    `startup_time`, default the catalog-family start-up) and traffic moves to it only once all are
    InService. Traffic shifts in steps (ALL_AT_ONCE, CANARY, LINEAR) with `wait_interval` of baking after
    each; any alarm in ALARM during baking rolls all traffic back to blue at once and terminates green.
    After the last bake the deployment is complete and blue is terminated `termination_wait` later.
    `maximum_execution_timeout` (from `start`) rolls back a deployment that has not completed by then.
    `slo_latency` is the latency (overhead included) above which a green request counts as hurt.
    """

    blue: str
    green: str
    start: Duration = Field(default=0.0, ge=0)
    traffic_routing: TrafficRouting = Field(default_factory=TrafficRouting)
    termination_wait: Duration = Field(default=0.0, ge=0, le=3600)
    maximum_execution_timeout: Duration = Field(default=28800.0, ge=600, le=28800)
    alarms: list[RollbackAlarm] = Field(default_factory=list, max_length=10)
    slo_latency: Duration = Field(default=1.0, gt=0)
