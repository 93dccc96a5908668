"""`sagesim compare` (common random numbers) and `sagesim crossover` (serverless vs real-time cost)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from unittest.mock import create_autospec

import pandas as pd
import pytest

from simulator.compare import CrossoverPoint, _crossover_point, crossing_rate, serverless_crossover
from simulator.errors import ScenarioError
from simulator.execution.executors import SerialExecutor
from simulator.scenario import load_scenario
from simulator.scenario.derive import derive
from simulator.scenario.kinds import EndpointScenario

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.mark.slow
def test_compare_runs_policies_on_identical_traffic(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    scenario = SCENARIOS / "flash-crowd.yaml"
    out = tmp_path / "compare"
    code, stdout, stderr = cli(
        "compare",
        scenario,
        scenario,
        "--set",
        "duration=65m",
        "--set-for",
        "2:endpoint.variants[0].autoscaling.step_scaling=[]",
        "--out",
        out,
    )
    assert (code, stderr) == (0, ""), stderr
    assert "p99 ms" in stdout
    table = pd.read_csv(out / "compare.csv")
    assert len(table) == 2
    # same seed, same traffic: the same requests arrive and complete (no errors here)
    assert table["completed"].nunique() == 1 and (table["errors"] == 0).all()
    assert table["cost_usd"].iloc[0] != table["cost_usd"].iloc[1]


def test_compare_gives_the_deciding_figures_their_95_percent_intervals() -> None:
    """A user deciding between policies asked whether a difference is real: cost, cost per 1M, p99
    and error rate carry a 95% CI over the replications; instances_max is the largest any reached."""
    from simulator.compare import INTERVAL_FIGURES, compare_scenarios

    quick = load_scenario(SCENARIOS / "quickstart.yaml", ["duration=5m", "warmup=1m"])
    bigger = load_scenario(
        SCENARIOS / "quickstart.yaml", ["duration=5m", "warmup=1m", "endpoint.variants[0].instance_count=3"]
    )
    table = compare_scenarios([("two", quick), ("three", bigger)], replications=3)
    for name in INTERVAL_FIGURES:
        low, high = table[f"{name}_ci95_low"], table[f"{name}_ci95_high"]
        assert (low <= table[name] + 1e-12).all() and (table[name] <= high + 1e-12).all(), name
    assert (table["p99_ms_ci95_high"] > table["p99_ms_ci95_low"]).all()
    assert table["instances_max"].tolist() == [2, 3]
    single = compare_scenarios([("two", quick), ("three", bigger)], replications=1)
    assert single["p99_ms_ci95_low"].isna().all()


def test_compare_bad_set_for(cli: Callable[..., tuple[int, str, str]]) -> None:
    scenario = SCENARIOS / "flash-crowd.yaml"
    code, _, stderr = cli("compare", scenario, scenario, "--set-for", "3:duration=1m")
    assert code == 2 and stderr.startswith("error: --set-for: ")


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_crossover_prints_rate_and_writes_report(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    code, stdout, stderr = cli(
        "crossover",
        SCENARIOS / "serverless-vs-realtime.yaml",
        "--rates",
        "1,5,30",
        "--slo-p99",
        "500ms",
        "--duration",
        "5m",
        "--out",
        tmp_path,
    )
    assert (code, stderr) == (0, ""), stderr
    assert "crossover: real-time becomes cheaper above" in stdout
    table = pd.read_csv(tmp_path / "crossover.csv")
    assert (
        table["realtime_usd_per_million_inferences"].iloc[0]
        > table["serverless_usd_per_million_inferences"].iloc[0]
    )
    assert (
        table["realtime_usd_per_million_inferences"].iloc[-1]
        < table["serverless_usd_per_million_inferences"].iloc[-1]
    )
    assert (tmp_path / "crossover.png").stat().st_size > 0
    assert "crossover" in (tmp_path / "report.html").read_text()


def test_crossing_rate_interpolates_in_log_rate() -> None:
    table = pd.DataFrame(
        {
            "rate_per_s": [1.0, 10.0, 100.0],
            "serverless_usd_per_million_inferences": [3.0, 3.0, 3.0],
            "realtime_usd_per_million_inferences": [30.0, 4.0, 2.0],
        }
    )
    # gap -27, -1, +1: crosses halfway between 10 and 100 in log space
    assert crossing_rate(table) == pytest.approx(10**1.5)
    assert crossing_rate(table.iloc[:2]) is None


class _Shipped(Exception):
    """Raised by the executor once it holds the tasks: nothing is simulated."""


def _shipped(
    scenario: EndpointScenario, rates: list[float], slo: float, duration: float, **options: int
) -> list[CrossoverPoint]:
    """The points the crossover hands its executor: what it ships to a pool."""
    executor = create_autospec(SerialExecutor, instance=True)
    executor.map.side_effect = _Shipped
    with pytest.raises(_Shipped):
        serverless_crossover(scenario, rates, slo, duration, executor=executor, **options)
    return list(executor.map.call_args.args[1])


def test_crossover_ships_one_validated_point_per_rate() -> None:
    scenario = load_scenario(SCENARIOS / "serverless-vs-realtime.yaml")
    assert isinstance(scenario, EndpointScenario)
    points = _shipped(scenario, [1.0, 5.0], 0.5, 300.0, replications=2)
    assert [type(p) for p in points] == [CrossoverPoint, CrossoverPoint]
    assert [p.rate for p in points] == [1.0, 5.0]
    for point in points:
        (serverless,) = point.serverless.endpoint.variants
        (realtime,) = point.realtime.endpoint.variants
        assert serverless.serverless is not None and realtime.serverless is None
        assert (serverless.weight, realtime.weight) == (1.0, 1.0)
        assert serverless.autoscaling is None and realtime.autoscaling is None
        assert point.serverless.duration == 300.0 and point.serverless.seed == scenario.seed
        assert point.realtime.traffic.arrivals.model_dump()["rate"] == point.rate


def test_crossover_needs_a_serverless_and_a_realtime_variant() -> None:
    scenario = load_scenario(SCENARIOS / "quickstart.yaml")
    assert isinstance(scenario, EndpointScenario)
    with pytest.raises(ScenarioError, match="one serverless and one real-time variant"):
        serverless_crossover(scenario, [1.0], 0.5, 300.0)


def test_crossover_point_finds_the_fewest_instances() -> None:
    scenario = load_scenario(SCENARIOS / "serverless-vs-realtime.yaml")
    assert isinstance(scenario, EndpointScenario)
    (point,) = _shipped(scenario, [2.0], 10.0, 120.0)
    row = _crossover_point(point)
    assert row["rate_per_s"] == 2.0 and row["realtime_instances"] == 1 and row["serverless_meets_slo"]
    fleet = derive(point.realtime, {"endpoint.variants[0].instance_count": 3}, EndpointScenario)
    assert fleet.endpoint.variants[0].instance_count == 3
