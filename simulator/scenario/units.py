"""Parse the unit strings scenarios use ("250ms", "2h", "50/s", "1/6h", "4GiB") into SI floats.

Scenarios are written by people, so every quantity may be a plain number (seconds, requests per
second, bytes) or a string with a unit. Parsing lives here, once, and pydantic calls it through the
annotated types at the bottom so the JSON Schema advertises both forms.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_DURATION_UNITS: dict[str, float] = {
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "m": 60.0,
    "min": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "w": 604800.0,
}

_SIZE_UNITS: dict[str, float] = {
    "b": 1.0,
    "kb": 1e3,
    "mb": 1e6,
    "gb": 1e9,
    "tb": 1e12,
    "kib": 1024.0,
    "mib": 1024.0**2,
    "gib": 1024.0**3,
    "tib": 1024.0**4,
}

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_QUANTITY = re.compile(rf"^\s*({_NUMBER})\s*([a-zA-Zµ]*)\s*$")
_RATE = re.compile(rf"^\s*({_NUMBER})\s*/\s*({_NUMBER})?\s*([a-zA-Zµ]+)\s*$")
_BANDWIDTH = re.compile(r"^\s*([^/]+?)\s*/\s*([^/]+?)\s*$")


LARGEST: dict[str, float] = {"duration": 1e15, "rate": 1e15, "size": 1e21}
"""The largest quantity of each kind a scenario may hold (in seconds, per second, bytes): far past
any deployment (1e15 s is 31 million years; tests write 1e12 s for "no limit"), and small enough that
sums and products of them stay finite (1e308/s used to overflow mid-run). A bandwidth only divides,
so 1e300 B/s may stand for "no transfer time"."""


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be finite, got {value}")
    largest = LARGEST.get(what, math.inf)
    if abs(value) > largest:
        unit = {"duration": " s", "rate": "/s", "size": " bytes"}[what]
        raise ValueError(f"{what} {value:g}{unit} is out of range: at most {largest:g}{unit}")
    return value


def _as_number(value: Any, what: str) -> float | None:
    """Return value as float if it is already numeric, reject booleans (YAML's yes/no)."""
    if isinstance(value, bool):
        raise ValueError(f"expected a {what}, got a boolean")
    if isinstance(value, int | float):
        return _finite(float(value), what)
    if not isinstance(value, str):
        raise ValueError(f"expected a {what} (number or string with unit), got {type(value).__name__}")
    return None


def _parse_quantity(value: Any, what: str, units: tuple[str, dict[str, float], str], examples: str) -> float:
    """A number, or a string of a number and a unit: `units` is (kind, factors, unit when left out)."""
    kind, factors, default = units
    number = _as_number(value, what)
    if number is not None:
        return number
    match = _QUANTITY.match(value)
    if not match:
        raise ValueError(f"cannot read {what} {value!r} (examples: {examples})")
    magnitude, unit = float(match.group(1)), match.group(2).lower() or default
    if unit not in factors:
        raise ValueError(f"unknown {kind} unit {match.group(2)!r} in {value!r}")
    return _finite(magnitude * factors[unit], what)


def parse_duration(value: Any) -> float:
    """Seconds from 1.5, "250ms", "2h", "1d"; a bare number means seconds."""
    return _parse_quantity(value, "duration", ("time", _DURATION_UNITS, "s"), "250ms, 30s, 5m, 2h, 1d")


def parse_typed_duration(text: str) -> float:
    """Seconds from a duration a person typed on a command line, where the unit is required: `500`
    alone reads as seconds in a scenario, but on a command line it is as likely to mean 500 ms."""
    match = _QUANTITY.match(text)
    if match is not None and not match.group(2):
        number = match.group(1)
        raise ValueError(f"{text!r} has no unit: write e.g. {number}ms or {number}s")
    return parse_duration(text)


def parse_rate(value: Any) -> float:
    """Events per second from 5.1, "50/s", "300/min", "1/6h"; a bare number means per second."""
    number = _as_number(value, "rate")
    if number is not None:
        return number
    match = _RATE.match(value)
    if not match:
        raise ValueError(f"cannot read rate {value!r} (examples: 50/s, 300/min, 1/6h)")
    count = float(match.group(1))
    period_magnitude = float(match.group(2)) if match.group(2) else 1.0
    unit = match.group(3).lower()
    if unit not in _DURATION_UNITS:
        raise ValueError(f"unknown time unit {match.group(3)!r} in {value!r}")
    period = period_magnitude * _DURATION_UNITS[unit]
    if period <= 0:
        raise ValueError(f"rate period must be positive in {value!r}")
    return _finite(count / period, "rate")


def parse_size(value: Any) -> float:
    """Bytes from 1024, "4GiB", "512KB", "6MB"; a bare number means bytes."""
    return _parse_quantity(value, "size", ("size", _SIZE_UNITS, "b"), "512B, 64KiB, 6MB, 4GiB")


def parse_bandwidth(value: Any) -> float:
    """Bytes per second from 5e8, "500MB/s", "1GiB/min"; a bare number means bytes per second."""
    if not isinstance(value, str | int | float):
        raise ValueError(f"expected a bandwidth such as 500MB/s, got {type(value).__name__}")
    number = _as_number(value, "bandwidth")
    if number is not None:
        return number
    match = _BANDWIDTH.match(value)
    if not match:
        raise ValueError(f"cannot read bandwidth {value!r} (examples: 500MB/s, 1GiB/s)")
    period = match.group(2)
    period = period if period[0].isdigit() or period[0] == "." else "1" + period
    seconds = parse_duration(period)
    if seconds <= 0:
        raise ValueError(f"bandwidth period must be positive in {value!r}")
    amount = _parse_quantity(match.group(1), "bandwidth", ("size", _SIZE_UNITS, "b"), "500MB/s, 1GiB/s")
    return _finite(amount / seconds, "bandwidth")


def _schema(example: str) -> WithJsonSchema:
    return WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string", "examples": [example]}]})


Duration = Annotated[float, BeforeValidator(parse_duration), _schema("250ms")]
"""Seconds; accepts numbers or strings such as "250ms", "2h"."""

Rate = Annotated[float, BeforeValidator(parse_rate), _schema("50/s")]
"""Events per second; accepts numbers or strings such as "50/s", "1/6h"."""

Size = Annotated[float, BeforeValidator(parse_size), _schema("4GiB")]
"""Bytes; accepts numbers or strings such as "64KiB", "4GiB"."""

Bandwidth = Annotated[float, BeforeValidator(parse_bandwidth), _schema("500MB/s")]
"""Bytes per second; accepts numbers or strings such as "500MB/s"."""
