"""Oscillation of an autoscaled variant: how often its scaling actions reverse direction.

A direction flip is a scaling action whose direction (out: more instances, in: fewer) differs from the
variant's previous action. Only the policies' own actions in the measured window count: scheduled actions
are the operator's intent, not the feedback loop, and warm-up actions are start-up transients.

Rule (documented in README "Elastic capacity"): a variant *oscillates* when some span of
`OSCILLATION_SPAN_S` (one hour) of the measured window holds at least `OSCILLATION_FLIPS` (four) direction
flips, i.e. two complete out-in round trips within an hour. A load curve followed faithfully reverses
only when the load does (twice a day for diurnal traffic, twice per burst); under target tracking a scale-in
needs 15 minutes of low datapoints, so two round trips in one hour mean the policy is chasing its own
actions. The busiest hour, not the run's average, decides, so oscillation confined to part of a long run is
still caught; `flips_per_hour` (the average over the whole window) is reported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simulator.metrics.summary_types import Oscillation, Summary

OSCILLATION_SPAN_S = 3600.0
"""Length of the sliding span in which flips are counted."""
OSCILLATION_FLIPS = 4
"""Direction flips within one span that make a variant oscillate."""
POLICY_KINDS = ("scale-out", "scale-in", "step")
"""Activity kinds that come from scaling policies (scheduled actions are left out)."""


def flip_times(times: Sequence[float] | np.ndarray, changes: Sequence[int] | np.ndarray) -> np.ndarray:
    """Times of the actions that reverse the previous action's direction (`changes`: to - from, nonzero)."""
    directions = np.sign(np.asarray(changes, dtype=float))
    moments = np.asarray(times, dtype=float)
    if len(directions) < 2:
        return np.empty(0)
    return moments[1:][directions[1:] != directions[:-1]]


def busiest_span(flips: np.ndarray, span: float = OSCILLATION_SPAN_S) -> int:
    """Most flips within any half-open span [t, t + span) (it suffices to start spans at flips)."""
    if not len(flips):
        return 0
    ordered = np.sort(flips)
    ends = np.searchsorted(ordered, ordered + span, side="left")
    return int((ends - np.arange(len(ordered))).max())


def oscillation_figures(activities: pd.DataFrame, name: str, window: tuple[float, float]) -> Oscillation:
    """Policy scaling actions, direction flips and the oscillation verdict of one variant in the window."""
    start, end = window
    mine = activities[  # the run's scaling table has its columns even when empty
        (activities["variant"] == name)
        & activities["kind"].isin(POLICY_KINDS)
        & activities["time_s"].between(start, end)
    ]
    times = mine["time_s"].to_numpy()
    flips = flip_times(times, (mine["to"] - mine["from"]).to_numpy())
    hours = (end - start) / 3600.0
    busiest = busiest_span(flips)
    return Oscillation(
        scaling_actions=len(times),
        direction_flips=len(flips),
        flips_per_hour=len(flips) / hours if hours > 0 else 0.0,
        max_flips_in_an_hour=busiest,
        oscillating=busiest >= OSCILLATION_FLIPS,
    )


def oscillation_warnings(summaries: Sequence[Summary]) -> list[str]:
    """One line per variant that oscillates in at least one replication's summary (one at least)."""
    lines = []
    for name in summaries[0].variants:
        blocks = [s.variants[name].autoscaling for s in summaries]
        figures = [block.oscillation for block in blocks if block is not None]
        hit = [block for block in figures if block.oscillating]
        if not hit:
            continue
        worst = max(block.max_flips_in_an_hour for block in hit)
        rate = float(np.mean([block.flips_per_hour for block in figures]))
        where = "" if len(summaries) == 1 else f" in {len(hit)} of {len(summaries)} replications"
        lines.append(
            f"variant {name} oscillates{where}: up to {worst} scale-out/scale-in reversals in one hour"
            f" ({rate:.2f} per hour on average; {OSCILLATION_FLIPS} or more in an hour is oscillation):"
            " see scaling.csv; lengthen the cooldowns or revise the target"
        )
    return lines
