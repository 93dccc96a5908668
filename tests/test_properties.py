"""Invariants over generated scenarios (hypothesis): conservation, determinism, cost = capacity x price."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.catalog import load_catalog
from simulator.core.records import Status
from simulator.engine import simulate
from simulator.scenario import load_scenario_dict

CPU_TYPES = ["ml.c5.large", "ml.c5.xlarge", "ml.m5.large", "ml.c4.xlarge"]
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Small endpoints under any load, from idle to heavily overloaded, with updates mid-run."""
    n_variants = draw(st.integers(1, 3))
    duration = draw(st.floats(30, 300))
    variants = []
    for index in range(n_variants):
        variants.append(
            {
                "name": f"v{index}",
                "model": "m",
                "instance_type": draw(st.sampled_from(CPU_TYPES)),
                "instance_count": draw(st.integers(1, 3)),
                "workers": draw(st.integers(1, 6)),
                "weight": draw(st.sampled_from([0.0, 1.0, 3.0, 9.0])),
                "max_queue": draw(st.integers(0, 50)),
                "startup_time": {"distribution": "deterministic", "value": draw(st.floats(0, 60))},
            }
        )
    if sum(v["weight"] for v in variants) == 0:
        variants[0]["weight"] = 1.0
    updates = []
    for _ in range(draw(st.integers(0, 3))):
        target = f"v{draw(st.integers(0, n_variants - 1))}"
        updates.append(
            {"at": draw(st.floats(0, duration * 0.99)), "instance_counts": {target: draw(st.integers(1, 4))}}
        )
    updates.sort(key=lambda update: update["at"])
    return {
        "name": "generated",
        "seed": draw(st.integers(0, 2**32)),
        "duration": duration,
        "warmup": draw(st.floats(0, duration * 0.5)),
        "models": {
            "m": {"service_time": {"distribution": "gamma", "mean": draw(st.floats(0.005, 0.5)), "cv": 1.0}}
        },
        "endpoint": {
            "name": "ep",
            "routing": draw(st.sampled_from(["RANDOM", "LEAST_OUTSTANDING_REQUESTS"])),
            "invocation_timeout": draw(st.floats(0.5, 60)),
            "variants": variants,
            "updates": updates,
        },
        "traffic": {"arrivals": {"process": "poisson", "rate": draw(st.floats(0.5, 200))}},
    }


@SETTINGS
@given(scenarios())
def test_requests_are_conserved(document: dict[str, Any]) -> None:
    result = simulate(load_scenario_dict(document))
    summary = result.summary
    counts = summary.requests
    assert counts.arrived == counts.completed + counts.failed + counts.throttled + counts.in_flight
    for block in summary.variants.values():
        c = block.requests
        assert c.arrived == c.completed + c.failed + c.throttled + c.in_flight
    assert sum(b.requests.arrived for b in summary.variants.values()) <= counts.arrived
    # record-level: every ended request has an end time not before its arrival; in-flight ones have none
    requests = result.requests
    ended = requests["status"] != Status.IN_FLIGHT.name
    assert (requests.loc[ended, "end"] >= requests.loc[ended, "arrival"] - 1e-9).all()
    assert requests.loc[~ended, "end"].isna().all()
    # a request never starts before it arrives
    started = requests["start"].notna()
    assert (requests.loc[started, "start"] >= requests.loc[started, "arrival"]).all()


@pytest.mark.slow
@SETTINGS
@given(scenarios())
def test_same_seed_gives_identical_results(document: dict[str, Any]) -> None:
    scenario = load_scenario_dict(document)
    first, second = simulate(scenario), simulate(scenario)
    assert first.summary == second.summary
    assert first.metrics.equals(second.metrics)


def _capacity_cost_integral(timeline: Any, window: tuple[float, float], prices: dict[str, float]) -> float:
    """Integral over the window of (instances billed at t) x price, by an event sweep per instance type."""
    start, end = window
    total = 0.0
    for instance_type, rows in timeline.groupby("instance_type"):
        times = np.concatenate([rows["launched_at"], rows["terminated_at"]])
        steps = np.concatenate([np.ones(len(rows)), -np.ones(len(rows))])
        order = np.argsort(times, kind="stable")
        times, level = times[order], np.cumsum(steps[order])
        edges = np.clip(np.append(times, end), start, end)
        total += float(np.sum(level * np.diff(edges))) * prices[instance_type] / 3600.0
    return total


@SETTINGS
@given(scenarios())
def test_cost_is_integral_of_capacity_times_price(document: dict[str, Any]) -> None:
    scenario = load_scenario_dict(document)
    result = simulate(scenario)
    prices = {name: item.price_per_hour for name, item in load_catalog().instances.items()}
    expected = _capacity_cost_integral(result.instances, scenario.measured_window(), prices)
    assert result.summary.cost_usd.total == pytest.approx(expected, rel=1e-9, abs=1e-12)
    per_variant = sum(block.cost_usd.total for block in result.summary.variants.values())
    assert per_variant == pytest.approx(expected, rel=1e-9, abs=1e-12)


@SETTINGS
@given(scenarios())
def test_per_minute_series_add_up_to_the_summary(document: dict[str, Any]) -> None:
    document["warmup"] = 0
    result = simulate(load_scenario_dict(document))
    metrics, summary = result.metrics, result.summary
    assert int(metrics["Invocations"].sum()) == sum(b.requests.arrived for b in summary.variants.values())
    assert metrics["cost_usd"].sum() == pytest.approx(summary.cost_usd.total, rel=1e-9, abs=1e-12)
    assert (metrics["InServiceInstances"] >= 0).all()


def test_static_capacity_cost_is_count_times_price_times_hours() -> None:
    document = {
        "name": "static",
        "duration": "2h",
        "warmup": "30m",
        "models": {"m": {"service_time": {"distribution": "exponential", "mean": "20ms"}}},
        "endpoint": {
            "name": "ep",
            "variants": [{"name": "a", "model": "m", "instance_type": "ml.c5.xlarge", "instance_count": 3}],
        },
        "traffic": {"arrivals": {"process": "poisson", "rate": "10/s"}},
    }
    summary = simulate(load_scenario_dict(document)).summary
    assert summary.cost_usd.total == pytest.approx(3 * 0.204 * 1.5)
