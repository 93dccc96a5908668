"""Properties: traffic steps add up, and a rollback never leaves traffic on green."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine import simulate
from simulator.scenario import load_scenario_dict
from simulator.scenario.rollout_plan import split_weights, traffic_steps
from simulator.scenario.rollout_spec import TrafficRouting
from tests.rollout.conftest import ROLLOUT_BASE

sizes = st.one_of(
    st.builds(lambda v: {"type": "CAPACITY_PERCENT", "value": v}, st.floats(10, 50)),
    st.builds(lambda v: {"type": "INSTANCE_COUNT", "value": v}, st.integers(1, 2)),
)


@st.composite
def routings(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["ALL_AT_ONCE", "CANARY", "LINEAR"]))
    routing: dict[str, Any] = {"type": kind, "wait_interval": draw(st.sampled_from([0, 30, 60, 90, 150]))}
    if kind == "CANARY":
        routing["canary_size"] = draw(sizes)
    if kind == "LINEAR":
        routing["linear_step_size"] = draw(sizes)
    return routing


@given(routings(), st.floats(0.1, 1000))
def test_steps_increase_to_all_traffic_and_weights_add_up(
    routing: dict[str, Any], blue_weight: float
) -> None:
    steps = traffic_steps(TrafficRouting.model_validate(routing), 4)
    assert steps[-1] == 1.0
    assert all(0 < a < b for a, b in itertools.pairwise(steps))
    for share in steps:
        blue, green = split_weights(blue_weight, share)
        assert blue >= 0 and green > 0 and abs(blue + green - blue_weight) <= 1e-9 * blue_weight


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    routings(),
    st.sampled_from(["20ms", "150ms", "400ms"]),
    st.sampled_from(["100ms", "300ms"]),
    st.integers(0, 99),
)
def test_simulated_rollouts_keep_traffic_consistent(
    routing: dict[str, Any], green_time: str, threshold: str, seed: int
) -> None:
    document = copy.deepcopy(ROLLOUT_BASE)
    document.update(seed=seed, duration="9m")
    document["traffic"]["arrivals"]["rate"] = "20/s"
    document["endpoint"]["variants"][1]["instance_count"] = 4
    document["models"]["v2"]["service_time"] = {"distribution": "exponential", "mean": green_time}
    document["rollout"]["traffic_routing"] = routing
    document["rollout"]["alarms"][0].update(threshold=threshold, datapoints_to_alarm=2)
    result = simulate(load_scenario_dict(document))
    record = result.rollout
    for step in record.steps:  # every weight setting splits blue's original weight (1) between the two
        assert abs(step["blue_weight"] + step["green_weight"] - 1.0) < 1e-12
        assert 0.0 <= step["green_share"] <= 1.0
    requests = result.requests
    green = requests[requests["variant"] == "green"]
    first_shift = next((e["time_s"] for e in record.events if e["event"] == "step"), None)
    if first_shift is None:
        assert green.empty
    else:
        assert green.empty or green["arrival"].min() >= first_shift
    if record.outcome == "rolled back":
        rollback = next(e["time_s"] for e in record.events if e["event"] == "rollback")
        assert record.steps[-1]["green_share"] == 0.0
        assert (green["arrival"] < rollback).all()  # nothing reaches green after the rollback
        fleet = result.instances[result.instances["variant"] == "green"]
        assert (fleet["terminated_at"] <= rollback + 30.0 + 1e-9).all()  # drained or killed after 30 s
        assert any(p["in_alarm"] for p in record.datapoints)
    if record.outcome == "completed":
        assert record.steps[-1]["green_share"] == 1.0
        assert not any(p["in_alarm"] for p in record.datapoints)
