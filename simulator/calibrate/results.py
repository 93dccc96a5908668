"""A validation's result, judged against the targets: for serving, measured and predicted figures per
load level (written to and read back from validation.json); for training, measured and predicted
completion times per stop schedule."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from simulator.staging import finite_or_null

TARGETS = {"p50_ms": 0.10, "p95_ms": 0.15, "throughput": 0.10}  # |relative error| limits
MAX_CHECKED_UTILISATION = 0.80  # open-loop latency is held to TARGETS up to this share of the maximum
COMPLETION_TARGET = 0.10


@dataclass(frozen=True)
class Row:
    load: str
    kind: str
    level: float
    utilisation: float  # offered load / capacity predicted by the profile (closed loop: nan)
    measured: dict[str, float]
    predicted: dict[str, float]
    checked: tuple[str, ...]  # metrics held to TARGETS on this row
    at_speed: dict[str, float] = field(default_factory=dict)  # predicted at the level's own CPU cost
    speed: float = math.nan  # the level's CPU per request / calibration's at its rate (closed: saturated)
    repeat: dict[str, float] = field(default_factory=dict)  # measured second pass / first pass - 1
    in_flight: dict[str, dict[str, float]] = field(default_factory=dict)  # in_flight.compared per band
    speed_within: tuple[float, float] | None = None  # open loop: 1-s windows' p10, p90 speed (or none)

    def error(self, metric: str) -> float:
        m, p = self.measured[metric], self.predicted[metric]
        return (p - m) / m if m else math.nan

    def error_at_speed(self, metric: str) -> float:
        m, p = self.measured[metric], self.at_speed.get(metric, math.nan)
        return (p - m) / m if m else math.nan

    def passed(self) -> bool:
        return all(abs(self.error(k)) <= TARGETS[k] for k in self.checked)

    def passes(self, metric: str) -> tuple[float, float] | None:
        """The two passes' measured values, back from their mean and their ratio (None: one pass)."""
        if metric not in self.repeat:
            return None
        first = 2.0 * self.measured[metric] / (2.0 + self.repeat[metric])
        return first, first * (1.0 + self.repeat[metric])

    def passed_at_speed(self) -> bool:
        return all(abs(self.error_at_speed(k)) <= TARGETS[k] for k in self.checked if k in self.at_speed)


@dataclass
class ServeValidation:
    profile: str
    image: str
    rows: list[Row] = field(default_factory=list)
    host_speed: dict[str, object] = field(default_factory=dict)  # host_speed.HostSpeed.to_dict, validation's
    calibration_host_speed: dict[str, object] = field(default_factory=dict)  # the profile's, when it has one

    def passed(self) -> bool:
        return all(row.passed() for row in self.rows)

    def passed_at_speed(self) -> bool:
        return all(row.passed_at_speed() for row in self.rows)

    def repeatability(self) -> dict[str, float]:
        """Per latency target, the largest |second pass / first pass - 1| over the rows it holds: the
        host's own noise floor in this run, below which no model's error can be told apart."""
        worst: dict[str, float] = {}
        for row in self.rows:
            for metric, change in row.repeat.items():
                if metric in row.checked and math.isfinite(change):
                    worst[metric] = max(worst.get(metric, 0.0), abs(change))
        return worst

    def to_json(self) -> str:
        """The report as strict JSON: a figure that is not a number (a closed loop's utilisation, an
        error against a zero) is written as null, which every JSON reader takes; NaN is not JSON."""
        return json.dumps(
            finite_or_null(
                {
                    "profile": self.profile,
                    "image": self.image,
                    "passed": self.passed(),
                    "passed_at_measured_speed": self.passed_at_speed(),
                    "repeatability": self.repeatability(),
                    "host_speed": self.host_speed,
                    "calibration_host_speed": self.calibration_host_speed,
                    "targets": TARGETS,
                    "rows": [
                        {
                            **asdict(r),
                            "errors": {k: r.error(k) for k in r.measured if k in r.predicted},
                            "errors_at_measured_speed": {k: r.error_at_speed(k) for k in r.at_speed},
                        }
                        for r in self.rows
                    ],
                }
            ),
            indent=2,
            allow_nan=False,
        )


def nan_for_null(value: Any) -> Any:
    """A figure back from JSON (or a mapping of them): null was a NaN (files written before nulls hold
    NaN itself)."""
    if isinstance(value, dict):
        return {key: nan_for_null(item) for key, item in value.items()}
    return math.nan if value is None else value


FIGURES = ("utilisation", "speed", "measured", "predicted", "at_speed", "repeat", "in_flight")  # NaN-able


def read_validation(path: Path) -> ServeValidation:
    """A validation.json written by `validate_serve`, back as a ServeValidation."""
    data = json.loads(path.read_text())
    names = {column.name for column in fields(Row)}
    rows = []
    for raw in data["rows"]:
        kept = {k: nan_for_null(v) if k in FIGURES else v for k, v in raw.items() if k in names}
        if kept.get("speed_within") is not None:
            kept["speed_within"] = tuple(kept["speed_within"])
        rows.append(Row(**{**kept, "checked": tuple(kept["checked"])}))
    return ServeValidation(
        data["profile"],
        data["image"],
        rows,
        host_speed=data.get("host_speed") or {},
        calibration_host_speed=data.get("calibration_host_speed") or {},
    )


@dataclass(frozen=True)
class TrainCase:
    name: str
    stop_after: list[float]
    sigterm_checkpoint: bool
    measured: float
    predicted: float
    measured_runs: int
    predicted_runs: int
    interference: float = 0.0
    speed: float = 1.0  # the runs' mean step time / the profile's: the testbed's drift between runs
    predicted_at_speed: float = 0.0  # predicted with the profile's step time scaled by speed

    def error(self) -> float:
        return (self.predicted - self.measured) / self.measured

    def error_at_speed(self) -> float:
        return (self.predicted_at_speed - self.measured) / self.measured

    def passed(self) -> bool:
        return abs(self.error()) <= COMPLETION_TARGET

    def passed_at_speed(self) -> bool:
        return abs(self.error_at_speed()) <= COMPLETION_TARGET


@dataclass
class TrainValidation:
    profile: str
    image: str
    cases: list[TrainCase] = field(default_factory=list)

    def passed(self) -> bool:
        return all(c.passed() for c in self.cases)

    def passed_at_speed(self) -> bool:
        return all(c.passed_at_speed() for c in self.cases)
