"""What one simulated deployment did: when it shifted, fired, rolled back; whom it hurt; what it cost.

A green request is hurt when its client saw a failure (5XX, including the requests killed when green's
instances were retired, or a 4XX throttle) or a latency above the rollout's `slo_latency` (overhead
included). Blue's hurt share over the same interval is the baseline: `excess_hurt` is how many more
requests green hurt than blue would have hurt in their place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from simulator.core.records import ERROR_5XX, Status
from simulator.engine.result import Result
from simulator.hosting.rollout_controller import RolloutLog
from simulator.metrics.bins import overlap
from simulator.metrics.parts import Part


def _first(events: list[dict[str, Any]], name: str) -> float | None:
    return next((event["time_s"] for event in events if event["event"] == name), None)


def _hurt(result: Result, variant: int, slo: float, t0: float, t1: float) -> tuple[int, int, int, int]:
    """(requests, hurt by errors, hurt by latency, throttled) of a variant arriving in [t0, t1)."""
    log = result.log
    assert log is not None
    arrival = log.column("arrival")
    mine = (log.column("variant") == variant) & (arrival >= t0) & (arrival < t1)
    status = log.column("status")[mine]
    latency = log.column("end")[mine] - arrival[mine] + log.column("overhead")[mine]
    errors = int(np.isin(status, ERROR_5XX).sum())
    throttled = int((status == Status.THROTTLED).sum())
    slow = int(((status == Status.OK) & (latency > slo)).sum())
    return int(mine.sum()), errors, slow, throttled


def _fleet_end(instances: pd.DataFrame, variant: str) -> float:
    return float(instances.loc[instances["variant"] == variant, "terminated_at"].max())


def double_fleet(result: Result, start: float) -> tuple[float, float]:
    """(seconds, USD) of running both fleets: green's bill from its launch until one fleet is gone."""
    spec = result.scenario.deployment()
    assert spec is not None
    instances = result.instances
    green = instances[instances["variant"] == spec.green]
    if green.empty:
        return 0.0, 0.0
    end = min(_fleet_end(instances, spec.green), _fleet_end(instances, spec.blue), result.scenario.duration)
    seconds = overlap(green["launched_at"].to_numpy(), green["terminated_at"].to_numpy(), start, end)
    cost = float((seconds * green["price_per_hour"].to_numpy()).sum() / 3600.0)
    return max(end - start, 0.0), cost


@dataclass(frozen=True)
class RolloutOutcome(Part):
    """One run's figures; `as_dict()` is its entry in rollout.json's `runs` (null where it did not happen)."""

    outcome: str
    green_in_service_s: float | None
    first_shift_s: float | None
    alarm_s: float | None
    alarm: str | None
    """The alarm (or the timeout) that stopped the deployment."""
    rollback_s: float | None
    exposure_s: float | None
    green_terminated_s: float | None
    completed_s: float | None
    blue_terminated_s: float | None
    max_green_share: float
    reached_full_traffic: bool
    green_requests: int
    hurt_requests: int
    hurt_errors_5xx: int
    hurt_throttled_4xx: int
    hurt_slow: int
    baseline_hurt_share: float
    excess_hurt: float
    double_fleet_s: float
    double_fleet_cost_usd: float
    total_cost_usd: float


def rollout_outcome(result: Result) -> RolloutOutcome:
    """The figures of one run: times in seconds from the start of the run."""
    spec = result.scenario.deployment()
    record: RolloutLog | None = result.rollout
    assert spec is not None and record is not None
    events = record.events
    names = list(result.variant_names)
    blue, green = names.index(spec.blue), names.index(spec.green)
    first_step = _first(events, "step")
    rollback = _first(events, "rollback")
    alarm = next((event for event in events if event["event"] in ("alarm", "timeout")), None)
    end_of_exposure = rollback if rollback is not None else result.scenario.duration
    requests, errors, slow, throttled = (0, 0, 0, 0)
    baseline = 0.0
    if first_step is not None:
        requests, errors, slow, throttled = _hurt(
            result, green, spec.slo_latency, first_step, end_of_exposure
        )
        blue_requests, *blue_hurt = _hurt(result, blue, spec.slo_latency, first_step, end_of_exposure)
        baseline = sum(blue_hurt) / blue_requests if blue_requests else 0.0
    green_rows = result.instances[result.instances["variant"] == spec.green]
    terminated = green_rows["retired_at"].notna() & (green_rows["terminated_at"] < result.scenario.duration)
    double_seconds, double_cost = double_fleet(result, spec.start)
    hurt = errors + slow + throttled
    return RolloutOutcome(
        outcome=record.outcome,
        green_in_service_s=_first(events, "green_in_service"),
        first_shift_s=first_step,
        alarm_s=alarm["time_s"] if alarm else None,
        alarm=alarm["detail"] if alarm else None,
        rollback_s=rollback,
        exposure_s=(rollback - first_step) if rollback is not None and first_step is not None else None,
        green_terminated_s=(
            float(green_rows["terminated_at"].max()) if len(green_rows) and terminated.all() else None
        ),
        completed_s=_first(events, "completed"),
        blue_terminated_s=_first(events, "blue_terminated"),
        max_green_share=max((step["green_share"] for step in record.steps), default=0.0),
        reached_full_traffic=any(step["green_share"] >= 1.0 for step in record.steps),
        green_requests=requests,
        hurt_requests=hurt,
        hurt_errors_5xx=errors,
        hurt_throttled_4xx=throttled,
        hurt_slow=slow,
        baseline_hurt_share=baseline,
        excess_hurt=hurt - baseline * requests,
        double_fleet_s=double_seconds,
        double_fleet_cost_usd=double_cost,
        total_cost_usd=float(result.billing["cost_usd"].sum()),
    )
