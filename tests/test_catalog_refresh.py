"""`sagesim catalog refresh` rebuilds the price table from an AmazonSageMaker price list file, offline."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from simulator.catalog import load_catalog
from simulator.catalog.prices import Price, read_prices
from simulator.catalog.refresh import refresh_prices

SAMPLE = Path(__file__).parent / "data" / "sagemaker-offer-sample.json"


def _table() -> dict[tuple[str, str], Price]:
    catalog = {region: load_catalog(region) for region in ("us-east-1", "us-west-2", "eu-west-1")}
    return {
        (name, region): Price(name, region, item.price_per_hour, "estimate", "E: test", "2026-11-30")
        for region, c in catalog.items()
        for name, item in c.instances.items()
    }


def test_hosting_prices_replace_the_table_and_nothing_else() -> None:
    table = _table()
    result = refresh_prices(table, json.loads(SAMPLE.read_text()), set(load_catalog().instances))
    assert result.priced == (
        ("ml.c5.xlarge", "us-east-1"),
        ("ml.g5.xlarge", "eu-west-1"),
        ("ml.g5.xlarge", "us-east-1"),
    )
    g5 = result.prices[("ml.g5.xlarge", "us-east-1")]
    assert (g5.usd_per_hour, g5.basis, g5.date) == (1.5, "price-list", "2026-11-20")  # hosting, not studio
    assert "published 2026-11-20T00:00:00Z" in g5.source
    assert set(result.changed) == {("ml.g5.xlarge", "us-east-1"), ("ml.g5.xlarge", "eu-west-1")}
    assert result.skipped_regions == ("ap-south-1",)  # one type priced there: the catalog needs all
    assert result.prices[("ml.m5.large", "us-west-2")] == table[("ml.m5.large", "us-west-2")]
    assert len(result.prices) == len(table)


def test_a_new_region_is_added_when_every_type_is_priced_there() -> None:
    offer = json.loads(SAMPLE.read_text())
    result = refresh_prices(_table(), offer, {"ml.c5.xlarge"})
    assert ("ml.c5.xlarge", "ap-south-1") in result.prices and result.skipped_regions == ()


def test_a_file_that_is_not_an_offer_or_prices_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match=r"needs 'products' and 'terms\.OnDemand'"):
        refresh_prices(_table(), {"products": {}}, {"ml.c5.xlarge"})
    offer = json.loads(SAMPLE.read_text())
    with pytest.raises(ValueError, match="prices none of the catalog's hosting instance types"):
        refresh_prices(_table(), offer, {"ml.m5.large"})


def test_the_command_writes_a_table_the_catalog_reads(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    out = tmp_path / "refreshed"
    code, stdout, stderr = cli("catalog", "refresh", "--price-list", str(SAMPLE), "--out", str(out))
    assert code == 0, stderr
    assert "3 hosting prices from the price list (eu-west-1, us-east-1" in stdout
    assert "skipped ap-south-1" in stdout
    prices = read_prices((out / "prices.csv").read_text())
    assert prices[("ml.g5.xlarge", "eu-west-1")].usd_per_hour == 1.7
    assert len(prices) == 3 * len(load_catalog().instances)


@pytest.mark.parametrize(
    ("content", "option", "message"),
    [
        ("{not json", "--price-list", "invalid JSON at line 1"),
        (None, "--price-list", "cannot read 'missing.json': No such file or directory"),
        ("[1, 2]", "--price-list", "is not an AWS price list offer file"),
        ('{"products": {}, "terms": {"OnDemand": {}}}', "--price-list", "prices none"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    cli: Callable[..., tuple[int, str, str]], tmp_path: Path, content: str | None, option: str, message: str
) -> None:
    offer = tmp_path / "index.json"
    if content is None:
        offer = Path("missing.json")
    else:
        offer.write_text(content)
    out = tmp_path / "out"
    code, _, stderr = cli("catalog", "refresh", "--price-list", str(offer), "--out", str(out))
    assert code == 2 and stderr.startswith(f"error: {option}:") and message in stderr
    assert len(stderr.strip().splitlines()) == 1 and not out.exists()


def test_a_bad_prices_table_is_named(cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    table = tmp_path / "prices.csv"
    table.write_text("type,price\n")
    args = ["--price-list", str(SAMPLE), "--out", str(tmp_path / "o"), "--prices", str(table)]
    code, _, stderr = cli("catalog", "refresh", *args)
    assert code == 2 and stderr.startswith("error: --prices:") and "header" in stderr
