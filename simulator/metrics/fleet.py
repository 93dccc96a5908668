"""Instance timeline and billing: every instance from launch request to termination."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.hosting.variant import Variant
from simulator.metrics.bins import overlap


def instance_timeline(variants: list[Variant], end_time: float) -> pd.DataFrame:
    """One row per instance ever launched; still-running instances end at `end_time`."""
    rows = []
    for variant in variants:
        for instance in variant.fleet:
            terminated = instance.terminated_at
            rows.append(
                {
                    "instance": instance.ident,
                    "variant": variant.name,
                    "instance_type": variant.instance_type.name,
                    "price_per_hour": variant.price_per_hour,
                    "launched_at": instance.launched_at,
                    "in_service_at": np.nan if instance.in_service_at is None else instance.in_service_at,
                    "terminated_at": end_time if terminated is None else min(terminated, end_time),
                    "retired_at": np.nan if instance.retired_at is None else instance.retired_at,
                }
            )
    columns = [
        "instance",
        "variant",
        "instance_type",
        "price_per_hour",
        "launched_at",
        "in_service_at",
        "terminated_at",
        "retired_at",
    ]
    return pd.DataFrame(rows, columns=columns)


def billing(timeline: pd.DataFrame, window_start: float, window_end: float) -> pd.DataFrame:
    """Billable instance-seconds and cost per instance within [window_start, window_end)."""
    seconds = overlap(
        timeline["launched_at"].to_numpy(), timeline["terminated_at"].to_numpy(), window_start, window_end
    )
    frame = timeline[["instance", "variant", "instance_type", "price_per_hour"]].copy()
    frame["billable_seconds"] = seconds
    frame["cost_usd"] = seconds * frame["price_per_hour"].to_numpy() / 3600.0
    return frame


def in_service_seconds(timeline: pd.DataFrame, window_start: float, window_end: float) -> float:
    """Instance-seconds InService inside the window (Pending time excluded)."""
    rows = timeline.dropna(subset=["in_service_at"])
    return float(
        overlap(
            rows["in_service_at"].to_numpy(), rows["terminated_at"].to_numpy(), window_start, window_end
        ).sum()
    )


def max_in_service(timeline: pd.DataFrame, window_start: float, window_end: float) -> int:
    """Largest number of instances InService at once inside the window."""
    rows = timeline.dropna(subset=["in_service_at"])
    starts = np.maximum(rows["in_service_at"].to_numpy(), window_start)
    ends = np.minimum(rows["terminated_at"].to_numpy(), window_end)
    live = ends > starts
    if not live.any():
        return 0
    times = np.concatenate([starts[live], ends[live]])
    steps = np.concatenate([np.ones(live.sum()), -np.ones(live.sum())])
    order = np.lexsort((steps, times))  # at equal times, terminations (-1) before launches
    return int(np.cumsum(steps[order]).max())
