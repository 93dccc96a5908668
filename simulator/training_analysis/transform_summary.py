"""A batch transform's summary.json as frozen types: built once (`transform_replications`), read by
attribute. `as_dict()` is the file: field order is key order; `replications` only when there are several.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from simulator.metrics.parts import OPTIONAL, Interval, Part

F = TypeVar("F")


@dataclass(frozen=True)
class InstanceUse(Part, Generic[F]):
    """One instance: when it was ready and done; device utilisation of billed and of processing time."""

    ready_at_s: F
    finished_at_s: F
    utilisation: F
    processing_utilisation: F


@dataclass(frozen=True)
class TransformJob(Part):
    """The job's figures: one run as is, or replication means (so counts may be fractional)."""

    instance_type: str
    instance_count: int
    records: float
    records_per_invocation: float
    invocations: float
    duration_s: float
    throughput_records_per_s: float
    cost_usd: float
    usd_per_million_records: float
    instances: dict[str, InstanceUse[float]]


@dataclass(frozen=True)
class TransformIntervals(Part):
    """The 95% CI of every figure of TransformJob over `n` replications."""

    n: int
    records: Interval
    records_per_invocation: Interval
    invocations: Interval
    duration_s: Interval
    throughput_records_per_s: Interval
    cost_usd: Interval
    usd_per_million_records: Interval
    instances: dict[str, InstanceUse[Interval]]


@dataclass(frozen=True)
class TransformSummary(Part):
    batch_transform: TransformJob
    replications: TransformIntervals | None = field(default=None, metadata=OPTIONAL)
