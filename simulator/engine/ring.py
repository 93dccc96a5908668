"""Whether a run keeps every request's record or streams them through a fixed ring."""

from __future__ import annotations

import math

from simulator.errors import ScenarioError
from simulator.scenario.crossref import staged
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.traffic import (
    ClosedLoopArrivals,
    DiurnalArrivals,
    PoissonArrivals,
    ScheduleArrivals,
    TraceArrivals,
)

STREAMING_ABOVE = 10_000_000
"""Expected requests above which per-request records are not kept (metrics.per_request_records: auto)."""


def expected_requests(scenario: EndpointScenario) -> float:
    """Roughly how many requests an open-loop scenario sends (infinite for closed loop: unknown)."""
    arrivals = scenario.traffic.arrivals
    if isinstance(arrivals, PoissonArrivals):
        return arrivals.rate * scenario.duration
    if isinstance(arrivals, DiurnalArrivals):
        return arrivals.mean_rate * scenario.duration
    if isinstance(arrivals, ScheduleArrivals):
        return max(step.rate for step in arrivals.steps) * scenario.duration
    if isinstance(arrivals, TraceArrivals):
        return float(len(arrivals.timestamps()))
    return float("inf")


KEPT_AT_MOST = 100_000_000
"""Expected requests above which a run that keeps every record is refused: a record is some hundred
bytes, and past this the run would exhaust a machine's memory rather than finish."""


def refuse_endless_records(scenario: EndpointScenario) -> None:
    """Refuse, before simulating, a run that would keep more records than memory holds (streaming
    runs are bounded by their ring instead)."""
    expected = expected_requests(scenario)
    if math.isfinite(expected) and expected > KEPT_AT_MOST:
        forced = scenario.metrics.per_request_records
        how = "stream them (metrics.per_request_records: false)" if forced else "shorten duration"
        raise ScenarioError(
            "metrics.per_request_records" if forced else "duration",
            f"keeping every request's record means about {expected:,.3g} records, over the {KEPT_AT_MOST:,}"
            f" a run may hold: lower the rate or {how}",
        )


def ring_capacity(scenario: EndpointScenario) -> int:
    """Record-ring size for a streaming run, or 0 to keep every request's record.

    Streaming needs open-loop traffic and instance-based variants (serverless billing reads every
    record); `metrics.per_request_records` true/false forces the choice, null decides by size.
    """
    keep = scenario.metrics.per_request_records
    streamable = not isinstance(scenario.traffic.arrivals, ClosedLoopArrivals) and all(
        v.serverless is None and not staged(scenario, v) for v in scenario.endpoint.variants
    )
    small = keep is None and expected_requests(scenario) <= STREAMING_ABOVE
    if keep or not streamable or small or scenario.deployment() is not None:  # a rollout reads recent records
        return 0
    return scenario.metrics.ring_capacity
