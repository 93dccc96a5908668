"""What every scenario shares: its name, seeds, repetitions, region, catalog overrides, models and metrics."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, field_validator

from simulator.catalog import DEFAULT_REGION, bundled_regions
from simulator.scenario.common import StrictModel
from simulator.scenario.models import ModelSpec
from simulator.scenario.units import Duration


class MetricsSpec(StrictModel):
    """What to record. `period` is the CloudWatch datapoint length (60 s as SageMaker publishes)."""

    period: Duration = Field(default=60.0, ge=1, le=3600)
    per_request_records: bool | None = Field(
        default=None,
        description="keep every request's record (exact percentiles, Result.requests); false streams"
        " them into per-period aggregates and latency histograms in fixed memory; null (default) keeps"
        " them up to 10 million expected requests. Streaming needs open-loop traffic and no serverless.",
    )
    ring_capacity: int = Field(
        default=2**22,
        ge=2**17,
        le=2**28,
        strict=True,
        description="records held in memory while streaming (must exceed the requests in flight)",
    )


MAX_DURATION = 400 * 86400
CATALOG_NAME = re.compile(r"ml\.[a-z0-9]+(?:-[a-z0-9]+)*\.[a-z0-9]+(?:-[a-z0-9]+)*")


class ScenarioBase(StrictModel):
    """The run settings every kind of scenario shares (the job itself is in simulator/scenario/kinds.py).

    `warmup` is simulated but excluded from the summary; `replications` independent runs (seeds
    spawned from `seed`) give 95% confidence intervals. `catalog` overrides catalog entries, e.g.
    `{ml.c5.xlarge: {price_per_hour: 0.18}}`. `region` picks the catalog's prices (default us-east-1).
    `duration` is the simulated time of an endpoint run; the other kinds ignore it.
    """

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    seed: int = Field(strict=True, default=0, ge=0, le=2**63 - 1)
    duration: Duration | None = Field(default=None, gt=0, le=MAX_DURATION)
    warmup: Duration = Field(default=0.0, ge=0)
    replications: int = Field(strict=True, default=1, ge=1, le=100000)
    region: str = Field(default=DEFAULT_REGION, description="AWS region whose catalog prices costs use")
    catalog: dict[str, dict[str, Any]] = Field(default_factory=dict)
    models: dict[str, ModelSpec] = Field(default_factory=dict)
    metrics: MetricsSpec = Field(default_factory=MetricsSpec)
    engine: Literal["auto", "simpy", "fast"] = Field(
        default="auto",
        description="simulation engine: fast (an exact event loop for static fleets of FCFS workers"
        " under open-loop traffic, no SimPy), simpy (every feature), or auto (fast when it applies)",
    )

    @field_validator("region")
    @classmethod
    def _priced_region(cls, value: str) -> str:
        regions = bundled_regions()
        if value not in regions:
            raise ValueError(f"unknown region {value!r}: the catalog prices {', '.join(regions)}")
        return value

    @field_validator("catalog")
    @classmethod
    def _catalog_names(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Type names become candidate ids, file names and table keys: only SageMaker's shape."""
        for name in value:
            if name != "serverless" and not CATALOG_NAME.fullmatch(name):
                raise ValueError(
                    f"{name!r} is not an instance or accelerator type name: expected ml.<family>.<size>"
                    " (lower-case letters, digits and hyphens, e.g. ml.g5.xlarge)"
                )
        return value
