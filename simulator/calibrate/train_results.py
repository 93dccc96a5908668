"""A training validation's result: measured and predicted completion times per stop schedule."""

from __future__ import annotations

from dataclasses import dataclass, field

COMPLETION_TARGET = 0.10


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
