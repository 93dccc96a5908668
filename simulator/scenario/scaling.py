"""Elastic capacity: Application Auto Scaling policies of a variant, and serverless variants.

Semantics (documented defaults, all overridable; see README "Elastic capacity"):
- Target tracking keeps a metric near `target_value`. CloudWatch-style alarms are evaluated at the end of
  every metric period: the scale-out alarm fires when `datapoints_to_alarm` of the last
  `evaluation_periods` datapoints are above the target (default 3 of 3 one-minute datapoints), the
  scale-in alarm when they are below `scale_in_ratio` x target (default 15 of 15 below 90%). While an
  alarm is in ALARM the policy is applied at every evaluation. No policy changes the capacity while a
  scale-out is in progress (its instances not yet InService); cooldowns run from an activity's
  completion. Scale-out is proportional to the instances the datapoint was measured over:
  desired = ceil(time-average InService x metric / target), applied only above the current desired
  count (capacity still starting counts as there: AWS's "larger scale-out" inside the cooldown).
  Scale-in is desired = ceil(current x metric / target) and happens only when it gives fewer
  instances (AWS does not scale in when removing capacity would push the metric above the target).
  Missing datapoints (no instance InService) never breach.
- Step scaling: an alarm on `metric` vs `threshold`; the step whose [lower_bound, upper_bound) contains
  (metric - threshold) gives the adjustment (ChangeInCapacity, ExactCapacity or PercentChangeInCapacity,
  the latter rounded toward zero but at least 1, as AWS does, and at least `min_adjustment_magnitude`).
  The `Invocations` metric (sum over the variant, failed requests included) lets a step policy scale
  out from zero instances. Each policy's `cooldown` blocks its scale-ins after a scale-in, and after a
  scale-out (from its completion) lets through only a larger scale-out, the step taken from the
  capacity before that one.
- Desired capacity always stays inside [min_capacity, max_capacity]; scheduled actions change those
  bounds at given times and clamp the current capacity into them.
"""

from __future__ import annotations

import itertools
import math
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from simulator.scenario.common import StrictModel
from simulator.scenario.distributions import Distribution
from simulator.scenario.units import Duration, Size


class ScalingMetric(StrEnum):
    INVOCATIONS_PER_INSTANCE = "SageMakerVariantInvocationsPerInstance"
    CPU_UTILIZATION = "CPUUtilization"
    CONCURRENT_REQUESTS = "ConcurrentRequestsPerModel"
    INVOCATIONS = "Invocations"


HIGH_RESOLUTION = {ScalingMetric.CONCURRENT_REQUESTS}


class Comparison(StrEnum):
    GE = "GreaterThanOrEqualToThreshold"
    GT = "GreaterThanThreshold"
    LT = "LessThanThreshold"
    LE = "LessThanOrEqualToThreshold"


def _metric_number(value: object) -> object:
    """Targets and thresholds are plain numbers in the metric's own unit; '3000/min' says so."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            raise ValueError(
                f"a plain number in the metric's unit, not {value!r} (InvocationsPerInstance counts"
                " invocations per instance per minute, Invocations per period, CPUUtilization percent x"
                " cores, ConcurrentRequestsPerModel requests in flight)"
            ) from None
    return value


MetricNumber = Annotated[float, BeforeValidator(_metric_number)]
"""A target or threshold: a number, in the unit of the metric it is compared with."""


class AdjustmentType(StrEnum):
    CHANGE = "ChangeInCapacity"
    EXACT = "ExactCapacity"
    PERCENT = "PercentChangeInCapacity"


class AlarmSpec(StrictModel):
    """`datapoints_to_alarm` breaching datapoints among the last `evaluation_periods` put it in ALARM."""

    evaluation_periods: int = Field(strict=True, default=1, ge=1, le=1440)
    datapoints_to_alarm: int | None = Field(strict=True, default=None, ge=1, le=1440)

    def needed(self) -> int:
        return self.datapoints_to_alarm if self.datapoints_to_alarm is not None else self.evaluation_periods


class TargetTracking(StrictModel):
    metric: ScalingMetric = ScalingMetric.INVOCATIONS_PER_INSTANCE
    target_value: MetricNumber = Field(strict=False, gt=0, allow_inf_nan=False)
    period: Duration | None = Field(
        default=None, ge=1, description="metric period (default 60 s; 10 s for ConcurrentRequestsPerModel)"
    )
    scale_out_cooldown: Duration = Field(default=300.0, ge=0)
    scale_in_cooldown: Duration = Field(default=300.0, ge=0)
    disable_scale_in: bool = False
    scale_out_alarm: AlarmSpec = Field(default_factory=lambda: AlarmSpec(evaluation_periods=3))
    scale_in_alarm: AlarmSpec = Field(default_factory=lambda: AlarmSpec(evaluation_periods=15))
    scale_in_ratio: float = Field(default=0.9, gt=0, le=1, description="scale-in alarm at ratio x target")


class StepAdjustment(StrictModel):
    """Applies when lower_bound <= metric - threshold < upper_bound (missing bound: unbounded)."""

    lower_bound: float | None = Field(default=None, allow_inf_nan=False)
    upper_bound: float | None = Field(default=None, allow_inf_nan=False)
    adjustment: int = Field(strict=True, ge=-1000, le=1000)


class StepScaling(StrictModel):
    name: str = "step"
    metric: ScalingMetric = ScalingMetric.INVOCATIONS_PER_INSTANCE
    period: Duration | None = Field(default=None, ge=1)
    threshold: MetricNumber = Field(allow_inf_nan=False)
    comparison: Comparison = Comparison.GE
    alarm: AlarmSpec = Field(default_factory=AlarmSpec)
    adjustment_type: AdjustmentType = AdjustmentType.CHANGE
    step_adjustments: list[StepAdjustment] = Field(min_length=1, max_length=20)
    min_adjustment_magnitude: int | None = Field(strict=True, default=None, ge=1)
    cooldown: Duration = Field(default=300.0, ge=0)

    @field_validator("step_adjustments")
    @classmethod
    def _contiguous(cls, adjustments: list[StepAdjustment]) -> list[StepAdjustment]:
        """AWS's rule for a policy's steps: the intervals neither overlap nor leave a gap (only the
        ends may be unbounded). With overlaps the first listed step would silently win here, while
        PutScalingPolicy refuses the policy."""
        ordered = sorted(adjustments, key=lambda a: -math.inf if a.lower_bound is None else a.lower_bound)
        for before, after in itertools.pairwise(ordered):
            if before.upper_bound is None or before.upper_bound != after.lower_bound:
                raise ValueError(
                    "the intervals must neither overlap nor leave a gap, as AWS requires: each"
                    " upper_bound is the next step's lower_bound"
                )
        return adjustments


class ScheduledAction(StrictModel):
    at: Duration = Field(ge=0)
    min_capacity: int | None = Field(strict=True, default=None, ge=0, le=1000)
    max_capacity: int | None = Field(strict=True, default=None, ge=0, le=1000)


class AutoscalingSpec(StrictModel):
    """Application Auto Scaling of the variant's desired instance count."""

    min_capacity: int = Field(strict=True, default=1, ge=0, le=1000)
    max_capacity: int = Field(strict=True, ge=0, le=1000)
    target_tracking: TargetTracking | None = None
    step_scaling: list[StepScaling] = Field(default_factory=list, max_length=10)
    scheduled_actions: list[ScheduledAction] = Field(default_factory=list)
    startup_time: Distribution | None = Field(
        default=None,
        description="launch request -> InService (provisioning + container + model load + /ping); default"
        " per instance type: log-normal, median 4 min (CPU) or 6 min (GPU), p99 twice the median",
    )


def _memory_tier(value: int) -> int:
    if value % 1024:
        raise ValueError(f"must be a multiple of 1024 (1024, 2048, ... 6144), got {value}")
    return value


MemoryMB = Annotated[int, Field(strict=True, ge=1024, le=6144), AfterValidator(_memory_tier)]
"""Serverless memory: 1024-6144 MB in steps of 1024."""


class ServerlessSpec(StrictModel):
    """ServerlessConfig: memory 1024-6144 MB in 1024 steps, MaxConcurrency 1-200, ProvisionedConcurrency.

    Each environment serves one request at a time with min(1, memory_mb / mb_per_vcpu) of a reference
    vCPU. A request finding no free warm environment starts one (cold start: `model_setup_time`);
    environments idle for `keep_warm` are retired (provisioned ones never). Requests beyond
    max_concurrency in flight (or the account limit) are throttled. Billing: compute duration rounded up
    to `billing_granularity` x memory GB; data processed in (payload) and out (`response_size`);
    provisioned concurrency GB-seconds for the whole run.
    """

    memory_mb: MemoryMB
    max_concurrency: int = Field(strict=True, ge=1, le=200)
    provisioned_concurrency: int = Field(strict=True, default=0, ge=0, le=200)
    model_setup_time: Distribution | None = Field(
        default=None, description="cold start (ModelSetupTime); default log-normal, median 8 s, p99 20 s"
    )
    keep_warm: Duration = Field(default=600.0, ge=0, description="idle time before an environment retires")
    response_size: Size = Field(default=1024.0, ge=0)
    billing_granularity: Duration = Field(default=0.001, gt=0, le=60)
