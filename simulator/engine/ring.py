"""Whether a run keeps every request's record or streams them through a fixed ring."""

from __future__ import annotations

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
