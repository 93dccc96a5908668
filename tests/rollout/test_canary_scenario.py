"""scenarios/canary-rollback.yaml rolls back during the canary, before green reaches full traffic.

Why the window: green takes the canary at t_c (when its last instance is InService). Alarm periods end
on whole minutes, so the first datapoint is at ceil(t_c / 60) x 60, which holds green requests only if
green served in that partial minute; with every datapoint breaching (green's p99 is ~450 ms against a
250 ms threshold), the 3-of-3 alarm fires on the third datapoint: in (t_c + 120, t_c + 180]. The
rollback is immediate, long before the 10-minute bake would move the remaining 90% to green.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from simulator.core.rng import replication_seed
from simulator.engine import simulate
from simulator.rollout.outcome import rollout_outcome
from simulator.rollout.replications import replicate_rollout
from simulator.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "canary-rollback.yaml"


def test_rollback_time_for_the_scenario_seed_is_exact() -> None:
    scenario = load_scenario(SCENARIO)
    result = simulate(scenario, replication_seed(scenario.seed, 0))
    outcome = rollout_outcome(result)
    assert outcome.outcome == "rolled back"
    assert outcome.first_shift_s == 593.8848145418744  # 5 min + the slowest of 3 log-normal start-ups
    assert outcome.alarm == "alarm green-p99-latency"
    assert outcome.rollback_s == 720.0  # datapoints at 600, 660 and 720 s all breach
    assert outcome.max_green_share == 0.1 and not outcome.reached_full_traffic
    data = outcome.as_dict()  # rollout.json's `runs` entry: every figure, null where it did not happen
    assert list(data)[:6] == [
        "outcome",
        "green_in_service_s",
        "first_shift_s",
        "alarm_s",
        "alarm",
        "rollback_s",
    ]
    assert list(data)[-3:] == ["double_fleet_s", "double_fleet_cost_usd", "total_cost_usd"]
    assert len(data) == 22 and data["completed_s"] is None


@pytest.mark.slow
def test_every_replication_rolls_back_within_the_reasoned_window() -> None:
    scenario = load_scenario(SCENARIO)
    spec = scenario.rollout
    assert spec is not None
    alarm = spec.alarms[0]
    runs = replicate_rollout(scenario, 5)
    for outcome in runs.outcomes:
        shift = outcome.first_shift_s
        first_look = math.ceil(shift / alarm.period) * alarm.period
        assert outcome.outcome == "rolled back" and not outcome.reached_full_traffic
        assert outcome.rollback_s == first_look + (alarm.evaluation_periods - 1) * alarm.period
        assert shift + 120.0 < outcome.rollback_s <= shift + 180.0
        assert outcome.rollback_s < shift + spec.traffic_routing.wait_interval  # before the 100% step
        assert 0 < outcome.hurt_requests <= outcome.green_requests
    summary = runs.summary
    assert summary.rolled_back == 5 and summary.reached_full_traffic == 0
    low, high = summary.rollback_s["ci95_low"], summary.rollback_s["ci95_high"]
    assert low < summary.rollback_s["mean"] < high
