"""Inputs that are valid in form but would make the work endless: refused up front with one line.

Each runs as a whole process with a time bound, because the regression these tests guard against is a
command that runs for hours or until memory is gone, not one that fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT


def _sagesim(*arguments: str, timeout: float = 120) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line, done.stderr[-2000:]
    return done.returncode, line


LINEAR = [
    "--set",
    "rollout.traffic_routing.type=LINEAR",
    "--set",
    "rollout.traffic_routing.canary_size=null",
    "--set",
    "rollout.traffic_routing.linear_step_size={type: CAPACITY_PERCENT, value: 1.0e-9}",
]


@pytest.mark.parametrize(
    ("arguments", "where", "fragment"),
    [
        (
            ["rollout", "scenarios/canary-rollback.yaml", *LINEAR],
            "rollout.traffic_routing.linear_step_size.value",
            "must be 10-50%",
        ),
        (
            ["crossover", "scenarios/serverless-vs-realtime.yaml", "--slo-p99", "-1s"],
            "--slo-p99",
            "",
        ),
        (
            ["crossover", "scenarios/serverless-vs-realtime.yaml", "--rates", "1e9"],
            "--rates",
            "requests a point; the limit is 5,000,000",
        ),
        (
            ["ab-test", "scenarios/ab-rollout.yaml", "--difference", "0.000000001ms", "--check", "2"],
            "--check",
            "checks are bounded to 5,000,000",
        ),
        (
            ["run", "scenarios/spot-training.yaml", "--set", "training_job.checkpoint.interval=1e-9"],
            "training_job.checkpoint.interval",
            "checkpoints in one job; at most 1,000,000",
        ),
        (
            ["run", "scenarios/spot-training.yaml", "--set", "training_job.spot.interruption_rate=1e9/s"],
            "training_job.spot.interruption_rate",
            "interruptions in the job's work alone; at most 1,000,000",
        ),
    ],
    ids=["linear-step", "negative-slo", "crossover-rate", "ab-check", "checkpoint-interval", "spot-rate"],
)
def test_endless_work_is_refused(tmp_path: Path, arguments: list[str], where: str, fragment: str) -> None:
    code, line = (
        _sagesim(*arguments, "--out", str(tmp_path / "out"))
        if arguments[0] != "ab-test"
        else (_sagesim(*arguments))
    )
    assert code == 2 and line.startswith(f"error: {where}: ") and fragment in line, line
    assert not (tmp_path / "out").exists()


def _write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def test_weights_that_overflow_are_refused(tmp_path: Path, base_scenario: dict[str, Any]) -> None:
    for variant in base_scenario["endpoint"]["variants"]:
        variant["weight"] = 1e308
    code, line = _sagesim("check", str(_write(tmp_path, base_scenario)))
    assert (
        code == 2
        and line == "error: endpoint.variants: the variant weights add up to more than a number holds"
    )


def test_a_profile_and_the_models_own_service_time_conflict(
    tmp_path: Path, base_scenario: dict[str, Any]
) -> None:
    (tmp_path / "profile.yaml").write_text(
        yaml.safe_dump({"service_time": {"distribution": "exponential", "mean": 0.02}})
    )
    base_scenario["models"]["m1"]["profile"] = "profile.yaml"
    code, line = _sagesim("check", str(_write(tmp_path, base_scenario)))
    assert code == 2 and line.startswith("error: models.m1") and "give service_time or a profile" in line, (
        line
    )


def test_a_backlog_past_the_record_ring_is_one_line(tmp_path: Path, base_scenario: dict[str, Any]) -> None:
    base_scenario["endpoint"]["variants"] = base_scenario["endpoint"]["variants"][:1]
    base_scenario["traffic"]["arrivals"]["rate"] = "5000/s"  # 60 s of timeouts hold 300,000 in flight
    base_scenario["metrics"] = {"per_request_records": False, "ring_capacity": 2**17}
    code, line = _sagesim("run", str(_write(tmp_path, base_scenario)), "--out", str(tmp_path / "out"))
    assert code == 2 and line.startswith("error: metrics.ring_capacity: ") and "overloaded" in line, line
    assert not (tmp_path / "out").exists()
