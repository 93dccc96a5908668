"""Application Auto Scaling of a variant's instance count: alarms on metric periods, policies, cooldowns.

Nothing here runs per request. At the end of every metric period a SimPy callback reads cheap
counters: the number of requests that arrived for the variant in the period (a slice of the request
log's arrival column, which is in arrival order), the integral of InService instances over time kept
by the variant, and - for CPUUtilization and ConcurrentRequestsPerModel - samples of busy workers and
requests in flight taken once a second. See simulator/scenario/scaling.py for the semantics.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import simpy

from simulator.core.records import RequestLog
from simulator.hosting.alarms import COMPARE, Alarm
from simulator.hosting.variant import Variant
from simulator.scenario.scaling import (
    HIGH_RESOLUTION,
    AdjustmentType,
    AutoscalingSpec,
    ScalingMetric,
    ScheduledAction,
    StepScaling,
    TargetTracking,
)

Mark = tuple[float, float, float, int]  # InService area, CPU and concurrency sample sums, sample count

SAMPLE_STEP_S = 1.0  # how often busy workers / requests in flight are sampled


class Sampler:
    """Once a second: busy workers (% x cores) and requests in flight per InService instance."""

    def __init__(self, env: simpy.Environment, variant: Variant) -> None:
        self._env = env
        self._variant = variant
        self._cpu_total = 0.0
        self._concurrency_total = 0.0
        self._samples = 0
        env.timeout(SAMPLE_STEP_S).callbacks.append(self._sample)

    def _sample(self, _event: simpy.Event) -> None:
        active = self._variant.active
        if active:
            devices = self._variant.plan.devices
            busy = sum(min(instance.busy, devices) for instance in active)
            self._cpu_total += busy * 100.0 / len(active)
            self._concurrency_total += sum(instance.outstanding for instance in active) / len(active)
            self._samples += 1
        self._env.timeout(SAMPLE_STEP_S).callbacks.append(self._sample)

    def mark(self) -> tuple[float, float, int]:
        return self._cpu_total, self._concurrency_total, self._samples


@dataclass
class ScalingRecords:
    """What every scaler of a run appends to: activities, capacity changes, alarm states, datapoints."""

    activities: list[dict[str, Any]] = field(default_factory=list)
    capacity: list[tuple[float, str, int]] = field(default_factory=list)
    alarms: list[dict[str, Any]] = field(default_factory=list)
    datapoints: list[tuple[float, str, str, float | None]] = field(default_factory=list)


class VariantScaler:
    """The scalable target of one variant: bounds, cooldown clocks, and the activity log."""

    def __init__(
        self,
        env: simpy.Environment,
        variant: Variant,
        spec: AutoscalingSpec,
        startup: Callable[[], float],
        log: RequestLog,
        records: ScalingRecords,
    ) -> None:
        self.env = env
        self.variant = variant
        self.spec = spec
        self.min_capacity = spec.min_capacity
        self.max_capacity = spec.max_capacity
        self.startup = startup
        self.log = log  # its arrivals, sorted: requests per variant in a period are a slice
        self.records = records
        self.last_scale_out = -math.inf
        self.last_scale_in = -math.inf
        self.updating_until = -math.inf  # the latest scale-out completes (its instances InService)
        self.wanting_out: set[str] = set()  # policies whose scale-out alarm was in ALARM when last evaluated
        needs_samples = any(
            policy.metric in (ScalingMetric.CPU_UTILIZATION, ScalingMetric.CONCURRENT_REQUESTS)
            for policy in self.policies()
        )
        self.sampler = Sampler(env, variant) if needs_samples else None

    def policies(self) -> list[TargetTracking | StepScaling]:
        tracking = [self.spec.target_tracking] if self.spec.target_tracking else []
        return [*tracking, *self.spec.step_scaling]

    # -- metrics --------------------------------------------------------------------------------------
    def datapoint(self, metric: ScalingMetric, t0: float, t1: float, mark: Mark) -> float | None:
        """The metric over [t0, t1); None is missing data (nothing InService to divide by)."""
        if metric is ScalingMetric.INVOCATIONS:
            return float(self.log.count_arrivals(self.variant.index, t0, t1))
        area = self.variant.active_area(t1) - mark[0]
        if metric is ScalingMetric.INVOCATIONS_PER_INSTANCE:
            if area <= 1e-9:
                return None
            instances = area / (t1 - t0)
            return self.log.count_arrivals(self.variant.index, t0, t1) / instances * (60.0 / (t1 - t0))
        assert self.sampler is not None
        cpu, concurrency, samples = self.sampler.mark()
        _, cpu0, concurrency0, samples0 = mark
        if samples == samples0:
            return None
        total = cpu - cpu0 if metric is ScalingMetric.CPU_UTILIZATION else concurrency - concurrency0
        return total / (samples - samples0)

    def snapshot(self, now: float) -> Mark:
        cpu, concurrency, samples = self.sampler.mark() if self.sampler else (0.0, 0.0, 0)
        return (self.variant.active_area(now), cpu, concurrency, samples)

    # -- actions --------------------------------------------------------------------------------------
    def updating(self, now: float) -> bool:
        """Whether a scale-out is still in progress: SageMaker takes no other capacity change while the
        endpoint is Updating, so the policies wait for it."""
        return now < self.updating_until

    def set_capacity(self, desired: int, cause: str, kind: str) -> float | None:
        """Clamp into the bounds and apply; returns when the activity completes (None: no change).

        The scale-out cooldown runs from a scale-out's completion, when its instances are InService
        ("after a scale-out activity completes"); every scale-out restarts it."""
        now = self.env.now
        desired = min(max(desired, self.min_capacity), self.max_capacity)
        before = self.variant.desired
        if desired == before:
            return None
        completes = self.variant.set_desired(desired, now, self.startup)
        if desired > before:
            self.last_scale_out = self.updating_until = completes
        else:
            self.last_scale_in = now
        self.records.activities.append(
            {
                "time_s": now,
                "variant": self.variant.name,
                "from": before,
                "to": desired,
                "kind": kind,
                "cause": cause,
            }
        )
        self.records.capacity.append((now, self.variant.name, desired))
        return completes

    def scheduled(self, action: ScheduledAction) -> None:
        if action.min_capacity is not None:
            self.min_capacity = action.min_capacity
        if action.max_capacity is not None:
            self.max_capacity = action.max_capacity
        self.set_capacity(
            self.variant.desired,
            f"scheduled action: min {self.min_capacity}, max {self.max_capacity}",
            "scheduled",
        )


class _PeriodicPolicy:
    """Takes one datapoint of its metric at the end of every period and hands it to `_evaluate`."""

    def __init__(
        self, scaler: VariantScaler, metric: ScalingMetric, period: float | None, label: str
    ) -> None:
        self.scaler = scaler
        self.metric = metric
        self.period = period or (10.0 if metric in HIGH_RESOLUTION else 60.0)  # AWS's defaults
        self.label = label
        self.last_time = 0.0
        self.mark: Mark = (0.0, 0.0, 0.0, 0)
        self.reflected = 0.0

    def start(self, env: simpy.Environment) -> None:
        env.timeout(self.period).callbacks.append(self._tick)

    def _tick(self, _event: simpy.Event) -> None:
        scaler = self.scaler
        now = scaler.env.now
        value = scaler.datapoint(self.metric, self.last_time, now, self.mark)
        # the InService instances the datapoint was measured over (time-average): what it reflects
        self.reflected = (scaler.variant.active_area(now) - self.mark[0]) / max(now - self.last_time, 1e-9)
        self.last_time, self.mark = now, scaler.snapshot(now)
        scaler.records.datapoints.append((now, scaler.variant.name, self.label, value))
        scaler.env.timeout(self.period).callbacks.append(self._tick)
        self._evaluate(value, now)

    def _evaluate(self, value: float | None, now: float) -> None:
        raise NotImplementedError


class TargetTrackingPolicy(_PeriodicPolicy):
    def __init__(self, scaler: VariantScaler, spec: TargetTracking) -> None:
        super().__init__(scaler, spec.metric, spec.period, "target tracking")
        self.spec = spec
        self.high = Alarm(spec.scale_out_alarm.evaluation_periods, spec.scale_out_alarm.needed())
        self.low = Alarm(spec.scale_in_alarm.evaluation_periods, spec.scale_in_alarm.needed())

    def _evaluate(self, value: float | None, now: float) -> None:
        scaler, spec = self.scaler, self.spec
        target = spec.target_value
        high = self.high.push(value is not None and value > target)
        low = self.low.push(value is not None and value < spec.scale_in_ratio * target)
        current = scaler.variant.desired
        name = f"target tracking {spec.metric.value}"
        if high and value is not None:
            scaler.wanting_out.add(self.label)
            scaler.records.alarms.append(_alarm_row(now, scaler, "scale-out", self.high, value))
            if scaler.updating(now):
                return
            # Proportional to the instances the datapoint reflects (those InService while it was
            # measured), and only upward of the current desired count: capacity already added counts
            # as there. Inside the cooldown that is AWS's "larger scale-out"; outside it, the same.
            base = round(self.reflected, 6)
            desired = max(math.ceil(base * value / target - 1e-9), math.ceil(base) + (base == 0))
            if desired <= current:
                return
            if now - scaler.last_scale_out >= spec.scale_out_cooldown:
                scaler.set_capacity(desired, f"{name} {value:.6g} > {target:g}", "scale-out")
            else:
                cause = f"{name} {value:.6g} > {target:g}, larger than the scale-out in its cooldown"
                scaler.set_capacity(desired, cause, "scale-out")
            return
        scaler.wanting_out.discard(self.label)
        if low and value is not None and not spec.disable_scale_in and not scaler.wanting_out:
            scaler.records.alarms.append(_alarm_row(now, scaler, "scale-in", self.low, value))
            desired = math.ceil(current * value / target - 1e-9)
            # Application Auto Scaling does not scale in when removing capacity would push the metric
            # back above the target: the proportional count must be below the current one.
            cooled = now - scaler.last_scale_in >= spec.scale_in_cooldown and not scaler.updating(now)
            if cooled and desired < current:
                scaler.set_capacity(
                    desired, f"{name} {value:.6g} < {spec.scale_in_ratio:g} x {target:g}", "scale-in"
                )


class StepScalingPolicy(_PeriodicPolicy):
    def __init__(self, scaler: VariantScaler, spec: StepScaling) -> None:
        super().__init__(scaler, spec.metric, spec.period, f"step {spec.name}")
        self.spec = spec
        self.alarm = Alarm(spec.alarm.evaluation_periods, spec.alarm.needed())
        self.last_activity = -math.inf
        self.base = 0  # desired capacity before the activity that started this policy's cooldown,
        self.initiated_at = 0  # and after it

    def _evaluate(self, value: float | None, now: float) -> None:
        scaler, spec = self.scaler, self.spec
        breaching = value is not None and COMPARE[spec.comparison](value, spec.threshold)
        alarm = self.alarm.push(breaching) and value is not None
        scales_out = any(step.adjustment > 0 for step in spec.step_adjustments)
        if alarm and scales_out and spec.adjustment_type is not AdjustmentType.EXACT:
            scaler.wanting_out.add(self.label)
        else:
            scaler.wanting_out.discard(self.label)
        if not alarm or value is None:
            return
        scaler.records.alarms.append(_alarm_row(now, scaler, spec.name, self.alarm, value))
        if scaler.updating(now):
            return
        current = scaler.variant.desired
        cause = f"step scaling {spec.name}: {spec.metric.value} {value:.6g}"
        cooling = now - self.last_activity < spec.cooldown
        if cooling and self.base < self.initiated_at:
            # After a scale-out only a larger one goes ahead in the cooldown, counting the capacity
            # added since the cooldown began as already there (AWS: "continuously, but not
            # excessively"); it restarts the cooldown's clock.
            desired = step_target(spec, self.base, value - spec.threshold)
            if desired is not None and desired > current:
                larger = f"{cause}, larger than the scale-out in its cooldown"
                completes = scaler.set_capacity(desired, larger, "step")
                if completes is not None:
                    self.last_activity, self.initiated_at = completes, scaler.variant.desired
            return
        desired = step_target(spec, current, value - spec.threshold)
        # a scale-in's cooldown blocks further scale-in; a scale-out goes ahead at once
        if desired is None or (cooling and desired <= current):
            return
        completes = scaler.set_capacity(desired, cause, "step")
        if completes is not None:
            self.last_activity, self.base, self.initiated_at = completes, current, scaler.variant.desired


def step_target(spec: StepScaling, current: int, difference: float) -> int | None:
    """New desired capacity from the step containing `difference` (metric - threshold), or None."""
    for step in spec.step_adjustments:
        low = -math.inf if step.lower_bound is None else step.lower_bound
        high = math.inf if step.upper_bound is None else step.upper_bound
        if low <= difference < high:
            break
    else:
        return None
    if spec.adjustment_type is AdjustmentType.EXACT:
        return step.adjustment
    if spec.adjustment_type is AdjustmentType.CHANGE:
        change = step.adjustment
    else:
        raw = current * step.adjustment / 100.0
        change = int(math.copysign(max(1, math.floor(abs(raw))), raw)) if raw else 0
    if spec.min_adjustment_magnitude and 0 < abs(change) < spec.min_adjustment_magnitude:
        change = int(math.copysign(spec.min_adjustment_magnitude, change))
    return current + change


def _alarm_row(now: float, scaler: VariantScaler, alarm: str, state: Alarm, value: float) -> dict[str, Any]:
    return {
        "time_s": now,
        "variant": scaler.variant.name,
        "alarm": alarm,
        "value": value,
        "history": "".join("1" if flag else "0" for flag in state.history),
    }


def start_autoscaling(
    env: simpy.Environment,
    variants: list[Variant],
    startups: list[Callable[[], float]],
    log: RequestLog,
) -> ScalingRecords:
    """Register every autoscaled variant's policies and scheduled actions on the clock."""
    records = ScalingRecords()
    for variant in variants:
        spec = variant.spec.autoscaling
        if spec is None:
            continue
        records.capacity.append((0.0, variant.name, variant.desired))
        scaler = VariantScaler(env, variant, spec, startups[variant.index], log, records)
        if spec.target_tracking is not None:
            TargetTrackingPolicy(scaler, spec.target_tracking).start(env)
        for step in spec.step_scaling:
            StepScalingPolicy(scaler, step).start(env)
        for action in spec.scheduled_actions:
            event = env.timeout(action.at)
            event.callbacks.append(lambda _event, action=action, scaler=scaler: scaler.scheduled(action))
    return records
