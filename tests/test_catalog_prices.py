"""The price table file: malformed rows are refused with the line they are on."""

from __future__ import annotations

import pytest

from simulator.catalog.prices import COLUMNS, read_prices, write_prices

HEADER = ",".join(COLUMNS)


def test_round_trip_keeps_every_field() -> None:
    text = f"{HEADER}\nml.c5.large,us-east-1,0.102,public,somewhere,2026-11-30\n"
    prices = read_prices(text)
    assert prices[("ml.c5.large", "us-east-1")].usd_per_hour == 0.102
    assert write_prices(prices) == text


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("ml.c5.large,us-east-1,cheap,public,s,d", "line 2: usd_per_hour 'cheap' is not a number"),
        ("ml.c5.large,us-east-1,-1,public,s,d", "line 2: needs a basis"),
        ("ml.c5.large,us-east-1,0.1,guess,s,d", "line 2: needs a basis"),
        ("ml.c5.large,us-east-1,0.1,public,,d", "line 2: needs a basis"),
    ],
)
def test_a_bad_row_is_refused(row: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_prices(f"{HEADER}\n{row}\n")


def test_a_duplicate_and_a_wrong_header_are_refused() -> None:
    row = "ml.c5.large,us-east-1,0.1,public,s,d"
    with pytest.raises(ValueError, match=r"line 3: a second price for ml\.c5\.large in us-east-1"):
        read_prices(f"{HEADER}\n{row}\n{row}\n")
    with pytest.raises(ValueError, match="the header must be"):
        read_prices("type,price\n")
