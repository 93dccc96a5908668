"""How a model is served beyond one container on one device: pipelines, dynamic batching, Elastic Inference.

Each part is optional on a model; a model without them takes the engine's single-container fast path.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from simulator.scenario.common import Name, StrictModel, cased
from simulator.scenario.distributions import Distribution, ServiceTime
from simulator.scenario.units import Bandwidth, Duration, Size


class ContainerSpec(StrictModel):
    """One container of an inference pipeline (SageMaker runs 2-15 in sequence on every instance).

    `service_time` is per request on one reference vCPU (ml.c5), scaled by the instance's cpu_speed.
    `workers` model-server workers of this container on each instance (default: the vCPU count).
    The container's response is `output_ratio` x its input bytes, or `output_size` bytes when given.
    """

    name: Name
    service_time: ServiceTime
    workers: int | None = Field(strict=True, default=None, ge=1, le=1024)
    output_ratio: float = Field(default=1.0, ge=0, le=1000, allow_inf_nan=False)
    output_size: Size | None = Field(default=None, ge=0)


class HopSpec(StrictModel):
    """One container-to-container HTTP call on the same instance.

    Time per hop = `latency` (serialisation and the local HTTP round trip) + bytes / `bandwidth`
    (serialising and copying the payload over loopback). Defaults are estimates: 0.5 ms and 500 MB/s.
    """

    latency: Duration = Field(default=0.0005, ge=0)
    bandwidth: Bandwidth = Field(default=500e6, gt=0)

    def time(self, payload_bytes: float) -> float:
        return self.latency + payload_bytes / self.bandwidth


class BatchTime(StrictModel):
    """Measured batch time on one named instance type's device: `base + per_request * n` seconds."""

    base: Duration = Field(ge=0)
    per_request: Duration = Field(gt=0)


class BatchingSpec(StrictModel):
    """Dynamic batching in the model server (as TorchServe's batch_size / max_batch_delay).

    A device takes a batch when `max_batch_size` requests wait or the oldest has waited
    `max_queue_delay`. A batch of n takes `base + per_request * n` seconds on one reference device
    (a V100 GPU, or an ml.c5 vCPU), divided by the device's speed factor; `per_instance_type` gives
    measured values for named instance types instead (used as is). Batching describes GPU serving: on a
    CPU-only instance it applies only when the model has no `service_time`.
    """

    max_batch_size: int = Field(strict=True, ge=1, le=1024)
    max_queue_delay: Duration = Field(default=0.0, ge=0, le=60)
    base: Duration = Field(ge=0, description="fixed time of one batch (kernel launch, framework)")
    per_request: Duration = Field(gt=0, description="added time per request in the batch")
    activation_memory: Size = Field(
        default=0.0, ge=0, description="device memory per request in a batch, beside the model"
    )
    per_instance_type: dict[str, BatchTime] = Field(default_factory=dict)

    def batch_time(self, size: int) -> float:
        return self.base + self.per_request * size

    def for_instance(self, instance_type: str) -> BatchingSpec:
        """These settings with the measured batch time of `instance_type` when one is given."""
        measured = self.per_instance_type.get(instance_type)
        if measured is None:
            return self
        return self.model_copy(update={"base": measured.base, "per_request": measured.per_request})


class Precision(StrEnum):
    FP32 = "fp32"
    FP16 = "fp16"


class ElasticInferenceSpec(StrictModel):
    """What one inference costs on an instance with an Elastic Inference accelerator (legacy service).

    Time = `cpu_time` on the instance (pre/post-processing, scaled by cpu_speed) + accelerator compute
    (`gflops` / (accelerator TFLOPS at `precision` x `efficiency`)) + transfer (payload / `bandwidth`
    + `round_trip`). The accelerator serves one inference at a time. Defaults are estimates:
    efficiency 0.3 of peak, 10 Gbit/s attachment, 1 ms round trip.
    """

    gflops: float = Field(gt=0, allow_inf_nan=False, description="GFLOPs per inference")
    cpu_time: Distribution
    precision: Annotated[Precision, cased(str.lower)] = Precision.FP32
    efficiency: float = Field(default=0.3, gt=0, le=1)
    bandwidth: Bandwidth = Field(default=1.25e9, gt=0)
    round_trip: Duration = Field(default=0.001, ge=0)

    def accelerator_time(self, tflops_fp32: float, tflops_fp16: float, payload_bytes: float) -> float:
        """Seconds the accelerator is busy per inference (compute + transfer)."""
        tflops = tflops_fp16 if self.precision is Precision.FP16 else tflops_fp32
        compute = self.gflops / (tflops * 1000.0 * self.efficiency)
        return compute + payload_bytes / self.bandwidth + self.round_trip


class PipelineFields(StrictModel):
    """Mixin of the optional serving fields on a model (kept here so models.py stays small)."""

    containers: list[ContainerSpec] | None = Field(
        default=None, json_schema_extra={"minItems": 2, "maxItems": 15}
    )
    hop: HopSpec | None = Field(default=None, description="container-to-container hops (default HopSpec())")
    batching: BatchingSpec | None = None
    elastic_inference: ElasticInferenceSpec | None = None

    @field_validator("containers")
    @classmethod
    def _two_to_fifteen(cls, value: list[ContainerSpec] | None) -> list[ContainerSpec] | None:
        if value is not None and not 2 <= len(value) <= 15:
            raise ValueError(f"an inference pipeline has 2-15 containers, got {len(value)}")
        return value

    @model_validator(mode="after")
    def _distinct_container_names(self) -> PipelineFields:
        names = [c.name for c in self.containers or []]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"duplicate container name {duplicates[0]!r}")
        if self.hop is not None and not self.containers:
            raise ValueError("hop applies between the containers of a pipeline: give containers")
        if self.containers and self.batching is not None:
            raise ValueError("give containers or batching, not both (batching is for one model container)")
        return self
