"""The habits of summary_types.py for every other job kind's summary: frozen parts, JSON by field order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.metrics.summary_types import plain

OPTIONAL: dict[str, bool] = {"optional": True}
"""Field metadata: a part only some runs have is left out of the JSON rather than written as null."""


class Part:
    """A summary part whose JSON data is `plain(self)`: field order is key order."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON data of this part, exactly as the summary file holds it."""
        data: dict[str, Any] = plain(self)
        return data


@dataclass(frozen=True)
class Interval(Part):
    """A replication mean with its 95% interval (Student t, or Wilson for a fraction)."""

    mean: float
    ci95_low: float
    ci95_high: float
