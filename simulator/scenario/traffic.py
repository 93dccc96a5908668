"""Traffic: how requests arrive (open-loop processes, closed-loop users, trace replay) and their payload.

Closed-loop patterns follow the Inference Recommender's TrafficPattern. Where its sources disagree we
pick one reading and document it: `spawn_rate` is users added per minute (the API reference), and
`Stairs.duration` is the length of each step (the API reference), not of the whole staircase.
"""

from __future__ import annotations

import csv
import itertools
import math
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from simulator.scenario.common import StrictModel, at_key, cased
from simulator.scenario.distributions import Distribution
from simulator.scenario.files import checked
from simulator.scenario.units import Duration, Rate, Size


class PoissonArrivals(StrictModel):
    """Homogeneous Poisson arrivals at `rate` requests per second."""

    process: Literal["poisson"]
    rate: Rate = Field(gt=0)


class RateStep(StrictModel):
    at: Duration = Field(ge=0)
    rate: Rate = Field(ge=0)


class ScheduleArrivals(StrictModel):
    """Piecewise-constant rate: each step's rate holds from its `at` until the next step's."""

    process: Literal["schedule"]
    steps: list[RateStep] = Field(min_length=1)

    @field_validator("steps")
    @classmethod
    def _ordered(cls, steps: list[RateStep]) -> list[RateStep]:
        if steps[0].at != 0:
            raise ValueError("the first step must start at 0")
        if any(b.at <= a.at for a, b in itertools.pairwise(steps)):
            raise ValueError("step times must be strictly increasing")
        if max(step.rate for step in steps) <= 0:
            raise ValueError("at least one step needs a positive rate")
        return steps


class DiurnalArrivals(StrictModel):
    """Sinusoidal day: rate(t) = mean_rate * (1 + amplitude * cos(2 pi (t - peak_at) / period))."""

    process: Literal["diurnal"]
    mean_rate: Rate = Field(gt=0)
    amplitude: float = Field(strict=True, default=0.5, ge=0, le=1)
    period: Duration = Field(default=86400.0, gt=0)
    peak_at: Duration = Field(default=14 * 3600.0, ge=0)


class Phase(StrictModel):
    """An Inference Recommender phase: starts at `initial_users`, adds `spawn_rate` users per minute."""

    initial_users: int = Field(strict=True, ge=1, le=10000, alias="initial_number_of_users")
    spawn_rate: float = Field(strict=True, default=0, ge=0, le=10000)
    duration: Duration = Field(ge=120, le=3600, alias="duration_in_seconds")


class Stairs(StrictModel):
    """`number_of_steps` steps of `duration` each; step k (from 0) runs (k+1) * `users_per_step` users."""

    duration: Duration = Field(ge=1, alias="duration_in_seconds")
    number_of_steps: int = Field(strict=True, ge=1, le=1000)
    users_per_step: int = Field(strict=True, ge=1, le=10000)


def pattern_problem(kind: str | None, phases: list[Phase] | None, stairs: Stairs | None) -> str | None:
    """Why a PHASES or STAIRS pattern lacks its part or mixes in the other; None when it is whole."""
    if kind == "PHASES" and (not phases or stairs is not None):
        return "traffic_type PHASES needs phases (and no stairs)"
    if kind == "STAIRS" and (stairs is None or phases):
        return "traffic_type STAIRS needs stairs (and no phases)"
    return None


class ClosedLoopArrivals(StrictModel):
    """Users invoking in a closed loop: send, wait for the response (or error), think, send again.

    Give `users` for a constant population, or a `traffic_type` PHASES / STAIRS pattern. When a
    phase starts the population is set to its initial users; users above the target leave after
    their current request.
    """

    process: Literal["closed_loop"]
    users: int | None = Field(strict=True, default=None, ge=1, le=10000)
    traffic_type: Annotated[Literal["PHASES", "STAIRS"] | None, cased(str.upper)] = None
    phases: list[Phase] | None = Field(default=None, min_length=1, max_length=100)
    stairs: Stairs | None = None
    think_time: Distribution | None = None

    @model_validator(mode="after")
    def _one_pattern(self) -> ClosedLoopArrivals:
        if self.users is not None:
            if self.traffic_type or self.phases or self.stairs:
                raise ValueError("give either users or a traffic_type pattern, not both")
        elif self.traffic_type is None:
            raise ValueError("give users, or traffic_type PHASES with phases, or STAIRS with stairs")
        elif problem := pattern_problem(self.traffic_type, self.phases, self.stairs):
            raise ValueError(problem)
        return self

    def population_steps(self) -> list[tuple[float, float, float]]:
        """(start, initial users, users added per second) for each segment of the pattern."""
        if self.users is not None:
            return [(0.0, float(self.users), 0.0)]
        steps: list[tuple[float, float, float]] = []
        start = 0.0
        if self.phases:
            for phase in self.phases:
                steps.append((start, float(phase.initial_users), phase.spawn_rate / 60.0))
                start += phase.duration
        elif self.stairs is not None:
            for k in range(self.stairs.number_of_steps):
                steps.append((start, float((k + 1) * self.stairs.users_per_step), 0.0))
                start += self.stairs.duration
        steps.append((start, 0.0, 0.0))
        return steps


class TraceArrivals(StrictModel):
    """Replay of arrival timestamps (seconds from the start) from a CSV file's `column`.

    `time_scale` stretches (>1) or compresses (<1) the trace; timestamps past the scenario's
    duration are ignored.
    """

    process: Literal["trace"]
    file: str
    column: str | int = 0
    time_scale: float = Field(strict=True, default=1.0, gt=0, allow_inf_nan=False)
    _timestamps: np.ndarray = PrivateAttr(default_factory=lambda: np.empty(0))

    @model_validator(mode="after")
    def _load(self, info: ValidationInfo) -> TraceArrivals:
        try:
            path = checked(self.file, info, "trace")
        except ValueError as exc:
            raise at_key("file", self.file, str(exc)) from None
        try:
            with path.open(newline="") as handle:
                header, *rows = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise at_key("file", self.file, f"cannot read trace {str(path)!r}: {exc}") from None
        except ValueError:
            raise at_key("file", self.file, f"cannot read trace {str(path)!r}: the file is empty") from None
        header = [name.strip() for name in header]
        if isinstance(self.column, int) and not 0 <= self.column < len(header):
            raise at_key("column", self.column, f"trace {str(path)!r} has no column number {self.column}")
        column = header[self.column] if isinstance(self.column, int) else self.column
        if column not in header:
            raise at_key("column", self.column, f"trace {str(path)!r} has no column {column!r}")
        try:
            values = _timestamps(rows, header.index(column), f"trace {str(path)!r} column {column!r}")
        except ValueError as exc:  # the file's content is at fault, not the column's name
            raise at_key("file", self.file, str(exc)) from None
        if values.min() < 0:
            raise at_key("file", self.file, f"trace {str(path)!r} has negative timestamps")
        self.file = str(path.resolve())
        self._timestamps = np.sort(values) * self.time_scale
        return self

    def timestamps(self) -> np.ndarray:
        return self._timestamps


def _timestamps(rows: list[list[str]], index: int, where: str) -> np.ndarray:
    """The column's numbers; the first row that has none is named (line 2 is the first under the
    header), because a trace is usually exported by another tool and one bad line is easy to miss."""
    values: list[float] = []
    for line, row in enumerate(rows, start=2):
        if not row:
            continue
        cell = row[index].strip() if index < len(row) else ""
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise ValueError(f"{where} must hold numbers only: line {line} has {cell!r}")
        values.append(value)
    if not values:
        raise ValueError(f"{where} has no timestamps under its header")
    return np.array(values)


ArrivalSpec = Annotated[
    PoissonArrivals | ScheduleArrivals | DiurnalArrivals | ClosedLoopArrivals | TraceArrivals,
    Field(discriminator="process"),
]


class TargetVariantShare(StrictModel):
    """A share of requests that name a TargetVariant and bypass the weights."""

    variant: str
    share: float = Field(strict=True, gt=0, le=1)


class TrafficSpec(StrictModel):
    """Arrivals plus request payload: `payload_size` bytes (log-normal when `payload_cv` > 0)."""

    arrivals: ArrivalSpec
    payload_size: Size = Field(default=1024.0, ge=0, le=6 * 1024**2)
    payload_cv: float = Field(strict=True, default=0.0, ge=0, le=10)
    target_variants: list[TargetVariantShare] = Field(default_factory=list)

    @field_validator("target_variants")
    @classmethod
    def _shares(cls, shares: list[TargetVariantShare]) -> list[TargetVariantShare]:
        if sum(item.share for item in shares) > 1 + 1e-12:
            raise ValueError("target variant shares add up to more than 1")
        return shares
