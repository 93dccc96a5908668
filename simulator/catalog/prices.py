"""The price table (data/prices.csv): one on-demand USD/hour per instance type and region, with its basis,
source and date. Kept apart from the specs so `sagesim catalog refresh` can rewrite it from AWS's price
list file without touching anything else."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Literal

Basis = Literal["public", "estimate", "price-list"]
COLUMNS = ("instance_type", "region", "usd_per_hour", "basis", "source", "date")
BASES: tuple[Basis, ...] = ("public", "estimate", "price-list")


@dataclass(frozen=True)
class Price:
    """One regional price: `basis` says whether a public figure, a derived estimate or AWS's price list."""

    instance_type: str
    region: str
    usd_per_hour: float
    basis: Basis
    source: str
    date: str

    @property
    def label(self) -> str:
        """What the catalog shows as the price's source: the basis, then where it comes from."""
        return self.source if self.source.startswith(self.basis) else f"{self.basis}: {self.source}"


def read_prices(text: str) -> dict[tuple[str, str], Price]:
    """Parse prices.csv; raises ValueError naming the line of a malformed row or a duplicate."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValueError(f"prices.csv: the header must be {','.join(COLUMNS)}")
    prices: dict[tuple[str, str], Price] = {}
    for line, row in enumerate(reader, start=2):
        basis = row["basis"]
        try:
            usd = float(row["usd_per_hour"])
        except ValueError:
            raise ValueError(
                f"prices.csv line {line}: usd_per_hour {row['usd_per_hour']!r} is not a number"
            ) from None
        if basis not in BASES or not usd >= 0 or not row["source"]:
            raise ValueError(f"prices.csv line {line}: needs a basis in {BASES}, a price >= 0 and a source")
        key = (row["instance_type"], row["region"])
        if key in prices:
            raise ValueError(f"prices.csv line {line}: a second price for {key[0]} in {key[1]}")
        prices[key] = Price(key[0], key[1], usd, basis, row["source"], row["date"])  # type: ignore[arg-type]
    return prices


def write_prices(prices: dict[tuple[str, str], Price]) -> str:
    """prices.csv text, rows sorted by instance type then region, so refreshes give small diffs."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for key in sorted(prices):
        p = prices[key]
        writer.writerow([p.instance_type, p.region, f"{p.usd_per_hour:.10g}", p.basis, p.source, p.date])
    return out.getvalue()
