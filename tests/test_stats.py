"""Replication intervals: the Student t quantile is scipy.stats' own, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from simulator.core.stats import combine_summaries, mean_ci95, t_interval


@pytest.mark.parametrize("count", [2, 3, 5, 10, 31, 200])
@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_t_interval_half_width_is_the_scipy_stats_t_quantile(count: int, level: float) -> None:
    values = np.random.default_rng(count).normal(10.0, 3.0, count)
    mean, half = t_interval(values, level)
    expected = stats.t.ppf(0.5 + level / 2, count - 1) * values.std(ddof=1) / math.sqrt(count)
    assert (mean, half) == (float(values.mean()), float(expected))


def test_mean_ci95_of_three_replications() -> None:
    interval = mean_ci95([1.0, 2.0, 6.0])
    half = stats.t.ppf(0.975, 2) * np.std([1.0, 2.0, 6.0], ddof=1) / math.sqrt(3)
    assert interval == {"mean": 3.0, "ci95_low": 3.0 - half, "ci95_high": 3.0 + half}


def test_a_combined_summary_stays_within_what_its_figures_can_take() -> None:
    """One failed request in three replications: the t-interval alone would dip below zero."""
    replications = [
        {"requests": {"failed": 1, "completed": 999}, "error_rate": 0.001},
        {"requests": {"failed": 0, "completed": 1000}, "error_rate": 0.0},
        {"requests": {"failed": 0, "completed": 1000}, "error_rate": 0.0},
    ]
    unbounded = mean_ci95([1, 0, 0])
    assert unbounded["ci95_low"] is not None and unbounded["ci95_low"] < 0
    combined = combine_summaries(replications)
    assert combined["requests"]["failed"]["ci95_low"] == 0.0
    assert combined["requests"]["failed"]["ci95_high"] == unbounded["ci95_high"]
    assert combined["error_rate"]["ci95_low"] == 0.0
    near_one = combine_summaries([{"utilisation": 0.999}, {"utilisation": 0.95}, {"utilisation": 0.999}])
    assert near_one["utilisation"]["ci95_high"] == 1.0


def test_the_count_of_replications_is_said_as_a_sentence_says_it() -> None:
    from simulator.wording import replications_text

    assert [replications_text(n) for n in (1, 3, 1000)] == [
        "1 replication",
        "3 replications",
        "1,000 replications",
    ]


def test_a_percentage_that_rounds_to_zero_has_no_minus_sign() -> None:
    """Python prints -0.00004 as '-0.0%': a sign with nothing behind it, seen in the summarise tables."""
    from simulator.wording import signed_percent

    shown = [signed_percent(share) for share in (-0.00004, 0.0, 0.125, -0.2)]
    assert shown == ["+0.0%", "+0.0%", "+12.5%", "-20.0%"]
    assert signed_percent(-0.00049, 7) == "  +0.0%" and signed_percent(-0.0006, 7) == "  -0.1%"
