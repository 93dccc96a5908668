"""An options comparison's summary.json as frozen types: built once (`compare_options`), read by attribute.

`as_dict()` is the file: field order is key order, each option's latency is written under its SLO
percentile (`latency_p99_ms`), and `notes` only when an option is a legacy one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.metrics.parts import OPTIONAL, Part, plain


@dataclass(frozen=True)
class Estimate(Part):
    """A figure's replication mean and 95% interval; None where no run had the figure."""

    mean: float | None
    ci95_low: float | None
    ci95_high: float | None


@dataclass(frozen=True)
class Option(Part):
    """One variant alone under the full traffic: its hardware, figures and whether it meets the SLO."""

    instance_type: str | None
    accelerator_type: str | None
    price_per_hour: float | None
    """Of all its instances (and accelerators); None for serverless."""
    instance_count: int
    usd_per_million_inferences: Estimate
    latency_ms: Estimate
    """At the SLO's percentile; written as `latency_<percentile>_ms`."""
    throughput_per_s: Estimate
    error_rate: Estimate
    meets_slo: bool
    legacy: bool


@dataclass(frozen=True)
class Slo(Part):
    percentile: str
    latency_ms: float
    max_error_rate: float
    rule: str


@dataclass(frozen=True)
class OptionsSummary(Part):
    replications: int
    slo: Slo
    options: dict[str, Option]
    cheapest_meeting_slo: str | None
    notes: list[str] | None = field(default=None, metadata=OPTIONAL)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = plain(self)
        latency = f"latency_{self.slo.percentile}_ms"
        for name, option in data["options"].items():
            data["options"][name] = {latency if key == "latency_ms" else key: v for key, v in option.items()}
        return data
