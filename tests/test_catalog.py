"""The instance catalog is complete, typed and overridable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulator.catalog import bundled_regions, load_catalog
from simulator.catalog.model import GpuSpec

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
    for region in bundled_regions():
        catalog = load_catalog(region)
        for item in catalog.instances.values():
            assert item.price_source.split(":")[0] in ("public", "estimate", "price-list"), item.name
            assert item.price_date, item.name
        for acc in catalog.accelerators.values():
            assert acc.price_source.startswith("estimate"), acc.name


def test_todays_hosting_families_every_size() -> None:
    catalog = load_catalog()
    families = {item.family for item in catalog.instances.values()}
    assert len(catalog.instances) >= 120 and len(families) >= 14
    wanted = {"c5", "c6i", "c7i", "c7g", "m5", "m6i", "m7i", "r5", "r6i", "t2", "g4dn", "g5", "g6", "g6e"}
    assert wanted | {"inf1", "inf2", "p3", "p4d", "p5", "p2", "c4"} <= families
    sizes = {name.split(".")[2] for name in catalog.instances if name.startswith("ml.c7i.")}
    assert sizes == {"large", "xlarge", *(f"{n}xlarge" for n in (2, 4, 8, 12, 16, 24, 48))}


def test_accelerators_of_the_new_families() -> None:
    catalog = load_catalog()
    g5 = catalog.instance("ml.g5.12xlarge")
    assert g5.gpu is not None and (g5.gpu.type, g5.gpu.count) == ("A10G", 4)
    assert catalog.gpu_model("A10G").memory_gib == 24
    assert catalog.gpu_model("Inferentia2").kind == "Neuron"
    assert catalog.instance("ml.inf2.48xlarge").gpu == GpuSpec(type="Inferentia2", count=12)
    assert catalog.instance("ml.p5.48xlarge").gpu == GpuSpec(type="H100", count=8)
    assert all(model.speed_source for model in catalog.gpus.values())


def test_cpu_speed_differs_by_family_and_says_why() -> None:
    catalog = load_catalog()
    speeds = {f: catalog.instance(f"ml.{f}.large").cpu_speed for f in ("c5", "c6i", "c7i", "c7g", "m5")}
    assert len(set(speeds.values())) == len(speeds)
    assert speeds["c5"] == 1.0 and speeds["m5"] < 1.0 < speeds["c6i"] < speeds["c7i"]
    assert all(family.cpu_speed_source for family in catalog.families.values())


def test_legacy_families_are_marked() -> None:
    catalog = load_catalog()
    assert catalog.instance("ml.p2.xlarge").legacy and catalog.instance("ml.c4.large").legacy
    assert not catalog.instance("ml.g5.xlarge").legacy


def test_every_type_is_priced_in_every_region_and_the_region_changes_prices() -> None:
    assert set(bundled_regions()) == {"us-east-1", "us-west-2", "eu-west-1"}
    east, ireland = load_catalog("us-east-1"), load_catalog("eu-west-1")
    assert east.region == "us-east-1" and set(east.instances) == set(ireland.instances)
    assert ireland.instance("ml.m5.xlarge").price_per_hour == 0.257  # a public EU (Ireland) hosting figure
    assert ireland.instance("ml.c5.xlarge").price_per_hour > east.instance("ml.c5.xlarge").price_per_hour


def test_an_unpriced_region_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown region 'ap-south-9'"):
        load_catalog("ap-south-9")


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


def test_the_catalog_cites_only_documents_in_the_repository() -> None:
    root = Path(__file__).resolve().parent.parent
    text = (root / "simulator" / "catalog" / "data" / "catalog.yaml").read_text()
    cited = set(re.findall(r"[\w/.-]+\.md\b", text))
    assert cited, "the header names the document with the sources and rules"
    for name in cited:
        assert (root / name).is_file() or (root / "simulator" / "catalog" / name).is_file(), name
