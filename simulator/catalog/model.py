"""Typed accessor over the bundled catalog YAML, with per-scenario overrides merged in."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GpuModel(_Frozen):
    memory_gib: float = Field(gt=0)
    speed: float = Field(gt=0)


class GpuSpec(_Frozen):
    type: str
    count: int = Field(ge=1)


class InstanceType(_Frozen):
    name: str
    vcpus: int = Field(ge=1)
    memory_gib: float = Field(gt=0)
    price_per_hour: float = Field(ge=0)
    price_source: str
    cpu_speed: float = Field(gt=0)
    gpu: GpuSpec | None = None
    spot_interruption_bucket: str | None = None

    @property
    def family(self) -> str:
        """'ml.c5.xlarge' -> 'c5'."""
        return self.name.split(".")[1]


class Accelerator(_Frozen):
    name: str
    fp32_tflops: float = Field(gt=0)
    fp16_tflops: float = Field(gt=0)
    memory_gib: float = Field(gt=0)
    price_per_hour: float = Field(ge=0)
    price_source: str


class ServerlessTiers(_Frozen):
    memory_tiers_mb: tuple[int, ...]
    mb_per_vcpu: float = Field(gt=0)
    price_per_gb_second: float = Field(ge=0)
    price_per_gb_processed: float = Field(ge=0)
    provisioned_price_per_gb_second: float = Field(ge=0)
    price_source: str
    max_concurrency_limit: int = Field(ge=1)
    account_concurrency_limit: int = Field(ge=1)


class Catalog(_Frozen):
    reference_instance: str
    spot_discount: float = Field(ge=0, lt=1)
    gpus: dict[str, GpuModel]
    instances: dict[str, InstanceType]
    accelerators: dict[str, Accelerator]
    serverless: ServerlessTiers

    def instance(self, name: str) -> InstanceType:
        return self.instances[name]

    def gpu_model(self, name: str) -> GpuModel:
        return self.gpus[name]

    def price_per_hour(self, instance_type: str, accelerator_type: str | None = None) -> float:
        """On-demand USD/hour of one instance, with its Elastic Inference accelerator when it has one."""
        price = self.instances[instance_type].price_per_hour
        if accelerator_type is not None:
            price += self.accelerators[accelerator_type].price_per_hour
        return price

    def with_overrides(self, overrides: dict[str, dict[str, Any]]) -> Catalog:
        """A new catalog where `overrides[type]` fields replace (or add) entries, e.g. a negotiated price;
        the key `serverless` overrides serverless settings (prices, the account concurrency limit)."""
        if not overrides:
            return self
        data = self.model_dump()
        for name, fields in overrides.items():
            if name == "serverless":  # e.g. this account's concurrency limit or negotiated prices
                data["serverless"] = {**data["serverless"], **fields}
                continue
            section = "accelerators" if name in data["accelerators"] else "instances"
            entry = data[section].get(name, {"name": name})
            data[section][name] = {**entry, **fields, "name": name}
        return Catalog.model_validate(data)


def _with_names(entries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: {"name": name, **fields} for name, fields in entries.items()}


@cache
def load_catalog() -> Catalog:
    """The bundled catalog; cached because it is immutable package data."""
    text = resources.files("simulator.catalog").joinpath("data/catalog.yaml").read_text()
    raw = yaml.safe_load(text)
    raw["instances"] = _with_names(raw["instances"])
    raw["accelerators"] = _with_names(raw["accelerators"])
    return Catalog.model_validate(raw)
