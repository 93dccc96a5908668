"""A fluid (deterministic) estimate of how many records a streaming run's ring must hold at once.

The ring spans every request from the oldest one still in flight to the newest one generated. In a
fluid FIFO model with arrivals A(t) (exact expected count, from the traffic spec) and a constant service
rate mu, the backlog follows Lindley's recursion B(t) = max(0, B + dA - mu dt), and the span from the
oldest request in flight to the newest arrival holds B(t) requests. Two things cap it: no request stays in
flight much past the invocation timeout, and a request finding a full queue is rejected at once, so no
queued request waits longer than the queue takes to drain. Either way the span holds at most the arrivals
of the capping interval.

The estimate errs low on purpose, so it never refuses a run that would have completed: mu is the fleet's
largest possible service rate (every variant at its largest instance count, every worker busy at the
fastest instance speed, from t = 0), the arrivals are averaged over grid steps, the queue drain time uses
that same fastest service, and the block of arrivals generated ahead is left out. Variants whose
throughput is not workers / service time (pipelines, Elastic Inference, batching) make it give up.
"""

from __future__ import annotations

import math

import numpy as np

from simulator.catalog import Catalog
from simulator.errors import ScenarioError
from simulator.hosting.plans import base_plan, uses_batching
from simulator.scenario.crossref import staged
from simulator.scenario.kinds import EndpointScenario
from simulator.scenario.traffic import DiurnalArrivals, PoissonArrivals, ScheduleArrivals, TraceArrivals

GRID_STEPS = 100_000
"""Fluid steps over the run (arrivals are integrated exactly over each step)."""
REFUSE_MARGIN = 2.0
"""The estimate must exceed the ring this many times over before a run is refused up front."""


def arrivals_by(scenario: EndpointScenario, times: np.ndarray) -> np.ndarray | None:
    """Expected arrivals in [0, t) for each t (exact integral of the rate); None for closed loop."""
    spec = scenario.traffic.arrivals
    t = np.clip(times, 0.0, None)
    if isinstance(spec, PoissonArrivals):
        return spec.rate * t
    if isinstance(spec, DiurnalArrivals):
        omega = 2 * math.pi / spec.period
        swing = (
            spec.amplitude / omega * (np.sin(omega * (t - spec.peak_at)) - math.sin(-omega * spec.peak_at))
        )
        return spec.mean_rate * (t + swing)
    if isinstance(spec, ScheduleArrivals):
        starts = np.array([step.at for step in spec.steps])
        rates = np.array([step.rate for step in spec.steps])
        knots = np.append(starts, max(float(t.max(initial=0.0)), starts[-1]) + 1.0)
        cumulative = np.concatenate([[0.0], np.cumsum(rates * np.diff(knots))])
        return np.interp(t, knots, cumulative)
    if isinstance(spec, TraceArrivals):
        return np.searchsorted(np.sort(spec.timestamps()), t, side="left").astype(float)
    return None


def fleet_capacity(scenario: EndpointScenario, catalog: Catalog) -> tuple[float, float] | None:
    """(largest service rate of the fleet in requests/s, shortest queue drain time in s), or None.

    None when some variant's throughput is not workers / mean service time (see the module doc).
    """
    rate, drain = 0.0, math.inf
    for variant in scenario.endpoint.variants:
        model = scenario.models.get(variant.model)
        if model is None or variant.instance_type is None or variant.serverless is not None:
            return None
        instance = catalog.instances.get(variant.instance_type)
        if instance is None or staged(scenario, variant) or uses_batching(model, instance):
            return None
        plan = base_plan(model, instance, catalog)  # the engine's own plan for a one-container variant
        if plan.mean() <= 0:
            return None
        workers = variant.workers if variant.workers is not None else plan.devices
        speed = max(variant.instance_speeds or [1.0])
        per_instance = workers * speed / plan.mean()
        rate += per_instance * largest_count(scenario, variant.name)
        drain = min(drain, (variant.max_queue + workers) / per_instance)
    return rate, drain


def largest_count(scenario: EndpointScenario, name: str) -> int:
    """The most instances a variant can have: its count, autoscaling maxima, endpoint updates."""
    variant = next(v for v in scenario.endpoint.variants if v.name == name)
    counts = [variant.instance_count]
    if variant.autoscaling is not None:
        counts.append(variant.autoscaling.max_capacity)
        counts += [
            a.max_capacity for a in variant.autoscaling.scheduled_actions if a.max_capacity is not None
        ]
    counts += [
        update.instance_counts[name] for update in scenario.endpoint.updates if name in update.instance_counts
    ]
    return max(counts)


def ring_estimate(scenario: EndpointScenario, catalog: Catalog) -> tuple[float, float, float] | None:
    """(largest fluid span of the ring in requests, peak step arrival rate /s, fleet service rate /s).

    None when no estimate can be made (closed loop, or a discipline the fluid model does not cover).
    """
    capacity = fleet_capacity(scenario, catalog)
    if capacity is None:
        return None
    service, drain = capacity
    times = np.linspace(0.0, scenario.duration, GRID_STEPS + 1)
    arrived = arrivals_by(scenario, times)
    if arrived is None:
        return None
    step = times[1] - times[0]
    net = np.diff(arrived) - service * step
    level = np.concatenate([[0.0], np.cumsum(net)])
    backlog = level - np.minimum.accumulate(np.minimum(level, 0.0))  # Lindley: max(0, B + net)
    held = min(scenario.endpoint.invocation_timeout, drain)
    earlier = arrivals_by(scenario, times - held)
    assert earlier is not None
    span = np.minimum(backlog, arrived - earlier)
    peak_rate = float(np.diff(arrived).max() / step) if len(times) > 1 else 0.0
    return float(span.max()), peak_rate, service


def refuse_ring_overflow(scenario: EndpointScenario, catalog: Catalog, ring: int) -> None:
    """Refuse before simulating when the fluid span exceeds the ring `REFUSE_MARGIN` times over.

    The mid-run RingOverflow stays the backstop for whatever this deliberately low estimate lets by.
    """
    estimate = ring_estimate(scenario, catalog)
    if estimate is None:
        return
    span, peak_rate, service = estimate
    if span > REFUSE_MARGIN * ring:
        raise ScenarioError(
            "metrics.ring_capacity",
            f"a fluid estimate holds {span:,.0f} requests in flight at once (arrivals up to"
            f" {peak_rate:,.4g}/s against at most {service:,.4g}/s of service on the largest fleet),"
            f" over {REFUSE_MARGIN:g} x the ring's {ring:,} records: the endpoint is overloaded; add"
            " capacity, a shorter timeout or a smaller queue, raise metrics.ring_capacity, or keep every"
            " record (metrics.per_request_records: true)",
        )
