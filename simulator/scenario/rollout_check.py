"""Cross-checks of the `rollout:` section against the endpoint and traffic it deploys on."""

from __future__ import annotations

import math
from collections.abc import Iterator

from simulator.catalog import Catalog
from simulator.scenario.common import Problem
from simulator.scenario.kinds import RolloutScenario
from simulator.scenario.rollout_plan import traffic_steps
from simulator.scenario.rollout_spec import (
    STATISTICS,
    AlarmMetric,
    CapacitySize,
    RollbackAlarm,
    SizeType,
    percentile_of,
)


def _size_problems(path: str, size: CapacitySize, instances: int, low: float) -> Iterator[Problem]:
    """AWS: canary <= 50% of the green variant's instance count; linear steps 10-50% of it."""
    if size.type is SizeType.INSTANCE_COUNT:
        if size.value != int(size.value):
            yield f"{path}.value", "an INSTANCE_COUNT is a whole number"
            return
        share = size.value / instances * 100.0
    else:
        share = size.value
    if not low <= share <= 50:
        yield (
            f"{path}.value",
            f"must be {low:g}-50% of the green variant's {instances} instances (got {share:g}%)",
        )


def _alarm_problems(path: str, alarm: RollbackAlarm) -> Iterator[Problem]:
    statistic = alarm.resolved_statistic()
    if alarm.metric is AlarmMetric.MODEL_LATENCY:
        percentile = percentile_of(statistic)
        if statistic not in ("Average", "Maximum") and not (percentile is not None and 0 < percentile < 100):
            yield f"{path}.statistic", f"{statistic!r} is not Average, Maximum or a percentile p0.1..p99.9"
    elif statistic != STATISTICS[alarm.metric]:
        yield (
            f"{path}.statistic",
            f"{alarm.metric.value} alarms use {STATISTICS[alarm.metric]}, not {statistic!r}",
        )
    if alarm.threshold < 0:
        yield f"{path}.threshold", "must be >= 0"
    if alarm.metric is AlarmMetric.ERROR_RATE_5XX and alarm.threshold > 100:
        yield f"{path}.threshold", "an error-rate threshold is a percentage: at most 100"
    if alarm.datapoints_to_alarm is not None and alarm.datapoints_to_alarm > alarm.evaluation_periods:
        yield f"{path}.datapoints_to_alarm", "must not exceed evaluation_periods"


def rollout_problems(scenario: RolloutScenario, catalog: Catalog) -> Iterator[Problem]:
    """Names, sizes against the green fleet, timing against the run, and what the engine supports."""
    rollout, endpoint = scenario.rollout, scenario.endpoint
    variants = {variant.name: variant for variant in endpoint.variants}
    for role in ("blue", "green"):
        name = getattr(rollout, role)
        variant = variants.get(name)
        if variant is None:
            yield f"rollout.{role}", f"unknown variant {name!r} (variants: {sorted(variants)})"
            return
        if variant.serverless is not None or variant.autoscaling is not None:
            yield (
                f"rollout.{role}",
                f"variant {name!r}: rollouts of serverless or autoscaled variants are not supported",
            )
    if rollout.blue == rollout.green:
        yield "rollout.green", "must be a different variant from blue"
        return
    if variants[rollout.green].weight != 0:
        yield (
            "rollout.green",
            f"variant {rollout.green!r} must start with weight 0 (the rollout shifts traffic to it)",
        )
    if variants[rollout.blue].weight <= 0:
        yield "rollout.blue", f"variant {rollout.blue!r} has weight 0: there is no traffic to shift"
    for index, update in enumerate(endpoint.updates):
        touched = set(update.weights) | set(update.instance_counts)
        if touched & {rollout.blue, rollout.green}:
            yield f"endpoint.updates[{index}]", "must not change the rollout's blue or green variant"
    if scenario.traffic.arrivals.process == "closed_loop":
        yield "rollout", "a rollout needs open-loop traffic (poisson, diurnal, schedule or trace)"
    if scenario.metrics.per_request_records is False:
        yield "metrics.per_request_records", "a rollout needs per-request records (not false)"
    routing = rollout.traffic_routing
    instances = variants[rollout.green].instance_count
    sizes: list[Problem] = []
    for key, low in (("canary_size", 0), ("linear_step_size", 10)):
        size = getattr(routing, key)
        if size is not None:
            sizes += _size_problems(f"rollout.traffic_routing.{key}", size, instances, low)
    if sizes:  # the checks below count the steps: a step of 1e-9% would make 1e11 of them
        yield from sizes
        return
    for index, alarm in enumerate(rollout.alarms):
        yield from _alarm_problems(f"rollout.alarms[{index}]", alarm)
    if rollout.start >= scenario.duration:
        yield "rollout.start", "is not before the end of the run"
    waits = len(traffic_steps(routing, instances)) * routing.wait_interval + rollout.termination_wait
    if (
        not math.isclose(waits, rollout.maximum_execution_timeout)
        and waits > rollout.maximum_execution_timeout
    ):
        yield (
            "rollout.maximum_execution_timeout",
            f"must exceed the deployment's total waiting time ({waits:g} s of baking and termination wait)",
        )
