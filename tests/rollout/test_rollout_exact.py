"""Hand-checked deployments: deterministic service and start-up times make every event time exact.

Green is launched at 120 s and InService at 180 s (deterministic 1-minute start-up); alarm periods
end at whole minutes. A 400 ms model against a 200 ms p99 threshold breaches in every period, so
3-of-3 alarms fire at the third period end after the first shift: 180 + 3 x 60 = 360 s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from simulator.engine import simulate
from simulator.rollout.outcome import rollout_outcome
from simulator.scenario.kinds import Scenario

Make = Callable[[dict[str, Any]], Scenario]


def _events(result: Any) -> list[tuple[float, str]]:
    return [(round(event["time_s"], 6), event["event"]) for event in result.rollout.events]


def test_canary_of_slow_model_rolls_back_at_third_period_end(
    rollout_document: dict[str, Any], make_scenario: Make
) -> None:
    result = simulate(make_scenario(rollout_document))
    assert _events(result) == [
        (120.0, "provisioning"),
        (180.0, "green_in_service"),
        (180.0, "step"),
        (360.0, "alarm"),
        (360.0, "rollback"),
    ]
    assert [(s["time_s"], s["green_share"]) for s in result.rollout.steps] == [(180.0, 0.1), (360.0, 0.0)]
    points = [p for p in result.rollout.datapoints if p["alarm"] == "p99"]
    assert [p["time_s"] for p in points] == [240.0, 300.0, 360.0]
    assert [p["in_alarm"] for p in points] == [False, False, True]
    assert all(p["value"] >= 0.4 - 1e-9 for p in points)  # deterministic 400 ms, plus any queueing
    requests = result.requests
    green = requests[requests["variant"] == "green"]
    assert green["arrival"].min() >= 180.0 and green["arrival"].max() < 360.0
    outcome = rollout_outcome(result)
    assert outcome.outcome == "rolled back" and not outcome.reached_full_traffic
    assert outcome.rollback_s == 360.0 and outcome.exposure_s == 180.0
    # every green request took >= 400 ms > the 300 ms SLO: all of them are hurt
    assert outcome.hurt_requests == outcome.green_requests == len(green)
    assert outcome.baseline_hurt_share == 0.0
    # green was billed from launch (120 s) to the end of draining, < 0.4 s after the rollback
    assert 360.0 <= outcome.green_terminated_s < 360.4
    price = 0.204
    expected = 2 * price * (outcome.green_terminated_s - 120.0) / 3600
    assert outcome.double_fleet_cost_usd == pytest.approx(expected, rel=1e-3)


def test_canary_takes_its_share_of_traffic(rollout_document: dict[str, Any], make_scenario: Make) -> None:
    rollout_document["duration"] = "20m"
    rollout_document["rollout"]["alarms"] = []
    rollout_document["rollout"]["traffic_routing"]["wait_interval"] = "15m"
    requests = simulate(make_scenario(rollout_document)).requests
    window = requests[(requests["arrival"] >= 180.0) & (requests["arrival"] < 1080.0)]
    share = float((window["variant"] == "green").mean())
    n = len(window)
    assert abs(share - 0.1) < 4 * np.sqrt(0.1 * 0.9 / n)


def test_healthy_all_at_once_completes_and_terminates_blue(
    rollout_document: dict[str, Any], make_scenario: Make
) -> None:
    rollout_document["models"]["v2"]["service_time"]["value"] = "12ms"
    rollout_document["rollout"]["traffic_routing"] = {"type": "ALL_AT_ONCE", "wait_interval": "2m"}
    rollout_document["rollout"]["termination_wait"] = "1m"
    result = simulate(make_scenario(rollout_document))
    assert _events(result) == [
        (120.0, "provisioning"),
        (180.0, "green_in_service"),
        (180.0, "step"),
        (300.0, "completed"),
        (360.0, "blue_terminated"),
    ]
    requests = result.requests
    after = requests[requests["arrival"] >= 180.0]
    assert (after["variant"] == "green").all()
    blue = result.instances[result.instances["variant"] == "blue"]
    assert (blue["terminated_at"] <= 360.0 + 1e-6).all()
    outcome = rollout_outcome(result)
    assert outcome.outcome == "completed" and outcome.reached_full_traffic
    assert outcome.hurt_requests == 0
    # both fleets ran from green's launch (120 s) until blue was gone (360 s)
    assert outcome.double_fleet_s == pytest.approx(240.0, abs=1e-6)
    assert outcome.double_fleet_cost_usd == pytest.approx(2 * 0.204 * 240 / 3600, rel=1e-9)


def test_linear_steps_every_wait_interval(rollout_document: dict[str, Any], make_scenario: Make) -> None:
    rollout_document["models"]["v2"]["service_time"]["value"] = "12ms"
    rollout_document["endpoint"]["variants"][1]["instance_count"] = 4
    rollout_document["rollout"]["traffic_routing"] = {
        "type": "LINEAR",
        "wait_interval": "90s",
        "linear_step_size": {"type": "INSTANCE_COUNT", "value": 1},
    }
    result = simulate(make_scenario(rollout_document))
    steps = [
        (s["time_s"], s["green_share"], s["blue_weight"], s["green_weight"]) for s in result.rollout.steps
    ]
    assert steps == [
        (180.0, 0.25, 0.75, 0.25),
        (270.0, 0.5, 0.5, 0.5),
        (360.0, 0.75, 0.25, 0.25 * 3),
        (450.0, 1.0, 0.0, 1.0),
    ]
    assert (
        "completed" in [e["event"] for e in result.rollout.events]
    ) and result.rollout.outcome == "completed"
    assert result.rollout.events[-2]["time_s"] == 540.0  # completed after the last 90 s bake


def test_error_rate_alarm_two_of_three(rollout_document: dict[str, Any], make_scenario: Make) -> None:
    rollout_document["models"]["v2"] = {
        "service_time": {"distribution": "deterministic", "value": "10ms"},
        "error_rate": 0.5,
    }
    rollout_document["rollout"]["alarms"] = [
        {
            "name": "errors",
            "metric": "Invocation5XXErrorRate",
            "threshold": 10,
            "evaluation_periods": 3,
            "datapoints_to_alarm": 2,
        }
    ]
    result = simulate(make_scenario(rollout_document))
    assert (300.0, "rollback") in _events(result)  # datapoints at 240 and 300 breach: 2 of 3 at 300 s
    values = [p["value"] for p in result.rollout.datapoints]
    assert all(30 < value < 70 for value in values)  # about half of green's requests fail
    green = result.requests[result.requests["variant"] == "green"]
    assert set(green["status"].unique()) <= {"OK", "MODEL_ERROR"}
    assert rollout_outcome(result).hurt_errors_5xx == int((green["status"] == "MODEL_ERROR").sum())


def test_slow_start_up_hits_the_execution_timeout(
    rollout_document: dict[str, Any], make_scenario: Make
) -> None:
    rollout_document["endpoint"]["variants"][1]["startup_time"]["value"] = "11m"
    rollout_document["rollout"]["maximum_execution_timeout"] = "10m"
    rollout_document["rollout"]["traffic_routing"]["wait_interval"] = "1m"
    rollout_document["duration"] = "15m"
    result = simulate(make_scenario(rollout_document))
    assert _events(result) == [(120.0, "provisioning"), (720.0, "timeout"), (720.0, "rollback")]
    assert (result.requests["variant"] != "green").all()
    assert result.rollout.steps == [
        {"time_s": 720.0, "green_share": 0.0, "blue_weight": 1.0, "green_weight": 0.0}
    ]
    assert rollout_outcome(result).green_requests == 0


def test_a_healthy_model_without_error_rate_is_unchanged(
    rollout_document: dict[str, Any], make_scenario: Make
) -> None:
    """error_rate 0 keeps the plain instance classes: same results as before the feature."""
    document = {key: value for key, value in rollout_document.items() if key != "rollout"}
    document["endpoint"]["variants"][1]["weight"] = 1
    plain = simulate(make_scenario(document))
    document["models"]["v2"]["error_rate"] = 0.0
    again = simulate(make_scenario(document))
    assert plain.summary == again.summary
