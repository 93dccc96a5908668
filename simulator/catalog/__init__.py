"""Instance types, accelerators and serverless tiers as typed data (see data/catalog.yaml)."""

from simulator.catalog.model import Accelerator, Catalog, GpuSpec, InstanceType, ServerlessTiers, load_catalog

__all__ = ["Accelerator", "Catalog", "GpuSpec", "InstanceType", "ServerlessTiers", "load_catalog"]
