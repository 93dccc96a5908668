"""The output directory of a `sagesim run`: staged like every other (simulator/staging.py), and
starting with the two files every run report has."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator.scenario.kinds import Scenario
from simulator.scenario.loader import dump_resolved
from simulator.staging import staged_directory, write_json


@contextmanager
def run_directory(out_dir: Path, scenario: Scenario, summary: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """A `sagesim run` staging directory already holding summary.json and scenario.resolved.yaml; yields
    it with the resolved YAML, which every run report shows at its end."""
    with staged_directory(out_dir, "run") as staging:
        resolved = dump_resolved(scenario)
        write_json(staging / "summary.json", summary)
        (staging / "scenario.resolved.yaml").write_text(resolved)
        yield staging, resolved
