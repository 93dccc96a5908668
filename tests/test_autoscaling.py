"""Autoscaling: exact activity logs for hand-computed step loads, and invariants (hypothesis)."""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.catalog import load_catalog
from simulator.engine import simulate
from simulator.scenario import load_scenario_dict

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def even_trace(path: Path, segments: list[tuple[float, float, float]]) -> Path:
    """Evenly spaced arrivals: `rate` per second over [start, end), at (k + 0.5) / rate from start."""
    times: list[float] = []
    for start, end, rate in segments:
        count = round((end - start) * rate)
        times.extend(start + (k + 0.5) / rate for k in range(count))
    path.write_text("t\n" + "\n".join(f"{t:.6f}" for t in times) + "\n")
    return path


TARGET_TRACKING_600: dict[str, Any] = {
    "min_capacity": 1,
    "max_capacity": 6,
    "target_tracking": {
        "metric": "SageMakerVariantInvocationsPerInstance",
        "target_value": 600,
        "scale_out_cooldown": "120s",
        "scale_in_cooldown": "300s",
    },
    "startup_time": {"distribution": "deterministic", "value": "1m"},
}
"""Target tracking at 600 invocations per instance a minute, 1-6 instances, 1-minute start-up."""


def document(trace: Path, duration: float, autoscaling: dict[str, Any], count: int = 1) -> dict[str, Any]:
    return {
        "name": "step-load",
        "duration": duration,
        "models": {"m": {"service_time": {"distribution": "deterministic", "value": "10ms"}}},
        "endpoint": {
            "name": "ep",
            "overhead": {"distribution": "deterministic", "value": 0},
            "variants": [
                {
                    "name": "v",
                    "model": "m",
                    "instance_type": "ml.c5.xlarge",
                    "instance_count": count,
                    "autoscaling": autoscaling,
                }
            ],
        },
        "traffic": {"arrivals": {"process": "trace", "file": str(trace)}, "payload_size": 0},
    }


def activity_log(result: Any) -> list[tuple[float, int, int]]:
    return [(row.time_s, int(row._3), int(row.to)) for row in result.scaling.itertuples()]


def test_target_tracking_step_load_matches_hand_computed_log(tmp_path: Path) -> None:
    """Load 300/min, then 1680/min, then 4200/min, then 120/min; target 600 invocations per instance.

    - Datapoints ending 660, 720, 780 s are 1680 > 600 (3 of 3): at 780 s desired = ceil(1 x 1680/600) = 3.
      The 3 new... 2 new instances are InService at 840 s (60 s start-up).
    - At 840 s the datapoint (780-840 s, one instance InService) is still 1680 and the alarm is in ALARM,
      but 60 s < the 120 s scale-out cooldown: no activity (without it: ceil(3 x 2.8) = 9 -> 6).
    - From 900 s, 1680 / 3 = 560: neither above 600 nor below 0.9 x 600 = 540; stable.
    - At 1200 s the load steps to 4200/min: 1400 per instance at 1260, 1320, 1380 s -> at 1380 s
      desired = ceil(3 x 1400 / 600) = 7, clamped to max_capacity 6.
    - From 1500 s: 700 per instance > 600, alarm in ALARM, but ceil(6 x 700/600) = 7 -> 6: no change.
    - From 1800 s, 120 / 6 = 20 < 540: the 15th breaching datapoint is at 1860 + 14 x 60 = 2700 s ->
      desired = min(ceil(6 x 20 / 600), 6 - 1) = 1. At min_capacity afterwards: nothing more.
    """
    trace = even_trace(tmp_path / "t.csv", [(0, 600, 5), (600, 1200, 28), (1200, 1800, 70), (1800, 3600, 2)])
    result = simulate(load_scenario_dict(document(trace, 3600, TARGET_TRACKING_600)))
    assert activity_log(result) == [(780.0, 1, 3), (1380.0, 3, 6), (2700.0, 6, 1)]
    assert result.scaling["kind"].tolist() == ["scale-out", "scale-out", "scale-in"]
    # the new instances are billed from the launch request and join at +60 s
    timeline = result.instances
    assert timeline["launched_at"].tolist() == [0, 780, 780, 1380, 1380, 1380]
    assert timeline["in_service_at"].tolist() == [0, 840, 840, 1440, 1440, 1440]
    # scale-in retires the newest first; 10 ms requests drain at once
    assert sorted(timeline["terminated_at"].tolist()) == [2700] * 5 + [3600]
    points = result.datapoints.set_index("time_s")["value"]
    assert points.loc[780.0] == pytest.approx(1680) and points.loc[900.0] == pytest.approx(560)
    assert points.loc[1500.0] == pytest.approx(700) and points.loc[2700.0] == pytest.approx(20)
    assert result.summary.requests.failed == 0
    desired = result.metrics.set_index("time_s")["DesiredInstances"]
    # the period starting at 780 s is the first with 3 desired: the change at its start belongs to it
    assert (desired.loc[720.0], desired.loc[780.0]) == (1, 3)
    assert (desired.loc[2640.0], desired.loc[2700.0]) == (6, 1)


def test_target_tracking_scales_out_further_inside_its_cooldown_when_a_larger_scale_out_is_due(
    tmp_path: Path,
) -> None:
    """AWS: the scale-out cooldown runs from the activity's completion; while it runs only a larger
    scale-out goes ahead (restarting the clock). Scale-out is proportional to the instances the
    datapoint was measured over, so a datapoint taken while the new instances started asks for more.

    Target 600 per instance, 180-s cooldown, 1-minute start-up. 1680/min from 600 s: at 780 s
    desired = ceil(1 x 1680/600) = 3, complete (InService) at 840 s. From 780 s, 4200/min: the
    780-840 s datapoint still has one instance InService, 4200 -> ceil(1 x 4200/600) = 7 > 3: at 840 s,
    3 -> 7 (inside the cooldown). At 900 s, 1400 with 3 InService -> ceil(1 x 1400/600) = 3, not
    larger: nothing. From 960 s, 4200/7 = 600 is on target: nothing. Waiting out the cooldown instead
    would have reached 7 only at 1020 s.
    """
    trace = even_trace(tmp_path / "t.csv", [(0, 600, 5), (600, 780, 28), (780, 1200, 70)])
    autoscaling = {**TARGET_TRACKING_600, "max_capacity": 10}
    autoscaling["target_tracking"] = {**TARGET_TRACKING_600["target_tracking"], "scale_out_cooldown": "180s"}
    result = simulate(load_scenario_dict(document(trace, 1200, autoscaling)))
    assert activity_log(result) == [(780.0, 1, 3), (840.0, 3, 7)]
    assert "larger than the scale-out in its cooldown" in result.scaling["cause"].iloc[1]
    points = result.datapoints.set_index("time_s")["value"]
    assert points.loc[840.0] == pytest.approx(4200) and points.loc[960.0] == pytest.approx(600)


def test_step_scaling_scales_out_further_inside_its_cooldown_only_for_a_larger_step(tmp_path: Path) -> None:
    """Steps over 600 per instance: +1 below 1200, +3 from there; 1 of 1 datapoints; 300-s cooldown
    from each scale-out's completion (1-minute start-up).

    1000/min from 600 s: at 660 s, 1 -> 2, complete at 720 s (cooldown to 1020 s, base 1). At 720 s
    still 1000 with one InService: base 1 + 1 = 2, not larger: nothing. From 720 s, 3000/min: at 780 s,
    2 InService -> 1500, base 1 + 3 = 4 > 2: 2 -> 4, complete at 840 s (cooldown to 1140 s). At 840 s
    (1500 again) and from 900 s (4 InService, 750 -> +1), nothing larger than 4. At 1140 s the
    cooldown is over: 750 -> 4 + 1 = 5.
    """
    trace = even_trace(tmp_path / "t.csv", [(0, 600, 5), (600, 720, 1000 / 60), (720, 1200, 50)])
    autoscaling = {
        "min_capacity": 1,
        "max_capacity": 10,
        "step_scaling": [
            {
                "name": "out",
                "threshold": 600,
                "step_adjustments": [
                    {"lower_bound": 0, "upper_bound": 600, "adjustment": 1},
                    {"lower_bound": 600, "adjustment": 3},
                ],
                "cooldown": "300s",
            }
        ],
        "startup_time": {"distribution": "deterministic", "value": "1m"},
    }
    result = simulate(load_scenario_dict(document(trace, 1200, autoscaling)))
    assert activity_log(result) == [(660.0, 1, 2), (780.0, 2, 4), (1140.0, 4, 5)]
    causes = result.scaling["cause"].tolist()
    assert ["larger than" in cause for cause in causes] == [False, True, False]


def test_step_scaling_scales_in_to_zero_and_out_from_zero(tmp_path: Path) -> None:
    """Invocations (a sum, defined at zero instances) drives ExactCapacity steps.

    Traffic 1/s in [0, 300) and [900, 1200) s. Scale-in policy: Invocations <= 0 for 5 of 5 minutes ->
    ExactCapacity 0: datapoints 300-360 ... 540-600 -> at 600 s, 1 -> 0. Scale-out policy:
    Invocations >= 1 for 1 of 1 minute -> ExactCapacity 1: the 900-960 s datapoint counts 60 requests
    (all failed: no capacity) -> at 960 s, 0 -> 1, InService at 1020 s. Quiet again from 1200 s -> at
    1500 s, 1 -> 0.
    """
    trace = even_trace(tmp_path / "t.csv", [(0, 300, 1), (900, 1200, 1)])
    autoscaling = {
        "min_capacity": 0,
        "max_capacity": 4,
        "step_scaling": [
            {
                "name": "out",
                "metric": "Invocations",
                "threshold": 1,
                "comparison": "GreaterThanOrEqualToThreshold",
                "adjustment_type": "ExactCapacity",
                "step_adjustments": [{"lower_bound": 0, "adjustment": 1}],
                "cooldown": "60s",
            },
            {
                "name": "in",
                "metric": "Invocations",
                "threshold": 0,
                "comparison": "LessThanOrEqualToThreshold",
                "alarm": {"evaluation_periods": 5},
                "adjustment_type": "ExactCapacity",
                "step_adjustments": [{"upper_bound": 1, "adjustment": 0}],
                "cooldown": "300s",
            },
        ],
        "startup_time": {"distribution": "deterministic", "value": "1m"},
    }
    result = simulate(load_scenario_dict(document(trace, 1800, autoscaling)))
    assert activity_log(result) == [(600.0, 1, 0), (960.0, 0, 1), (1500.0, 1, 0)]
    # requests in [900, 1020) found no instance InService: 120 failures (5XX, no capacity)
    assert result.summary.requests.failed == 120
    assert result.summary.requests.completed == 600 - 120


@pytest.mark.parametrize(
    ("adjustment_type", "adjustment", "current", "expected"),
    [
        ("ChangeInCapacity", 2, 3, 5),
        ("ChangeInCapacity", -1, 3, 2),
        ("ExactCapacity", 7, 3, 7),
        ("PercentChangeInCapacity", 50, 3, 4),  # 1.5 -> 1
        ("PercentChangeInCapacity", 10, 3, 4),  # 0.3 -> at least 1
        ("PercentChangeInCapacity", 10, 3, 5),  # with min_adjustment_magnitude 2
        ("PercentChangeInCapacity", -50, 5, 3),  # -2.5 -> -2
    ],
)
def test_step_adjustment_arithmetic(
    adjustment_type: str, adjustment: int, current: int, expected: int
) -> None:
    from simulator.hosting.autoscaler import step_target
    from simulator.scenario.scaling import StepScaling

    magnitude = 2 if (adjustment_type, adjustment, expected) == ("PercentChangeInCapacity", 10, 5) else None
    spec = StepScaling(
        threshold=0,
        adjustment_type=adjustment_type,
        step_adjustments=[{"lower_bound": 0, "adjustment": adjustment}],
        min_adjustment_magnitude=magnitude,
    )
    assert step_target(spec, current, 1.0) == expected
    assert step_target(spec, current, -1.0) is None  # no step contains the difference


def test_scheduled_actions_change_bounds_and_clamp(tmp_path: Path) -> None:
    trace = even_trace(tmp_path / "t.csv", [(0, 1800, 1)])
    autoscaling = {
        "min_capacity": 1,
        "max_capacity": 4,
        "target_tracking": {"target_value": 600, "disable_scale_in": True},
        "scheduled_actions": [
            {"at": "10m", "min_capacity": 3},
            {"at": "20m", "min_capacity": 1, "max_capacity": 2},
        ],
        "startup_time": {"distribution": "deterministic", "value": "1m"},
    }
    result = simulate(load_scenario_dict(document(trace, 1800, autoscaling)))
    assert activity_log(result) == [(600.0, 1, 3), (1200.0, 3, 2)]
    assert result.scaling["kind"].tolist() == ["scheduled", "scheduled"]


# --- invariants --------------------------------------------------------------------------------------


@st.composite
def autoscaled(draw: st.DrawFn) -> dict[str, Any]:
    """One autoscaled variant under a random staircase of Poisson load, any policy settings."""
    minimum = draw(st.integers(1, 3))  # 0 needs a step policy that scales out from zero: the tests drop it
    maximum = draw(st.integers(max(minimum, 1), 8))
    count = draw(st.integers(max(minimum, 1), maximum))
    steps = [{"at": 0, "rate": draw(st.floats(0.5, 80))}]
    for _ in range(draw(st.integers(0, 4))):
        steps.append({"at": steps[-1]["at"] + draw(st.integers(120, 900)), "rate": draw(st.floats(0, 120))})
    duration = steps[-1]["at"] + draw(st.integers(300, 1500))
    metric = draw(
        st.sampled_from(
            ["SageMakerVariantInvocationsPerInstance", "CPUUtilization", "ConcurrentRequestsPerModel"]
        )
    )
    target = {"SageMakerVariantInvocationsPerInstance": (200, 2000), "CPUUtilization": (20, 190)}.get(
        metric, (1, 8)
    )
    out_n, in_n = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    policy: dict[str, Any] = {
        "metric": metric,
        "target_value": draw(st.floats(*target)),
        "scale_out_cooldown": draw(st.integers(0, 400)),
        "scale_in_cooldown": draw(st.integers(0, 600)),
        "scale_out_alarm": {"evaluation_periods": out_n},
        "scale_in_alarm": {"evaluation_periods": in_n},
    }
    autoscaling: dict[str, Any] = {
        "min_capacity": minimum,
        "max_capacity": maximum,
        "target_tracking": policy,
        "startup_time": {"distribution": "gamma", "mean": draw(st.floats(10, 200)), "cv": 0.5},
    }
    if draw(st.booleans()):
        autoscaling["step_scaling"] = [
            {
                "name": "burst",
                "metric": "Invocations",
                "threshold": draw(st.floats(100, 3000)),
                "adjustment_type": draw(st.sampled_from(["ChangeInCapacity", "PercentChangeInCapacity"])),
                "step_adjustments": [{"lower_bound": 0, "adjustment": draw(st.integers(1, 100))}],
                "cooldown": draw(st.integers(0, 300)),
            }
        ]
    return {
        "name": "generated",
        "seed": draw(st.integers(0, 2**32)),
        "duration": duration,
        "warmup": draw(st.floats(0, duration / 2)),
        "models": {
            "m": {"service_time": {"distribution": "exponential", "mean": draw(st.floats(0.005, 0.2))}}
        },
        "endpoint": {
            "name": "ep",
            "variants": [
                {
                    "name": "v",
                    "model": "m",
                    "instance_type": draw(st.sampled_from(["ml.c5.large", "ml.c5.xlarge", "ml.m5.large"])),
                    "instance_count": count,
                    "autoscaling": autoscaling,
                }
            ],
        },
        "traffic": {"arrivals": {"process": "schedule", "steps": steps}},
    }


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
@SETTINGS
@given(autoscaled())
def test_capacity_stays_within_min_and_max(document: dict[str, Any]) -> None:
    result = simulate(load_scenario_dict(document))
    spec = document["endpoint"]["variants"][0]["autoscaling"]
    desired = result.capacity["desired"]
    assert desired.between(spec["min_capacity"], spec["max_capacity"]).all()
    # at every instant, instances launched and not yet retired (Pending or InService) lie in [min, max]
    timeline = result.instances
    stops = timeline["retired_at"].fillna(timeline["terminated_at"]).to_numpy()
    launches = timeline["launched_at"].to_numpy()
    for time in np.unique(np.concatenate([launches, stops, [0.0]])):
        live = int(((launches <= time) & (stops > time)).sum())
        if time < document["duration"]:
            assert spec["min_capacity"] <= live <= spec["max_capacity"], (time, live)


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
@SETTINGS
@given(autoscaled())
def test_no_scaling_inside_cooldowns_but_a_larger_scale_out(document: dict[str, Any]) -> None:
    """Scale-outs wait for the previous one to complete (its instances InService); within the cooldown
    after that completion only a larger scale-out happens; scale-ins are a cooldown apart."""
    document["endpoint"]["variants"][0]["autoscaling"].pop("step_scaling", None)
    result = simulate(load_scenario_dict(document))
    policy = document["endpoint"]["variants"][0]["autoscaling"]["target_tracking"]
    activities, timeline = result.scaling, result.instances
    ins = activities.loc[activities["kind"] == "scale-in", "time_s"].to_numpy()
    assert (np.diff(ins) >= policy["scale_in_cooldown"] - 1e-9).all(), ins
    outs = list(activities[activities["kind"] == "scale-out"].itertuples())
    for before, after in itertools.pairwise(outs):
        launched = timeline[timeline["launched_at"] == before.time_s]
        completes = launched["in_service_at"].fillna(launched["retired_at"]).max()
        assert after.time_s >= completes - 1e-9, (before, after, completes)
        larger = "larger than the scale-out in its cooldown" in after.cause
        assert larger == (after.time_s < completes + policy["scale_out_cooldown"] - 1e-9), (before, after)
        assert after.to > after._3


@pytest.mark.slow
@SETTINGS
@given(autoscaled())
def test_alarm_never_fires_on_fewer_breaching_datapoints_than_configured(document: dict[str, Any]) -> None:
    document["endpoint"]["variants"][0]["autoscaling"].pop("step_scaling", None)
    result = simulate(load_scenario_dict(document))
    policy = document["endpoint"]["variants"][0]["autoscaling"]["target_tracking"]
    target = policy["target_value"]
    values = result.datapoints.set_index("time_s")["value"]
    times = values.index.to_numpy()
    for activity in result.scaling.itertuples():
        position = int(np.searchsorted(times, activity.time_s))
        assert times[position] == activity.time_s
        if activity.kind == "scale-out":
            needed, breach = policy["scale_out_alarm"]["evaluation_periods"], lambda v: v > target
        else:
            needed, breach = policy["scale_in_alarm"]["evaluation_periods"], lambda v: v < 0.9 * target
        window = (
            values.iloc[position - needed + 1 : position + 1] if position + 1 >= needed else values.iloc[:0]
        )
        assert len(window) == needed, "fired before enough datapoints existed"
        assert all(not math.isnan(v) and breach(v) for v in window), (activity, window.tolist())


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
@SETTINGS
@given(autoscaled())
def test_autoscaled_billing_is_integral_of_running_instances_times_price(document: dict[str, Any]) -> None:
    scenario = load_scenario_dict(document)
    result = simulate(scenario)
    price = load_catalog().instance(document["endpoint"]["variants"][0]["instance_type"]).price_per_hour
    start, end = scenario.measured_window()
    timeline = result.instances
    # numerically integrate the running-instance count (launch request to termination) on a fine grid
    grid = np.linspace(start, end, 20001)
    running = (
        (timeline["launched_at"].to_numpy()[:, None] <= grid)
        & (grid < timeline["terminated_at"].to_numpy()[:, None])
    ).sum(axis=0)
    step = (end - start) / 20000
    riemann = float(running[:-1].sum()) * step * price / 3600
    exact = (
        float(
            (np.minimum(timeline["terminated_at"], end) - np.maximum(timeline["launched_at"], start))
            .clip(lower=0)
            .sum()
        )
        * price
        / 3600
    )
    assert result.summary.cost_usd.total == pytest.approx(exact, rel=1e-9, abs=1e-12)
    assert riemann == pytest.approx(exact, rel=0.02, abs=len(timeline) * step * price / 3600 * 2)


def test_same_seed_same_scaling(tmp_path: Path) -> None:
    trace = even_trace(tmp_path / "t.csv", [(0, 600, 5), (600, 1800, 40)])
    autoscaling = {"min_capacity": 1, "max_capacity": 5, "target_tracking": {"target_value": 600}}
    scenario = load_scenario_dict(document(trace, 1800, autoscaling))
    first, second = simulate(scenario), simulate(scenario)
    assert first.scaling.equals(second.scaling) and first.summary == second.summary
