"""Rebuild prices.csv from AWS's public price list file for SageMaker (offline, from a downloaded file).

The file is the AmazonSageMaker offer file (https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/
AmazonSageMaker/current/index.json, or a regional one): `products` maps a SKU to its productFamily and
attributes, `terms.OnDemand` maps the same SKU to offer terms whose priceDimensions carry
pricePerUnit.USD per unit "Hrs". A real-time hosting instance is a product of family "ML Instance"
whose attributes say component "Hosting" (its usagetype reads like "USE1-Host:ml.c5.xlarge"); its
`instanceName` is the ML instance type (`instanceType` may carry a suffix such as "-hosting"). Studio,
training and other components share instance names and are skipped.
Rows the file prices replace the table's rows (basis `price-list`); every other row is kept, so a
partial file refreshes what it covers. A region the table does not price yet is added only when the
file prices every catalog type there (the catalog needs a price for every type in every region).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.catalog.prices import Price
from simulator.errors import ScenarioError
from simulator.inputs import MAX_DATA_BYTES, load_json, read_text


@dataclass(frozen=True)
class RefreshResult:
    """The merged table and what changed: (type, region) keys priced by the file, and those whose
    price moved."""

    prices: dict[tuple[str, str], Price]
    priced: tuple[tuple[str, str], ...]
    changed: tuple[tuple[str, str], ...]
    publication: str
    skipped_regions: tuple[str, ...] = ()


def _hosting_products(products: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(sku, instance type, region code) of every real-time hosting instance product."""
    for sku, product in products.items():
        attributes = product.get("attributes", {})
        usage = str(attributes.get("usagetype", ""))
        component = attributes.get("component")
        hosting = component == "Hosting" or (component is None and usage.split("-")[-1].startswith("Host:"))
        name = attributes.get("instanceName") or str(attributes.get("instanceType", "")).removesuffix(
            "-hosting"
        )
        if (
            product.get("productFamily") == "ML Instance"
            and hosting
            and name
            and attributes.get("regionCode")
        ):
            yield sku, str(name), str(attributes["regionCode"])


def _hourly_usd(terms: dict[str, Any], sku: str) -> float | None:
    """The SKU's on-demand USD per hour (its only hourly price dimension), or None if it has none."""
    for term in terms.get(sku, {}).values():
        for dimension in term.get("priceDimensions", {}).values():
            usd = dimension.get("pricePerUnit", {}).get("USD")
            if usd is not None and dimension.get("unit", "Hrs").lower() in ("hrs", "hour", "hours"):
                return float(usd)
    return None


def refresh_prices(
    current: dict[tuple[str, str], Price], offer: dict[str, Any], instance_types: set[str]
) -> RefreshResult:
    """Merge the offer file's hosting prices for catalog `instance_types` into `current`.

    Raises ValueError when the document is not an offer file or prices none of the catalog's types.
    """
    products, terms = offer.get("products"), offer.get("terms", {}).get("OnDemand")
    if not isinstance(products, dict) or not isinstance(terms, dict):
        raise ValueError("not an AWS price list offer file: it needs 'products' and 'terms.OnDemand'")
    publication = str(offer.get("publicationDate", ""))
    version = offer.get("version", "")
    source = f"AWS price list AmazonSageMaker offer file, version {version}, published {publication}"
    found: dict[tuple[str, str], Price] = {}
    for sku, name, region in _hosting_products(products):
        usd = _hourly_usd(terms, sku) if name in instance_types else None
        if usd is not None:
            found[(name, region)] = Price(name, region, usd, "price-list", source, publication[:10])
    known = {region for _, region in current}
    offered = {region for _, region in found}
    complete = {r for r in offered - known if all((name, r) in found for name in instance_types)}
    skipped = tuple(sorted(offered - known - complete))
    found = {key: price for key, price in found.items() if key[1] in known | complete}
    if not found:
        raise ValueError(
            "the file prices none of the catalog's hosting instance types in a region it can add"
        )
    changed = [
        key
        for key, price in found.items()
        if key in current and current[key].usd_per_hour != price.usd_per_hour
    ]
    return RefreshResult(
        {**current, **found}, tuple(sorted(found)), tuple(sorted(changed)), publication, skipped
    )


def read_offer(path: Path, option: str) -> dict[str, Any]:
    """The offer file as JSON (a ScenarioError naming `option` when it cannot be read as one); AWS's
    SageMaker offer file runs to hundreds of MB, hence the data limit."""
    document = load_json(read_text(path, option, MAX_DATA_BYTES), option)
    if not isinstance(document, dict):
        raise ScenarioError(option, f"{path} is not an AWS price list offer file")
    return document
