"""validation.json as `calibrate summarise` reads it back: checked field by field, because the files
it is given may have been copied, merged or edited by hand, and a broken one must be named in one
line rather than fail deep inside a table."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictStr, model_validator

from simulator.calibrate.results import nan_for_null

Metric = Literal["p50_ms", "p95_ms", "throughput"]


Figure = Annotated[float, BeforeValidator(nan_for_null)]  # null: no figure (a closed loop's utilisation)


class Band(BaseModel):
    """One requests-in-flight band of `in_flight.compared`: the model's and the measured time."""

    model_config = ConfigDict(extra="allow")
    model_ms: Figure
    measured_ms: Figure = Field(gt=0)


class RowRecord(BaseModel):
    """One load level of a validation: what was measured, what was predicted, and the errors."""

    model_config = ConfigDict(extra="allow")
    kind: Literal["open", "closed"]
    level: Figure
    utilisation: Figure = math.nan
    measured: dict[str, Figure]
    predicted: dict[str, Figure]
    checked: list[Metric] = Field(default_factory=list)
    errors: dict[str, Figure] = Field(default_factory=dict)
    errors_at_measured_speed: dict[str, Figure] = Field(default_factory=dict)
    repeat: dict[str, Figure] = Field(default_factory=dict)
    speed: Figure = math.nan
    in_flight: dict[str, Band] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _complete(self) -> RowRecord:
        missing = [metric for metric in self.checked if metric not in self.errors]
        if missing:
            raise ValueError(f"checked metric {missing[0]!r} has no entry in errors")
        if self.kind == "open" and not math.isfinite(self.utilisation):
            raise ValueError("an open-loop row needs its utilisation")
        if self.kind == "closed" and not all(
            "throughput" in side for side in (self.measured, self.predicted)
        ):
            raise ValueError("a closed-loop row needs measured and predicted throughput")
        return self


class ValidationRecord(BaseModel):
    """A whole validation.json: the image it measured, its rows and verdicts, and the host probes."""

    model_config = ConfigDict(extra="allow")
    image: StrictStr
    rows: list[RowRecord]
    passed: StrictBool = False
    passed_at_measured_speed: StrictBool = False
    host_speed: Any = None
    calibration_host_speed: Any = None
