"""Endpoint, production variants and scheduled UpdateEndpointWeightsAndCapacities calls."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, WithJsonSchema

from simulator.scenario.common import Name, StrictModel, cased
from simulator.scenario.distributions import Deterministic, Distribution
from simulator.scenario.scaling import AutoscalingSpec, ServerlessSpec
from simulator.scenario.units import Duration, Size


class Routing(StrEnum):
    RANDOM = "RANDOM"
    LEAST_OUTSTANDING_REQUESTS = "LEAST_OUTSTANDING_REQUESTS"


_ROUTINGS = [routing.value for routing in Routing]
RoutingField = Annotated[
    Routing,
    cased(str.upper),
    WithJsonSchema({"enum": _ROUTINGS + [name.lower() for name in _ROUTINGS], "description": "any case"}),
]


class VariantSpec(StrictModel):
    """A production variant: `instance_count` instances of `instance_type` serving `model`.

    `workers` model-server workers per instance (default: the vCPU count, or the GPU count when the
    model serves on GPUs). Each instance queues at most `max_queue` requests beyond its busy workers;
    more are rejected (HTTP 4XX-style throttling, counted as `throttled`).
    """

    name: Name
    model: str
    instance_type: str | None = Field(default=None, description="required unless `serverless` is given")
    instance_count: int = Field(strict=True, default=1, ge=1, le=1000)
    workers: int | None = Field(strict=True, default=None, ge=1, le=1024)
    weight: float = Field(strict=True, default=1.0, ge=0, allow_inf_nan=False)
    max_queue: int = Field(strict=True, default=1000, ge=0)
    routing: RoutingField | None = None
    instance_speeds: list[Annotated[float, Field(strict=True, gt=0, le=100, allow_inf_nan=False)]] | None = (
        Field(
            default=None,
            min_length=1,
            description="relative speed of each instance, cycled in launch order (a degraded host or noisy"
            " neighbour is 0.5); default all 1.0",
        )
    )
    startup_time: Distribution | None = Field(
        default=None,
        description="launch request -> InService for instances added during the run (default 0 s)",
    )
    accelerator_type: str | None = Field(
        default=None,
        description="Elastic Inference accelerator attached to each CPU instance (SageMaker's"
        " AcceleratorType, e.g. ml.eia2.medium; legacy service); its price is added to the instance's",
    )
    autoscaling: AutoscalingSpec | None = None
    serverless: ServerlessSpec | None = None


class EndpointUpdate(StrictModel):
    """UpdateEndpointWeightsAndCapacities at time `at`: new weights and/or instance counts."""

    at: Duration = Field(ge=0)
    weights: dict[str, Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )
    instance_counts: dict[str, Annotated[int, Field(strict=True, ge=1, le=1000)]] = Field(
        default_factory=dict
    )


class EndpointSpec(StrictModel):
    """A real-time endpoint with 1-10 production variants.

    `overhead`: per-request routing/network latency outside the model (SageMaker's OverheadLatency),
    default 2 ms. `network_bandwidth`: bytes per second for moving payloads, adding
    payload_size / bandwidth to the overhead (default 125 MB/s, i.e. 1 Gbit/s).
    """

    name: Name
    routing: RoutingField = Routing.RANDOM
    overhead: Distribution = Field(
        default_factory=lambda: Deterministic(distribution="deterministic", value=0.002)
    )
    network_bandwidth: Size = Field(default=125e6, gt=0)
    invocation_timeout: Duration = Field(default=60.0, gt=0, le=3600)
    variants: list[VariantSpec] = Field(min_length=1, max_length=10)
    updates: list[EndpointUpdate] = Field(default_factory=list)
