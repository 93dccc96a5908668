"""Instance timeline and billing: every instance from launch request to termination."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simulator.hosting.instance import Instance
from simulator.hosting.variant import Variant
from simulator.metrics.bins import overlap
from simulator.metrics.summary_types import Instances

TIMELINE_COLUMNS = (
    "instance",
    "variant",
    "instance_type",
    "price_per_hour",
    "launched_at",
    "in_service_at",
    "terminated_at",
    "retired_at",
)


def instance_timeline(variants: list[Variant], end_time: float) -> pd.DataFrame:
    """One row per instance ever launched; still-running instances end at `end_time`."""
    rows = [
        (
            instance.ident,
            variant.name,
            variant.instance_type.name,
            variant.price_per_hour,
            *_times(instance, end_time),
            np.nan if instance.retired_at is None else instance.retired_at,
        )
        for variant in variants
        for instance in variant.fleet
    ]
    return pd.DataFrame.from_records(rows, columns=list(TIMELINE_COLUMNS))


def rows_of(frame: pd.DataFrame, variant: str, variants: int) -> pd.DataFrame:
    """The rows of `variant` in a per-instance table of an endpoint with `variants` variants (with one,
    every row is its own: the table as it is, without pandas filtering it row by row)."""
    return frame if variants == 1 else frame[frame["variant"] == variant]


def billing(timeline: pd.DataFrame, window_start: float, window_end: float) -> pd.DataFrame:
    """Billable instance-seconds and cost per instance within [window_start, window_end)."""
    seconds = overlap(
        timeline["launched_at"].to_numpy(), timeline["terminated_at"].to_numpy(), window_start, window_end
    )
    price = timeline["price_per_hour"].to_numpy()
    return pd.DataFrame(  # from arrays: columns of one table need no aligning (a trial bills thousands)
        {
            **{name: timeline[name].to_numpy() for name in ("instance", "variant", "instance_type")},
            "price_per_hour": price,
            "billable_seconds": seconds,
            "cost_usd": seconds * price / 3600.0,
        },
        index=timeline.index,
    )


def instances_in_service(timeline: pd.DataFrame, window_start: float, window_end: float) -> Instances:
    """Time-average and largest number of instances InService inside the window (Pending excluded)."""
    starts, ends = in_service_spans(timeline)
    starts = np.maximum(starts, window_start)
    ends = np.minimum(ends, window_end)
    mean = float(np.clip(ends - starts, 0.0, None).sum()) / (window_end - window_start)
    live = ends > starts
    if not live.any():
        return Instances(mean, 0)
    times = np.concatenate([starts[live], ends[live]])
    steps = np.concatenate([np.ones(live.sum()), -np.ones(live.sum())])
    order = np.lexsort((steps, times))  # at equal times, terminations (-1) before launches
    return Instances(mean, int(np.cumsum(steps[order]).max()))


def in_service_spans(timeline: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(InService from, terminated at) of the instances that ever reached InService."""
    return reached_service(
        timeline["in_service_at"].to_numpy(dtype=float), timeline["terminated_at"].to_numpy(dtype=float)
    )


def reached_service(in_service: np.ndarray, terminated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The spans of `in_service` (NaN: never) to `terminated` of the instances that reached InService."""
    reached = ~np.isnan(in_service)
    return in_service[reached], terminated[reached]


def fleet_times(variant: Variant, end_time: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(launched, InService (NaN: never), terminated) of the variant's instances, as instance_timeline
    has them: the figures a recommender trial needs, without building its table (hundreds a job)."""
    times = np.array([_times(instance, end_time) for instance in variant.fleet], dtype=float)
    times = times.reshape(-1, 3).T.copy()  # one contiguous row per field
    return times[0], times[1], times[2]


def _times(instance: Instance, end_time: float) -> tuple[float, float, float]:
    """(launched, InService (NaN: never), terminated (`end_time` at the latest)) of one instance."""
    return (
        instance.launched_at,
        np.nan if instance.in_service_at is None else instance.in_service_at,
        end_time if instance.terminated_at is None else min(instance.terminated_at, end_time),
    )
