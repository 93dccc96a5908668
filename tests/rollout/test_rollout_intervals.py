"""Confidence intervals of rollout figures stay inside what the figure can be."""

from __future__ import annotations

from simulator.core.stats import mean_ci95
from simulator.rollout.replications import INTERVAL_FIGURES, LOWER_BOUNDS


def test_an_interval_over_few_replications_stops_at_the_lower_bound() -> None:
    wide = mean_ci95([0.0, 2923.0])  # two replications: t(0.975, 1) = 12.7
    assert wide["ci95_low"] is not None and wide["ci95_low"] < 0
    clipped = mean_ci95([0.0, 2923.0], lower=0.0)
    assert clipped["ci95_low"] == 0.0 and clipped["ci95_high"] == wide["ci95_high"]
    assert clipped["mean"] == wide["mean"] == 1461.5


def test_an_interval_inside_the_bound_is_unchanged() -> None:
    values = [10.0, 11.0, 12.0, 13.0]
    assert mean_ci95(values, lower=0.0) == mean_ci95(values)


def test_every_rollout_figure_but_excess_hurt_is_non_negative() -> None:
    assert {name for name in INTERVAL_FIGURES if LOWER_BOUNDS.get(name, 0.0) is None} == {"excess_hurt"}


def test_a_share_interval_stops_at_one() -> None:
    """A fleet's minutes within the SLO over three replications (0.98, 1.0, 1.0): never above 100%."""
    wide = mean_ci95([0.98, 1.0, 1.0])
    assert wide["ci95_high"] is not None and wide["ci95_high"] > 1.0
    clipped = mean_ci95([0.98, 1.0, 1.0], 0.0, 1.0)
    assert clipped["ci95_high"] == 1.0 and clipped["ci95_low"] == wide["ci95_low"]


def test_fleet_sizing_keeps_its_shares_inside_zero_and_one() -> None:
    from simulator.recommend.fleet import SHARES, combine

    figures = [{name: value for name in SHARES} | {"cost_per_day_usd": 5.0} for value in (0.98, 1.0, 1.0)]
    combined = combine(figures)
    assert all(combined[name]["ci95_high"] == 1.0 for name in SHARES)
