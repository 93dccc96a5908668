"""The habits of every summary's frozen parts (endpoint runs and other job kinds): JSON by field order."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

OPTIONAL: dict[str, bool] = {"optional": True}
"""Field metadata: a part only some runs have is left out of the JSON rather than written as null."""


def plain(value: Any) -> Any:
    """JSON data of a summary part: dataclasses by field order, mappings by key order."""
    if is_dataclass(value) and not isinstance(value, type):
        parts = ((f.name, getattr(value, f.name), f.metadata.get("optional")) for f in fields(value))
        return {name: plain(part) for name, part, optional in parts if part is not None or not optional}
    if isinstance(value, Mapping):
        return {key: plain(part) for key, part in value.items()}
    return value


class Part:
    """A summary part whose JSON data is `plain(self)`: field order is key order."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON data of this part, exactly as the summary file holds it."""
        return plain(self)


@dataclass(frozen=True)
class Interval(Part):
    """A replication mean with its 95% interval (Student t, or Wilson for a fraction)."""

    mean: float
    ci95_low: float
    ci95_high: float
