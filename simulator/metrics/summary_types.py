"""A run's summary as frozen types: assembled once (`compose` in metrics/summary.py), read by attribute.

`as_dict()` is the summary.json contract: field order is key order, and a part only some variants have
(serverless, autoscaling, pipeline, batching, elastic_inference) is left out rather than written as null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar

from simulator.core.stats import combine_summaries, mean_ci95
from simulator.metrics.parts import OPTIONAL, Part

T = TypeVar("T")


def mean_of(parts: Sequence[T]) -> T:
    """Replication means of every figure, in the type of one run (so counts may be fractional).

    Each number is `mean_ci95`'s mean, as in summary.json's `replications`; text (`engine`) is the first's.
    """
    first = parts[0]
    if len(parts) == 1:
        return first
    if is_dataclass(first) and not isinstance(first, type):
        means = {f.name: mean_of([getattr(part, f.name) for part in parts]) for f in fields(first)}
        return type(first)(**means)
    if isinstance(first, Mapping):
        return {key: mean_of([part[key] for part in parts]) for key in first}
    if first is None or isinstance(first, int | float):
        return mean_ci95(parts)["mean"]
    return first


@dataclass(frozen=True)
class Requests(Part):
    arrived: int
    completed: int
    failed: int
    """5XX: errors, timeouts, container failures."""
    throttled: int
    """4XX: refused at admission."""
    in_flight: int

    @property
    def errors(self) -> int:
        return self.failed + self.throttled


@dataclass(frozen=True)
class Latency(Part):
    """Milliseconds over completed requests; None when none completed."""

    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class QueueWait(Part):
    """Milliseconds from arrival to service start, over requests that started."""

    mean: float | None
    p95: float | None


@dataclass(frozen=True)
class Cost(Part):
    total: float
    per_million_inferences: float | None


@dataclass(frozen=True)
class Instances(Part):
    """Time-average and peak InService instances in the window."""

    mean: float
    max: int


@dataclass(frozen=True)
class Window(Part):
    start: float
    end: float


@dataclass(frozen=True)
class SetupTime(Part):
    mean: float | None
    p95: float | None
    max: float | None


@dataclass(frozen=True)
class ServerlessBill(Part):
    compute_gb_seconds: float
    compute_cost_usd: float
    data_processed_gb: float
    data_cost_usd: float
    provisioned_gb_seconds: float
    provisioned_cost_usd: float
    total_cost_usd: float


@dataclass(frozen=True)
class Serverless(Part):
    memory_mb: int | None
    cold_starts: int
    cold_start_fraction: float
    model_setup_time_ms: SetupTime
    throttled: int
    max_in_flight: int
    max_environments: int
    billing: ServerlessBill


@dataclass(frozen=True)
class Desired(Part):
    min: int | None
    max: int | None


@dataclass(frozen=True)
class Oscillation(Part):
    scaling_actions: int
    direction_flips: int
    flips_per_hour: float
    max_flips_in_an_hour: int
    oscillating: bool


@dataclass(frozen=True)
class Autoscaling(Part):
    scaling_activities: int
    scale_outs: int
    scale_ins: int
    desired: Desired
    oscillation: Oscillation


@dataclass(frozen=True)
class StageLatency(Part):
    mean: float | None
    p50: float | None
    p99: float | None


@dataclass(frozen=True)
class Container(Part):
    latency_ms: StageLatency


@dataclass(frozen=True)
class Pipeline(Part):
    containers: Mapping[str, Container]
    hops_ms: StageLatency
    model_latency_ms: StageLatency


@dataclass(frozen=True)
class Batching(Part):
    batches: int
    mean_batch_size: float | None


@dataclass(frozen=True)
class ElasticInference(Part):
    accelerator_price_per_hour: float


@dataclass(frozen=True)
class Extras:
    """The parts only some variants have, computed before the summary is assembled."""

    serverless: Serverless | None = None
    autoscaling: Autoscaling | None = None
    pipeline: Pipeline | None = None
    batching: Batching | None = None
    elastic_inference: ElasticInference | None = None


@dataclass(frozen=True)
class Block(Part):
    """The figures of the endpoint or of one variant over the measured window."""

    requests: Requests
    error_rate: float
    throughput_per_s: float
    latency_ms: Latency
    model_latency_ms: Latency
    queue_wait_ms: QueueWait
    cost_usd: Cost


@dataclass(frozen=True)
class VariantBlock(Block):
    instances: Instances
    serverless: Serverless | None = field(default=None, metadata=OPTIONAL)
    autoscaling: Autoscaling | None = field(default=None, metadata=OPTIONAL)
    pipeline: Pipeline | None = field(default=None, metadata=OPTIONAL)
    batching: Batching | None = field(default=None, metadata=OPTIONAL)
    elastic_inference: ElasticInference | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class Summary(Block):
    """One run's summary.json: the endpoint block, the window, every variant's block, the engine that ran."""

    window_s: Window
    variants: Mapping[str, VariantBlock]
    engine: str


def combine(summaries: Sequence[Summary]) -> dict[str, Any]:
    """summary.json's `replications`: every figure's mean and 95% interval across the runs."""
    return combine_summaries([summary.as_dict() for summary in summaries])
