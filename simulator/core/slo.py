"""One rule for "meets the SLO", shared by `recommend`, `options:` and `crossover`.

A figure (a latency percentile, an error rate) meets its limit when the upper end of its 95% confidence
interval across replications is at or below the limit; with one replication there is no interval and the
value itself is used. The upper bound, not the mean, because a user acts on "meets": a configuration
whose interval straddles the limit misses it about as often as it meets it.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.core.stats import mean_ci95

RULE = "upper end of the 95% CI across replications at or below the limit (one replication: the value)"


def meets(values: Sequence[float | None], limit: float) -> bool:
    """True when the replications' figure meets `limit` under the rule (a missing figure never does)."""
    if not values or any(value is None for value in values):
        return False
    return interval_meets(mean_ci95(values), limit)


def interval_meets(figure: dict[str, float | None], limit: float) -> bool:
    """The rule applied to an already combined figure {mean, ci95_low, ci95_high}."""
    bound = figure["ci95_high"] if figure.get("ci95_high") is not None else figure.get("mean")
    return bound is not None and bound <= limit
