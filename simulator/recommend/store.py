"""Finished candidates on disk, so an interrupted job keeps them and `--resume DIR` continues.

`DIR/job.json` holds the job's fingerprint (a hash of the resolved scenario); each finished candidate
is `DIR/candidates/<id>.json`, written atomically. Resuming with a different scenario is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from simulator.errors import ScenarioError
from simulator.scenario.schema import Scenario


def fingerprint(scenario: Scenario) -> str:
    """Hash of everything that decides the candidates' outcomes.

    Names, descriptions and fleet sizing (which runs after the candidates) are left out, so a job can be
    resumed to size fleets differently without searching again.
    """
    data = scenario.model_dump(
        mode="json", exclude={"name": True, "description": True, "recommend": {"fleet_sizing"}}
    )
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


class CandidateStore:
    """The candidates/ folder of one job's output directory."""

    def __init__(self, directory: Path, scenario: Scenario) -> None:
        self.directory = directory
        self.folder = directory / "candidates"
        self.fingerprint = fingerprint(scenario)

    def start(self, resume: bool) -> dict[str, dict[str, Any]]:
        """Prepare the folder; on resume, check the fingerprint and return the finished outcomes."""
        job = self.directory / "job.json"
        if resume:
            if not job.is_file():
                raise ScenarioError("--resume", f"{self.directory} holds no recommender job (no job.json)")
            saved = json.loads(job.read_text())
            if saved.get("fingerprint") != self.fingerprint:
                raise ScenarioError("--resume", f"{self.directory} was made by a different scenario or job")
            return {path.stem: json.loads(path.read_text()) for path in sorted(self.folder.glob("*.json"))}
        self.folder.mkdir(parents=True, exist_ok=True)
        for stale in self.folder.glob("*.json"):
            stale.unlink()
        _write_atomically(job, json.dumps({"fingerprint": self.fingerprint}, indent=2))
        return {}

    def save(self, key: str, outcome: dict[str, Any]) -> None:
        _write_atomically(self.folder / f"{key}.json", json.dumps(outcome, indent=1))
