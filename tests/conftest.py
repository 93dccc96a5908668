"""Shared helpers: a small valid scenario to mutate, and the CLI run in-process."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings

from simulator.cli import main

# CI runs the same examples every time (a red CI must be reproducible); locally hypothesis explores.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"

BASE_SCENARIO: dict[str, Any] = {
    "name": "base",
    "seed": 1,
    "duration": "10m",
    "warmup": "1m",
    "models": {"m1": {"service_time": {"distribution": "exponential", "mean": "50ms"}}},
    "endpoint": {
        "name": "ep",
        "variants": [
            {"name": "a", "model": "m1", "instance_type": "ml.c5.xlarge", "instance_count": 1, "weight": 1},
            {"name": "b", "model": "m1", "instance_type": "ml.c5.large", "instance_count": 1, "weight": 1},
        ],
    },
    "traffic": {"arrivals": {"process": "poisson", "rate": "20/s"}},
}


@pytest.fixture
def base_scenario() -> dict[str, Any]:
    """A fresh deep copy of a small valid two-variant scenario."""
    return copy.deepcopy(BASE_SCENARIO)


@pytest.fixture
def write_scenario(tmp_path: Path) -> Callable[[Any], Path]:
    """Write a scenario document (dict or raw text) to a YAML file and return its path."""

    def write(document: Any, name: str = "scenario.yaml") -> Path:
        path = tmp_path / name
        path.write_text(document if isinstance(document, str) else yaml.safe_dump(document))
        return path

    return write


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Run `sagesim ARGS...` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
