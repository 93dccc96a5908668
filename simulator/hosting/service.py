"""Which device a variant's requests run on, and the service-time distribution and scale there."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.catalog import Catalog, InstanceType
from simulator.scenario.distributions import Distribution
from simulator.scenario.models import ModelSpec


@dataclass(frozen=True)
class ServicePlan:
    """`distribution` sampled and multiplied by `scale` gives one request's demand on one `device`."""

    distribution: Distribution
    scale: float
    device: str  # "cpu" or "gpu"
    devices: int  # cores or GPUs available to the workers

    def mean(self) -> float:
        return self.distribution.mean() * self.scale


def service_plan(model: ModelSpec, instance: InstanceType, catalog: Catalog) -> ServicePlan:
    """Per-instance-type override, else GPU time scaled by GPU speed, else CPU time scaled by cpu_speed."""
    override = model.per_instance_type.get(instance.name)
    if instance.gpu is not None and model.gpu_service_time is not None:
        speed = catalog.gpu_model(instance.gpu.type).speed
        distribution = override or model.gpu_service_time
        return ServicePlan(distribution, 1.0 if override else 1.0 / speed, "gpu", instance.gpu.count)
    if override is not None:
        return ServicePlan(override, 1.0, "cpu", instance.vcpus)
    assert model.service_time is not None
    return ServicePlan(model.service_time, 1.0 / instance.cpu_speed, "cpu", instance.vcpus)


def device_speed(instance: InstanceType, catalog: Catalog) -> tuple[str, int, float]:
    """(device kind, devices per instance, speed factor): GPUs when the instance has them, else vCPUs."""
    if instance.gpu is not None:
        return "gpu", instance.gpu.count, catalog.gpu_model(instance.gpu.type).speed
    return "cpu", instance.vcpus, instance.cpu_speed
