"""`options:` a scenario whose variants are alternatives: each alone takes the whole traffic."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, WithJsonSchema, field_validator

from simulator.scenario.common import StrictModel, cased
from simulator.scenario.units import Duration


class Percentile(StrEnum):
    P50 = "p50"
    P90 = "p90"
    P95 = "p95"
    P99 = "p99"


class SloSpec(StrictModel):
    """The service-level objective an option must meet: latency percentile and error rate."""

    percentile: Annotated[
        Percentile,
        cased(str.lower),
        WithJsonSchema({"enum": [p.value for p in Percentile] + [p.value.upper() for p in Percentile]}),
    ] = Percentile.P99
    latency: Duration = Field(gt=0)
    max_error_rate: float = Field(default=0.001, ge=0, le=1)


class OptionsSpec(StrictModel):
    """Compare `variants` (default: all) of the endpoint as alternatives under the same traffic.

    Each option runs alone with the scenario's full traffic and the same seeds (common random
    numbers); an option meets the SLO when the upper 95% bound of its latency percentile (the mean
    for one replication) is within `slo.latency` and its error rate within `slo.max_error_rate`.
    """

    slo: SloSpec
    variants: list[str] | None = Field(default=None, min_length=1)

    @field_validator("variants")
    @classmethod
    def _each_once(cls, variants: list[str] | None) -> list[str] | None:
        """A variant listed twice would run and show twice, as if it were two options."""
        listed = variants or []
        repeated = sorted({name for name in listed if listed.count(name) > 1})
        if repeated:
            raise ValueError(f"{', '.join(repeated)} is listed more than once")
        return variants
