"""`sagesim compare` (common random numbers) and `sagesim crossover` (serverless vs real-time cost)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from simulator.compare import crossing_rate

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
    assert "p99_ms" in stdout
    table = pd.read_csv(out / "compare.csv")
    assert len(table) == 2
    # same seed, same traffic: the same requests arrive and complete (no errors here)
    assert table["completed"].nunique() == 1 and (table["errors"] == 0).all()
    assert table["cost_usd"].iloc[0] != table["cost_usd"].iloc[1]


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
