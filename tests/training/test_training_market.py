"""The spot market: bucket rates, hazard inversion of time-varying rates, traces, per-instance scaling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.training.market import (
    MONTH_S,
    PoissonMarket,
    ScheduleMarket,
    TraceMarket,
    bucket_rate,
    build_market,
)
from simulator.training.stats import mean_ci


def test_bucket_rate_interrupts_the_bucket_midpoint_per_month() -> None:
    assert 1 - math.exp(-bucket_rate("5-10%") * MONTH_S) == pytest.approx(0.075)
    assert bucket_rate("<5%") < bucket_rate("10-15%") < bucket_rate(">20%")
    with pytest.raises(KeyError):
        bucket_rate("rare")


def test_schedule_inversion_by_hand() -> None:
    market = ScheduleMarket(durations=(10.0, 20.0), rates=(0.0, 0.1))  # hazard 2 per 30 s cycle
    assert market.invert(0.0, 1.0) == pytest.approx(20.0)  # quiet 10 s, then 1 / 0.1
    assert market.invert(0.0, 2.5) == pytest.approx(45.0)  # a whole cycle, 10 s quiet, 5 s
    assert market.invert(35.0, 1.0) == pytest.approx(50.0)  # starts mid quiet phase of cycle 2
    assert market.invert(45.0, 0.5) == pytest.approx(50.0)
    assert market.mean_rate() == pytest.approx(2 / 30)
    assert ScheduleMarket((5.0,), (0.0,)).invert(0.0, 1.0) == math.inf


def test_schedule_gives_poisson_counts_with_the_right_profile() -> None:
    """Restarting the draw at every event (as the job does per attempt) yields a non-homogeneous Poisson
    process: counts in 10 cycles have mean = variance = 10 * cycle hazard, and the share of events in each
    phase is proportional to its hazard."""
    market = ScheduleMarket(durations=(3600.0, 7200.0), rates=(3 / 3600, 0.5 / 3600))  # hazard 4 per cycle
    rng = np.random.default_rng(2024)
    counts, in_busy = [], []
    for _ in range(2000):
        t, n, busy = market.next_notice(0.0, rng), 0, 0
        while t < 10 * 10800:
            n += 1
            busy += (t % 10800) < 3600
            t = market.next_notice(t, rng)
        counts.append(n)
        in_busy.append(busy / max(n, 1))
    _, low, high = mean_ci(counts)
    assert low <= 40 <= high
    assert np.var(counts, ddof=1) == pytest.approx(40, rel=0.1)  # sd of a variance of n=2000: 3%
    _, low, high = mean_ci(in_busy)
    assert low <= 0.75 <= high


def test_trace_notices_strictly_after_now() -> None:
    market = TraceMarket((100.0, 200.0))
    rng = np.random.default_rng(0)
    assert [market.next_notice(t, rng) for t in (0, 100, 150, 200)] == [100, 200, 200, math.inf]


def test_job_rate_is_instances_times_instance_rate(catalog, make_spec) -> None:
    market = build_market(make_spec(instance_count=3, spot={"interruption_rate": "1/6h"}), catalog)
    assert market == PoissonMarket(3 / (6 * 3600))
    from_bucket = build_market(make_spec(spot={}), catalog)  # ml.p3.2xlarge is "5-10%"
    assert from_bucket == PoissonMarket(bucket_rate("5-10%"))
    schedule = build_market(
        make_spec(instance_count=2, spot={"rate_schedule": [{"duration": "8h", "rate": "1/4h"}]}), catalog
    )
    assert schedule == ScheduleMarket((8 * 3600.0,), (2 / (4 * 3600),))
    assert build_market(make_spec(spot={"enabled": False, "interruption_rate": "1/h"}), catalog) is None
