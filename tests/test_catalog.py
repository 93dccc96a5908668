"""The instance catalog is complete, typed and overridable."""

from __future__ import annotations

import pytest

from simulator.catalog import load_catalog

REQUIRED = [
    *(f"ml.c4.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge")),
    *(f"ml.c5.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "18xlarge")),
    "ml.m5.large",
    "ml.m5.xlarge",
    "ml.p2.xlarge",
    "ml.p2.8xlarge",
    "ml.p2.16xlarge",
    "ml.p3.2xlarge",
    "ml.p3.8xlarge",
    "ml.p3.16xlarge",
    "ml.g4dn.xlarge",
]


def test_every_required_instance_type_is_present() -> None:
    catalog = load_catalog()
    assert set(REQUIRED) <= set(catalog.instances)


def test_every_price_says_where_it_comes_from() -> None:
    catalog = load_catalog()
    for item in [*catalog.instances.values(), *catalog.accelerators.values()]:
        assert item.price_source == "public example" or item.price_source.startswith("estimate"), item.name


def test_gpu_instances_reference_known_gpus() -> None:
    catalog = load_catalog()
    gpus = {name: item.gpu for name, item in catalog.instances.items() if item.gpu}
    assert {g.type for g in gpus.values()} <= set(catalog.gpus)
    assert gpus["ml.p3.16xlarge"].count == 8 and gpus["ml.p2.xlarge"].type == "K80"


def test_reference_prices_from_the_docs() -> None:
    catalog = load_catalog()
    assert catalog.instance("ml.c5.xlarge").price_per_hour == 0.204
    assert catalog.instance("ml.p3.2xlarge").price_per_hour == 3.825
    assert catalog.instance("ml.g4dn.xlarge").price_per_hour == 0.7364


def test_accelerators_and_serverless_tiers() -> None:
    catalog = load_catalog()
    assert catalog.accelerators["ml.eia2.large"].memory_gib == 4
    assert catalog.serverless.memory_tiers_mb == (1024, 2048, 3072, 4096, 5120, 6144)


def test_overrides_replace_fields_without_touching_the_bundled_catalog() -> None:
    catalog = load_catalog()
    cheaper = catalog.with_overrides({"ml.c5.xlarge": {"price_per_hour": 0.15}})
    assert cheaper.instance("ml.c5.xlarge").price_per_hour == 0.15
    assert load_catalog().instance("ml.c5.xlarge").price_per_hour == 0.204
    with pytest.raises(ValueError):
        catalog.with_overrides({"ml.c5.xlarge": {"price_per_hour": -1}})
