"""A CloudWatch GetMetricData export of Invocations (Sum per period, one result per variant) as counts
per variant and period.

A result belongs to the variant its Label names (set each query's Label to the VariantName), or else
whose name its Id spells (lower case, `-` as `_`: Ids must start with a lower-case letter). CloudWatch
omits periods without invocations, so a period missing inside the window counts zero. Results split
over pages (the same Id twice, as `aws cloudwatch get-metric-data` merges pages) are joined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from simulator.importing.documents import no_more_pages, refuse

OPTION = "--metrics"


@dataclass
class MeasuredInvocations:
    """Invocations per period: counts[v][k] for variant v in the period starting at start + k x period."""

    start: datetime
    period: int
    counts: dict[str, np.ndarray] = field(default_factory=dict)

    def total(self) -> np.ndarray:
        return np.sum(list(self.counts.values()), axis=0)


def _variant_of(result: dict[str, Any], path: str, variants: list[str]) -> str:
    label = result.get("Label")
    if label in variants:
        return str(label)
    spelled = {name.lower().replace("-", "_"): name for name in variants}
    if result.get("Id") in spelled:
        return spelled[result["Id"]]
    raise refuse(
        OPTION,
        f"{path}.Label",
        f"{label!r} (Id {result.get('Id')!r}) names no variant of --endpoint-config: set each query's Label"
        f" to its VariantName ({', '.join(variants)})",
    )


def _refuse_a_coarser_period(stamps: list[datetime], start: datetime, period: int) -> None:
    """Datapoints all a multiple of k x --metric-period apart (k > 1) are Sums over a longer period
    (CloudWatch returns 5-minute Sums when asked for Period 300): read as per-minute counts, each
    5-minute total would arrive in one minute, at 5 x its rate, then four empty minutes."""
    offsets = {round((moment - start).total_seconds()) for moment in stamps}
    if len(offsets) < 3:
        return  # two datapoints cannot tell a longer period from a gap
    spacing = math.gcd(*offsets)
    if spacing > period and spacing % period == 0:
        raise refuse(
            OPTION,
            "MetricDataResults",
            f"every datapoint is a multiple of {spacing} s after the first: these look like Sums per"
            f" {spacing} s, not per --metric-period ({period} s); give --metric-period {spacing}",
        )


def read_invocations(document: dict[str, Any], variants: list[str], period: int) -> MeasuredInvocations:
    """Per-variant counts on a common grid of `period` seconds from the earliest datapoint."""
    no_more_pages(document, OPTION)
    for index, message in enumerate(document.get("Messages", [])):
        raise refuse(
            OPTION, f"Messages[{index}]", f"CloudWatch reported {message.get('Code')}: {message.get('Value')}"
        )
    points: dict[str, dict[datetime, float]] = {}
    for index, result in enumerate(document.get("MetricDataResults", [])):
        path = f"MetricDataResults[{index}]"
        status = result.get("StatusCode", "Complete")
        if status != "Complete":
            raise refuse(OPTION, f"{path}.StatusCode", f"{status}: export the whole window again")
        variant = _variant_of(result, path, variants)
        times, values = result.get("Timestamps", []), result.get("Values", [])
        if len(times) != len(values):
            raise refuse(OPTION, path, f"{len(times)} Timestamps but {len(values)} Values")
        series = points.setdefault(variant, {})
        for number, (stamp, value) in enumerate(zip(times, values, strict=True)):
            if not math.isfinite(value) or value < 0 or value != round(value):
                raise refuse(OPTION, f"{path}.Values[{number}]", f"{value} is not a count of invocations")
            moment = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
            if moment in series:
                raise refuse(OPTION, f"{path}.Timestamps[{number}]", f"{stamp} appears twice for {variant!r}")
            series[moment] = float(value)
    stamps = [moment for series in points.values() for moment in series]
    if not stamps or not any(v > 0 for series in points.values() for v in series.values()):
        raise refuse(OPTION, "MetricDataResults", "no invocations to replay")
    start = min(stamps)
    _refuse_a_coarser_period(stamps, start, period)
    periods = round((max(stamps) - start).total_seconds() / period) + 1
    measured = MeasuredInvocations(start, period)
    for variant in variants:
        counts = np.zeros(periods)
        for moment, value in points.get(variant, {}).items():
            offset = (moment - start).total_seconds()
            if offset % period:
                raise refuse(
                    OPTION,
                    "MetricDataResults",
                    f"{moment.isoformat()} ({variant}) is not a whole number of --metric-period ({period} s)"
                    f" after the first datapoint {start.isoformat()}",
                )
            counts[round(offset / period)] = value
        measured.counts[variant] = counts
    return measured
