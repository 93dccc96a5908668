"""Instance types, accelerators and serverless tiers as typed data (data/catalog.yaml), priced per region
from data/prices.csv."""

from simulator.catalog.model import (
    DEFAULT_REGION,
    Catalog,
    InstanceType,
    bundled_regions,
    load_catalog,
)

__all__ = [
    "DEFAULT_REGION",
    "Catalog",
    "InstanceType",
    "bundled_regions",
    "load_catalog",
]
