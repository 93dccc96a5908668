"""Profile YAML files: what calibration hands to scenarios.

A serve profile is read by the scenario loader through `models.<name>.profile`; its keys are fixed:
service_time and overhead (distribution dicts, seconds), vcpus, workers, free-form `fitted`
metadata and wakeup_slice (seconds). A training profile describes one training job as the spot model needs it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import yaml
from pydantic import TypeAdapter, ValidationError

from simulator.errors import ScenarioError
from simulator.inputs import load_yaml, read_file_named
from simulator.scenario.common import distribution_error_path, error_reason
from simulator.scenario.distributions import Distribution
from simulator.scenario.models import is_count, profile_wakeup_slice

_DIST: TypeAdapter[Any] = TypeAdapter(Distribution)


def parse_distribution(data: object, where: str) -> Any:
    """Validate a distribution dict with the scenario schema, so a profile never holds a bad one."""
    try:
        return _DIST.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        inner = distribution_error_path(data, first)
        raise ScenarioError(f"{where}.{inner}" if inner else where, error_reason(first)) from None


def sample(dist: dict[str, Any], rng: np.random.Generator, size: int) -> np.ndarray:
    """Draw from a distribution dict."""
    return np.asarray(parse_distribution(dist, "distribution").sample(rng, size), dtype=float)


@dataclass(frozen=True)
class ServeProfile:
    service_time: dict[str, Any]
    overhead: dict[str, Any]
    vcpus: int
    workers: int
    fitted: dict[str, Any] = field(default_factory=dict)
    wakeup_slice: float = 0.0  # s a newly woken worker runs ahead when workers share cores (0: equally)


TRAIN_PHASES = ("startup", "restore", "checkpoint_write", "exit", "relaunch")  # TrainProfile's distributions


@dataclass(frozen=True)
class TrainProfile:
    work: float  # seconds of compute for the whole job, uninterrupted, without checkpoint writes
    steps: int
    checkpoint_every: int  # steps between periodic checkpoints
    startup: dict[str, Any]  # container start -> first step, fresh job
    restore: dict[str, Any]  # container start -> first step, resuming from a checkpoint
    checkpoint_write: dict[str, Any]
    exit: dict[str, Any]  # last action of the program -> container exited
    relaunch: dict[str, Any]  # container exited -> replacement container started
    sigterm_checkpoint: bool  # whether the job checkpoints when stopped (SIGTERM)
    vcpus: int
    run_speed_cv: float = 0.0  # spread of one run's mean step time between runs (container starts)
    fitted: dict[str, Any] = field(default_factory=dict)

    @property
    def step_time(self) -> float:
        return self.work / self.steps


def _plain(value: Any) -> Any:
    """Turn numpy scalars and tuples into YAML-safe Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return float(f"{value:.6g}")
    return value


def write_profile(profile: ServeProfile | TrainProfile, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(_plain(asdict(profile)), sort_keys=False, width=110, default_flow_style=None)
    )
    return path


P = TypeVar("P", ServeProfile, TrainProfile)
# counts a hand-edited profile could break: checked on reading, before any container starts
WHOLE_FIELDS: dict[type, tuple[str, ...]] = {
    ServeProfile: ("vcpus", "workers"),
    TrainProfile: ("vcpus", "steps", "checkpoint_every"),
}


def _read_profile(path: Path, kind: type[P], what: str, distributions: tuple[str, ...]) -> P:
    data = load_yaml(read_file_named(path, "profile"), str(path))
    if not isinstance(data, dict):
        raise ScenarioError(str(path), "a profile must be a mapping")
    try:
        profile = kind(**data)
    except TypeError as exc:
        raise ScenarioError(str(path), f"not a {what} profile: {exc}") from None
    for key in distributions:
        parse_distribution(getattr(profile, key), f"{path}: {key}")
    for key in WHOLE_FIELDS[kind]:
        value = getattr(profile, key)
        if not is_count(value):
            raise ScenarioError(f"{path}: {key}", f"must be a whole number >= 1, not {value!r}")
    if not isinstance(profile.fitted, dict):
        raise ScenarioError(f"{path}: fitted", f"must be a mapping, not {profile.fitted!r}")
    return profile


def read_serve_profile(path: Path) -> ServeProfile:
    profile = _read_profile(path, ServeProfile, "serve", ("service_time", "overhead"))
    try:
        return replace(profile, wakeup_slice=profile_wakeup_slice(profile.wakeup_slice))
    except ValueError as exc:
        raise ScenarioError(str(path), str(exc)) from None


def read_train_profile(path: Path) -> TrainProfile:
    return _read_profile(path, TrainProfile, "training", TRAIN_PHASES)
