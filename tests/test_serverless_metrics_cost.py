"""metrics.csv bills serverless variants per period, and the periods add up to the summary's bill."""

from __future__ import annotations

import pytest

from simulator.engine import simulate
from simulator.scenario import load_scenario
from tests.conftest import ROOT


def test_serverless_cost_per_period_adds_up_to_the_summary() -> None:
    scenario = load_scenario(ROOT / "scenarios/serverless-vs-realtime.yaml")
    result = simulate(scenario)
    measured = result.metrics[result.metrics["time_s"] >= scenario.warmup]
    for name, block in result.summary.variants.items():
        total = measured.loc[measured["variant"] == name, "cost_usd"].sum()
        assert total == pytest.approx(block.cost_usd.total, rel=1e-9), name
    serverless = measured[measured["variant"] == "sl"]
    busy = serverless["Invocations"] > 0
    assert (serverless.loc[busy, "cost_usd"] > 0).all()  # was 0 in every period before
