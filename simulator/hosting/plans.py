"""Which serving discipline a variant uses on its instance type: one container, a pipeline, or batches.

A model with `containers` runs as a pipeline; a variant with an Elastic Inference accelerator runs as
a two-stage pipeline (CPU side, then the accelerator); a model with `batching` serves batches on its
devices; anything else keeps the single-container ServicePlan (the engine's fast path).
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.catalog import Catalog, InstanceType
from simulator.hosting.batching import BatchingPlan
from simulator.hosting.service import ServicePlan, device_speed, service_plan
from simulator.scenario.distributions import Deterministic, Distribution
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.models import ModelSpec
from simulator.scenario.serving import HopSpec


@dataclass(frozen=True)
class StagePlan:
    """One pipeline stage on an instance type: draws x `scale`, `workers`, then `hop` seconds onward."""

    name: str
    distribution: Distribution
    scale: float
    workers: int
    hop: float


def hop_times(model: ModelSpec, payload_size: float) -> list[float]:
    """Seconds of each container-to-container hop, from the payload each container passes on."""
    assert model.containers is not None
    hop = model.hop or HopSpec()
    size, hops = payload_size, []
    for container in model.containers[:-1]:
        size = container.output_size if container.output_size is not None else size * container.output_ratio
        hops.append(hop.time(size))
    return hops


def stage_plans(
    model: ModelSpec, variant: VariantSpec, instance: InstanceType, catalog: Catalog, payload_size: float
) -> list[StagePlan] | None:
    """The stages of a pipeline or Elastic Inference variant; None for the other disciplines."""
    if model.containers is not None:
        hops = [*hop_times(model, payload_size), 0.0]
        return [
            StagePlan(
                container.name,
                container.service_time,
                1.0 / instance.cpu_speed,
                container.workers or variant.workers or instance.vcpus,
                hop,
            )
            for container, hop in zip(model.containers, hops, strict=True)
        ]
    if variant.accelerator_type is not None and model.elastic_inference is not None:
        ei = model.elastic_inference
        accelerator = catalog.accelerators[variant.accelerator_type]
        busy = ei.accelerator_time(accelerator.fp32_tflops, accelerator.fp16_tflops, payload_size)
        return [
            StagePlan("cpu", ei.cpu_time, 1.0 / instance.cpu_speed, variant.workers or instance.vcpus, 0.0),
            StagePlan("accelerator", Deterministic(distribution="deterministic", value=busy), 1.0, 1, 0.0),
        ]
    return None


def uses_batching(model: ModelSpec, instance: InstanceType) -> bool:
    """Batching describes GPU serving; on a CPU instance it applies only to a model without service_time."""
    return model.batching is not None and (instance.gpu is not None or model.service_time is None)


def batching_plan(model: ModelSpec, instance: InstanceType, catalog: Catalog) -> BatchingPlan | None:
    if model.batching is None or not uses_batching(model, instance):
        return None
    if instance.name in model.batching.per_instance_type:
        return BatchingPlan(model.batching.for_instance(instance.name), 1.0)
    _, _, speed = device_speed(instance, catalog)
    return BatchingPlan(model.batching, 1.0 / speed)


def base_plan(model: ModelSpec, instance: InstanceType, catalog: Catalog) -> ServicePlan:
    """The device the variant's workers count against (and a representative single-request time)."""
    if model.containers is not None:
        first = model.containers[0]
        return ServicePlan(first.service_time, 1.0 / instance.cpu_speed, "cpu", instance.vcpus)
    batching = batching_plan(model, instance, catalog)
    if batching is not None:
        device, devices, _ = device_speed(instance, catalog)
        one = Deterministic(distribution="deterministic", value=batching.spec.batch_time(1))
        return ServicePlan(one, batching.scale, device, devices)
    if model.service_time is None and model.elastic_inference is not None and instance.gpu is None:
        return ServicePlan(model.elastic_inference.cpu_time, 1.0 / instance.cpu_speed, "cpu", instance.vcpus)
    return service_plan(model, instance, catalog)
