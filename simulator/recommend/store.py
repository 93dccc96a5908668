"""Finished candidates on disk, so an interrupted job keeps them and `--resume DIR` continues.

`DIR/job.json` holds the job's fingerprint (a hash of the resolved scenario) and when the job was
created (a resumed job keeps its CreationTime in recommendations.json); each finished candidate
is a file in `DIR/candidates/`, written atomically, holding its id and outcome. The file name is made
from the id but never is the id: a candidate id comes from instance type names a scenario may add to
the catalog, and no name (`../../x`, `/tmp/x`) may reach a path outside the folder. Resuming with a
different scenario is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simulator.errors import ScenarioError
from simulator.scenario.kinds import RecommendScenario
from simulator.staging import mark


def fingerprint(scenario: RecommendScenario) -> str:
    """Hash of everything that decides the candidates' outcomes.

    Names, descriptions and fleet sizing (which runs after the candidates) are left out, so a job can be
    resumed to size fleets differently without searching again.
    """
    data = scenario.model_dump(
        mode="json", exclude={"name": True, "description": True, "recommend": {"fleet_sizing"}}
    )
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _read_candidate(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text())
        return str(data["id"]), dict(data["outcome"])
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ScenarioError("--resume", f"{path} is not a finished candidate written by sagesim") from None


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


class CandidateStore:
    """The candidates/ folder of one job's output directory."""

    def __init__(self, directory: Path, scenario: RecommendScenario) -> None:
        self.directory = directory
        self.folder = directory / "candidates"
        self.fingerprint = fingerprint(scenario)
        self.created = datetime.now(UTC)

    def start(self, resume: bool) -> dict[str, dict[str, Any]]:
        """Prepare the folder; on resume, check the fingerprint and return the finished outcomes."""
        job = self.directory / "job.json"
        if resume:
            if not job.is_file():
                raise ScenarioError("--resume", f"{self.directory} holds no recommender job (no job.json)")
            try:
                saved = json.loads(job.read_text())
            except (OSError, UnicodeDecodeError, ValueError):
                raise ScenarioError("--resume", f"{job} is not a job file written by sagesim") from None
            if not isinstance(saved, dict) or saved.get("fingerprint") != self.fingerprint:
                raise ScenarioError("--resume", f"{self.directory} was made by a different scenario or job")
            self.created = _created(saved, job)
            return dict(_read_candidate(path) for path in sorted(self.folder.glob("*.json")))
        self.folder.mkdir(parents=True, exist_ok=True)
        if any(self.folder.glob("*.json")):  # finished work of another run: never deleted here
            raise ScenarioError("--out", f"{self.directory} holds finished candidates; resume that job")
        saved = {"fingerprint": self.fingerprint, "created": self.created.isoformat()}
        _write_atomically(job, json.dumps(saved, indent=2))
        mark(self.directory, "recommend")  # other commands' --out checks name the job, even half-done
        return {}

    def save(self, key: str, outcome: dict[str, Any]) -> None:
        _write_atomically(self.folder / file_name(key), json.dumps({"id": key, "outcome": outcome}, indent=1))


def _created(saved: dict[str, Any], job: Path) -> datetime:
    """When the job started: job.json's `created`, or (a job.json without it) the file's own time."""
    try:
        moment = datetime.fromisoformat(str(saved["created"]))
        return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    except (KeyError, ValueError):
        return datetime.fromtimestamp(job.stat().st_mtime, UTC)


def file_name(key: str) -> str:
    """A file name for a candidate id: its safe characters and a hash of the whole id (distinct ids,
    distinct names), never a path separator or a leading dot."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", key).strip("._")[:80] or "candidate"
    return f"{safe}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.json"
