"""Unit strings in scenarios: durations, rates and sizes."""

from __future__ import annotations

import pytest

from simulator.scenario.units import parse_duration, parse_rate, parse_size


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("250ms", 0.25),
        ("2h", 7200),
        ("1.5s", 1.5),
        ("5m", 300),
        ("10min", 600),
        ("1d", 86400),
        ("3", 3.0),
        (7, 7.0),
        ("500us", 0.0005),
        ("1w", 604800),
        (" 2 h ", 7200),
    ],
)
def test_durations(text: object, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "per_second"),
    [
        ("50/s", 50),
        ("300/min", 5),
        ("1/6h", 1 / 21600),
        ("5.1/s", 5.1),
        (12, 12.0),
        ("3600/h", 1.0),
    ],
)
def test_rates(text: object, per_second: float) -> None:
    assert parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("4GiB", 4 * 1024**3),
        ("64KiB", 65536),
        ("6MB", 6e6),
        ("512B", 512),
        (100, 100.0),
        ("1.5kb", 1500),
    ],
)
def test_sizes(text: object, size: float) -> None:
    assert parse_size(text) == pytest.approx(size)


@pytest.mark.parametrize(
    ("parse", "value", "fragment"),
    [
        (parse_duration, "fast", "cannot read duration"),
        (parse_duration, "5 parsecs", "unknown time unit"),
        (parse_duration, True, "boolean"),
        (parse_duration, float("inf"), "finite"),
        (parse_duration, [1], "expected a duration"),
        (parse_rate, "50", "cannot read rate"),
        (parse_rate, "5/fortnight", "unknown time unit"),
        (parse_rate, "1/0s", "positive"),
        (parse_size, "4 GiBs", "unknown size unit"),
        (parse_size, "lots", "cannot read size"),
    ],
)
def test_bad_values_name_the_problem(parse: object, value: object, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse(value)  # type: ignore[operator]
