"""The typed summary: exact summary.json data, frozen, and replication means as summary.json had them."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from simulator.core.rng import replication_seed
from simulator.core.stats import combine_summaries, means_of
from simulator.engine import simulate
from simulator.metrics.summary_types import (
    Autoscaling,
    Cost,
    Desired,
    Instances,
    Latency,
    Oscillation,
    QueueWait,
    Requests,
    Summary,
    VariantBlock,
    Window,
    combine,
    mean_of,
)
from simulator.scenario import load_scenario
from tests.test_golden import GOLDEN, assert_same

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "requests": Requests(arrived=10, completed=8, failed=1, throttled=1, in_flight=0),
    "error_rate": 0.2,
    "throughput_per_s": 0.5,
    "latency_ms": Latency(mean=12.5, p50=11.0, p90=20.0, p95=21.0, p99=30.0, max=31.0),
    "model_latency_ms": Latency(),
    "queue_wait_ms": QueueWait(mean=1.5, p95=None),
    "cost_usd": Cost(total=0.25, per_million_inferences=31250.0),
}
SCALING = Autoscaling(3, 2, 1, Desired(1, 3), Oscillation(3, 1, 0.5, 1, False))


def example_summary() -> Summary:
    static = VariantBlock(**FIGURES, instances=Instances(mean=1.0, max=1))
    scaled = VariantBlock(**FIGURES, instances=Instances(mean=1.5, max=3), autoscaling=SCALING)
    return Summary(
        **FIGURES, window_s=Window(60.0, 120.0), variants={"a": static, "b": scaled}, engine="simpy"
    )


def test_as_dict_is_the_exact_summary_json_data_in_order() -> None:
    data = example_summary().as_dict()
    block = ["requests", "error_rate", "throughput_per_s", "latency_ms", "model_latency_ms", "queue_wait_ms"]
    assert list(data) == [*block, "cost_usd", "window_s", "variants", "engine"]
    assert list(data["variants"]["a"]) == [*block, "cost_usd", "instances"]  # absent parts are left out
    assert list(data["variants"]["b"]) == [*block, "cost_usd", "instances", "autoscaling"]
    assert data["requests"] == {"arrived": 10, "completed": 8, "failed": 1, "throttled": 1, "in_flight": 0}
    assert data["model_latency_ms"] == dict.fromkeys(["mean", "p50", "p90", "p95", "p99", "max"])  # null
    assert data["queue_wait_ms"] == {"mean": 1.5, "p95": None}
    assert data["window_s"] == {"start": 60.0, "end": 120.0} and data["engine"] == "simpy"
    assert data["variants"]["b"]["autoscaling"] == {
        "scaling_activities": 3,
        "scale_outs": 2,
        "scale_ins": 1,
        "desired": {"min": 1, "max": 3},
        "oscillation": {
            "scaling_actions": 3,
            "direction_flips": 1,
            "flips_per_hour": 0.5,
            "max_flips_in_an_hour": 1,
            "oscillating": False,
        },
    }
    assert json.loads(json.dumps(data)) == data  # plain JSON data, nothing else


def test_a_summary_cannot_be_changed_after_it_is_built() -> None:
    summary = example_summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.engine = "fast"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.variants["a"].cost_usd.total = 0.0  # type: ignore[misc]


def test_a_run_round_trips_to_its_golden_summary_json() -> None:
    """A run with a serverless and a real-time variant: as_dict is its golden summary.json."""
    scenario = load_scenario(ROOT / "scenarios" / "serverless-vs-realtime.yaml")
    summary = simulate(scenario, replication_seed(scenario.seed, 0)).summary
    data = summary.as_dict()
    assert_same(data, json.loads((GOLDEN / "serverless-vs-realtime.json").read_text()))
    serverless = summary.variants["sl"].serverless
    assert serverless is not None and data["variants"]["sl"]["serverless"] == dataclasses.asdict(serverless)
    assert "serverless" not in data["variants"]["realtime"]


def test_replication_means_are_the_means_summary_json_always_had() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "serverless-vs-realtime.yaml")
    summaries = [simulate(scenario, seed).summary for seed in (1, 2, 3)]
    old = means_of(combine_summaries([s.as_dict() for s in summaries]))
    assert mean_of(summaries).as_dict() == {**old, "engine": summaries[0].engine}
    assert combine(summaries) == combine_summaries([s.as_dict() for s in summaries])
    assert mean_of(summaries[:1]) is summaries[0]  # one run: its own figures, counts stay integers
