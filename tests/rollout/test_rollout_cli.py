"""`sagesim rollout` writes its outputs and prints its tables; `sagesim ab-test` prints the detection time."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.rollout.conftest import ROLLOUT_BASE


def test_rollout_command_writes_json_csv_plot_and_report(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(ROLLOUT_BASE))
    out = tmp_path / "out"
    code, stdout, stderr = cli(
        "rollout", scenario, "--out", out, "--replications", "2", "--executor", "serial"
    )
    assert (code, stderr) == (0, "")
    assert sorted(p.name for p in out.iterdir()) == [
        ".sagesim-out.json",  # which command wrote the directory, and what it holds
        "datapoints.csv",
        "plots",
        "report.html",
        "rollout.json",
        "steps.csv",
    ]
    assert (out / "plots" / "rollout-timeline.png").stat().st_size > 10_000
    document = json.loads((out / "rollout.json").read_text())
    assert document["summary"]["replications"] == 2 and document["summary"]["rolled_back"] == 2
    assert document["runs"][0]["rollback_s"] == 360.0  # deterministic: see test_rollout_exact.py
    assert "rollback" in stdout and "requests hurt by green" in stdout and "A/B latency" in stdout
    html = (out / "report.html").read_text()
    assert "Rollout over replications" in html and "Rollout timeline" in html


def test_rollout_figures_that_are_zero_read_0(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    """A healthy green hurts no request: its row reads 0 [0, 0], not 0.0000 [0.0000, 0.0000]."""
    document = copy.deepcopy(ROLLOUT_BASE)
    document["endpoint"]["variants"][1]["model"] = "v1"  # as fast as blue
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(document))
    code, stdout, stderr = cli(
        "rollout", scenario, "--out", tmp_path / "out", "--replications", "2", "--executor", "serial"
    )
    assert (code, stderr) == (0, "")
    hurt = next(line for line in stdout.splitlines() if "requests hurt by green" in line)
    assert "0.0000" not in stdout and hurt.replace("│", " ").split()[-3:] == ["0", "[0,", "0]"], hurt


def test_ab_test_command_prints_time_and_check(
    tmp_path: Path, cli: Callable[..., tuple[int, str, str]]
) -> None:
    document = copy.deepcopy(ROLLOUT_BASE)
    document["models"]["v1"]["service_time"] = {"distribution": "exponential", "mean": "10ms"}
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(document))
    code, stdout, stderr = cli(
        "ab-test", scenario, "--weight", "20%", "--difference", "2ms", "--check", "10", "--executor", "serial"
    )
    assert (code, stderr) == (0, "")
    first, second = stdout.strip().splitlines()
    assert first.startswith("A/B latency: mean latency 10.0 -> 12.0 ms (+2.0 ms) at 20% of 50.0 req/s")
    assert second.startswith("check: 10 simulated A/B tests of")
