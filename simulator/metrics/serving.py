"""Summary figures of pipelines, batching and Elastic Inference variants (ContainerLatency, batch sizes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.hosting.batching import BatchingInstance
from simulator.hosting.variant import Variant
from simulator.metrics.bins import per_bin_mean
from simulator.metrics.summary_types import (
    Batching,
    Container,
    ElasticInference,
    Extras,
    Pipeline,
    StageLatency,
)

LEGACY_NOTE = "Elastic Inference is a legacy service (closed to new customers since 2023-04-15)"


def _ms(values: np.ndarray) -> StageLatency:
    values = values[~np.isnan(values)] * 1000.0
    if len(values) == 0:
        return StageLatency(None, None, None)
    p50, p99 = np.percentile(values, [50, 99])
    return StageLatency(float(values.mean()), float(p50), float(p99))


def pipeline_figures(log: RequestLog, variant: Variant, window: tuple[float, float]) -> Pipeline:
    """ContainerLatency per container, hop time and ModelLatency (first container in -> last out).

    Over completed requests that arrived in the window; ModelLatency = sum of containers + hops.
    """
    record = variant.stage_record
    assert record is not None
    arrival = log.column("arrival")
    mine = (
        (log.column("variant") == variant.index)
        & (log.column("status") == Status.OK)
        & (arrival >= window[0])
    )
    requests = np.flatnonzero(mine)
    latency = record.container_latency(requests)
    return Pipeline(
        containers={name: Container(_ms(latency[:, k])) for k, name in enumerate(record.names)},
        hops_ms=_ms(record.hop_time(requests)),
        model_latency_ms=_ms(log.column("end")[requests] - log.column("start")[requests]),
    )


def batching_figures(variant: Variant) -> Batching:
    """How full the batches were (over the whole run)."""
    instances = [i for i in variant.fleet if isinstance(i, BatchingInstance)]
    batches = sum(i.batches for i in instances)
    served = sum(i.batched_requests for i in instances)
    return Batching(batches, served / batches if batches else None)


def serving_extras(log: RequestLog, variant: Variant, window: tuple[float, float]) -> Extras:
    """The `pipeline`, `batching` and `elastic_inference` parts of a variant that uses them."""
    accelerated = variant.spec.accelerator_type is not None
    accelerator = variant.price_per_hour - variant.instance_type.price_per_hour
    return Extras(
        pipeline=pipeline_figures(log, variant, window) if variant.stage_record is not None else None,
        batching=batching_figures(variant) if variant.batching is not None else None,
        elastic_inference=ElasticInference(accelerator) if accelerated else None,
    )


def add_container_series(frame: Any, log: RequestLog, variant: Variant, period: float, n_bins: int) -> None:
    """ContainerLatency:<name> columns (mean microseconds per period) for a pipeline variant."""
    record = variant.stage_record
    assert record is not None
    ok = (log.column("variant") == variant.index) & (log.column("status") == Status.OK)
    requests = np.flatnonzero(ok)
    requests = requests[requests < len(record.enter)]
    bins = (log.column("arrival")[requests] // period).astype(np.int64)
    latency = record.container_latency(requests) * 1e6
    for k, name in enumerate(record.names):
        frame[f"ContainerLatency:{name}"] = per_bin_mean(bins, latency[:, k], n_bins)
