"""An autoscaled variant without SimPy per request: the fleet's history first, then the requests through it.

When every policy scales on arrivals (Invocations, InvocationsPerInstance), what the autoscaler sees -
arrivals counted from the timetable and InService instance-seconds - does not depend on how requests
are served, and neither does which instances are InService: a retired instance leaves routing at once
and only its termination waits for its requests. So the built model's SimPy clock runs the autoscaler
alone (ticks, launches, retirements: the same samplers, activities and alarms) and the static fleet's
event loop (static_queue.py) then serves the timetable through that history: instances join routing
when they came InService and leave it when retired, where the loop plays the scale-in. A request
event at the very instant of a fleet event is one only SimPy orders: Tie, and the caller runs the whole
scenario on SimPy.
"""

from __future__ import annotations

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.core.rng import RandomStreams
from simulator.engine.fast.fleet import routing, stations
from simulator.engine.fast.static_queue import Records, Retirements, Tie, serve
from simulator.hosting.instance import InstanceState
from simulator.hosting.variant import Variant
from simulator.scenario.scaling import AutoscalingSpec, ScalingMetric

ARRIVAL_METRICS = (ScalingMetric.INVOCATIONS, ScalingMetric.INVOCATIONS_PER_INSTANCE)

_JOIN, _LEAVE = 0, 1


def scales_on_arrivals(spec: AutoscalingSpec) -> bool:
    """Whether every policy's metric is counted from arrivals (so the fleet's history comes first)."""
    tracking = [spec.target_tracking] if spec.target_tracking else []
    return all(policy.metric in ARRIVAL_METRICS for policy in [*tracking, *spec.step_scaling])


def _fleet_events(variant: Variant) -> list[tuple[float, int, int]]:
    """(time, kind, fleet index) of every join to and leave from routing after the start, in SimPy's
    order: by time, then launch order (launches and InService events are created in that order)."""
    events = []
    for number, instance in enumerate(variant.fleet):
        joined = instance.in_service_at
        if joined is None:
            continue  # retired while pending: never routed to
        if joined > 0.0:
            events.append((joined, _JOIN, number))
        if instance.retired_at is not None:
            events.append((instance.retired_at, _LEAVE, number))
    return sorted(events, key=lambda event: (event[0], event[2], event[1]))


def serve_elastic(
    log: RequestLog,
    variant: Variant,
    streams: RandomStreams,
    clock: np.ndarray,
    timeout: float,
    duration: float,
) -> Records:
    """Serve every request of the log (all sent to `variant`, or to none) through the fleet's history;
    the records of every request, and each retired instance's end, as a SimPy run leaves them."""
    fleet, events = variant.fleet, _fleet_events(variant)
    active = [number for number, instance in enumerate(fleet) if instance.in_service_at == 0.0]
    actives = [list(active)]
    for _, kind, number in events:
        if kind == _JOIN:
            active.append(number)
        else:
            active.remove(number)
        actives.append(list(active))
    times = [time for time, _, _ in events]
    retirements = Retirements([(time, k) for time, kind, k in events if kind == _LEAVE], set(times))
    variant_of, rows = log.column("variant"), np.arange(log.size)
    chosen = routing([variant], variant_of, streams, rows, clock, (times, actives))
    fleet_stations = stations([variant], variant_of, streams)
    records = serve(log.column("arrival"), clock, chosen, fleet_stations, timeout, duration, retirements)
    completions = records.end[~np.isnan(records.start) & (records.status != Status.KILLED)]
    if np.isin(np.concatenate((clock[clock < duration], completions)), list(retirements.special)).any():
        raise Tie  # an arrival or a completion the loop had at a fleet event's instant
    for number, instance in enumerate(fleet):
        if instance.retired_at is None or instance.in_service_at is None:
            continue  # never retired, or retired while pending (terminated then, as the fleet run had it)
        if number in retirements.draining:
            instance.state, instance.terminated_at = InstanceState.DRAINING, None
        else:
            instance.state = InstanceState.TERMINATED
            instance.terminated_at = retirements.terminated_at.get(number)
    return records
