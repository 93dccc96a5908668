"""Typed accessor over the bundled catalog YAML, with per-scenario overrides merged in."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from simulator.catalog.prices import read_prices


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GpuModel(_Frozen):
    """One accelerator device (a GPU, or an Inferentia chip): memory and speed relative to one V100."""

    memory_gib: float = Field(gt=0)
    speed: float = Field(gt=0)
    kind: str = "GPU"
    speed_source: str = ""


Architecture = Literal["x86_64", "arm64"]


class Family(_Frozen):
    """What every size of a family shares: the host CPU, its per-vCPU speed (and why), its instruction
    set (an image runs only on the one it was built for), legacy status."""

    cpu: str
    cpu_speed: float = Field(gt=0)
    cpu_speed_source: str
    architecture: Architecture = "x86_64"
    legacy: bool = False


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
    architecture: Architecture = "x86_64"
    gpu: GpuSpec | None = None
    spot_interruption_bucket: str | None = None
    network: str | None = None
    legacy: bool = False
    price_date: str | None = None

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
    region: str
    regions: tuple[str, ...]
    gpus: dict[str, GpuModel]
    families: dict[str, Family]
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


DEFAULT_REGION = "us-east-1"


def _with_names(entries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: {"name": name, **fields} for name, fields in entries.items()}


def _data(name: str) -> str:
    return resources.files("simulator.catalog").joinpath(f"data/{name}").read_text()


@cache
def bundled_regions() -> tuple[str, ...]:
    """The regions the bundled price table covers (a scenario's `region` must be one of them)."""
    return tuple(sorted({region for _, region in read_prices(_data("prices.csv"))}))


@cache
def load_catalog(region: str = DEFAULT_REGION) -> Catalog:
    """The bundled catalog priced for `region`; cached because it is immutable package data.

    Raises ValueError for a region the price table does not cover.
    """
    # libyaml's parser where PyYAML has it (7x faster on this file; the same Python constructors)
    raw = yaml.load(_data("catalog.yaml"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    prices = read_prices(_data("prices.csv"))
    if region not in bundled_regions():
        raise ValueError(f"unknown region {region!r} (priced: {', '.join(bundled_regions())})")
    families = raw["families"]
    instances = _with_names(raw["instances"])
    for name, fields in instances.items():
        family = families[name.split(".")[1]]
        price = prices.get((name, region))
        if price is None:
            raise ValueError(f"prices.csv has no {region} price for {name}")
        fields.update(
            cpu_speed=family["cpu_speed"],
            architecture=family.get("architecture", "x86_64"),
            legacy=family.get("legacy", False),
            price_per_hour=price.usd_per_hour,
            price_source=price.label,
            price_date=price.date,
        )
    raw.pop("default_region", None)
    raw.update(instances=instances, region=region, regions=bundled_regions())
    raw["accelerators"] = _with_names(raw["accelerators"])
    return Catalog.model_validate(raw)
