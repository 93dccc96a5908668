"""An autoscaled variant without SimPy per request: the fleet's history first, then the requests through it.

When every policy scales on arrivals (Invocations, InvocationsPerInstance), what the autoscaler sees -
arrivals counted from the timetable and InService instance-seconds - does not depend on how requests
are served, and neither does which instances are InService: a retired instance leaves routing at once
and only its termination waits for its requests. So the built model's SimPy clock runs the autoscaler
alone (ticks, launches, retirements: the same samplers, activities and alarms) and this loop then
serves the timetable through that history: instances join routing when they came InService and leave
when retired, a draining one finishes its queue and is killed KILL_GRACE_S later with what is left.
Request events keep SimPy's (time, creation order); a request event at the very instant of a fleet
event is one only SimPy orders, so the loop raises Tie and the caller runs the whole scenario on SimPy.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.core.rng import RandomStreams
from simulator.engine.fast.columns import store_columns
from simulator.engine.fast.draws import block_draws, uniform_draws
from simulator.engine.fast.single_station import Tie
from simulator.hosting.instance import KILL_GRACE_S, InstanceState
from simulator.hosting.variant import Variant
from simulator.scenario.endpoint import Routing
from simulator.scenario.scaling import AutoscalingSpec, ScalingMetric

ARRIVAL_METRICS = (ScalingMetric.INVOCATIONS, ScalingMetric.INVOCATIONS_PER_INSTANCE)

_IN_SERVICE, _DRAINING, _TERMINATED = 0, 1, 2
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
) -> None:
    """Serve every request of the log (all sent to `variant`, or to none) through the fleet's history."""
    fleet = variant.fleet
    m = len(fleet)
    idents = [instance.ident for instance in fleet]
    speeds = [instance.speed for instance in fleet]
    state = [_IN_SERVICE] * m
    terminated_at: list[float | None] = [None] * m
    busy, outstanding = [0] * m, [0] * m
    queues: list[deque[int]] = [deque() for _ in range(m)]
    workers, max_queue = variant.workers, variant.spec.max_queue
    active = [number for number, instance in enumerate(fleet) if instance.in_service_at == 0.0]
    events = _fleet_events(variant)
    special = {time for time, _, _ in events}
    # the variant's own samplers, untouched by the fleet run: drawn here in the same blocks at once
    plan, n = variant.plan, log.size
    service = streams.generator("service", variant.index)
    take = iter(block_draws(plan.distribution.sample, service, n, plan.scale).tolist()).__next__
    choose = iter(uniform_draws(streams.generator("instance_choice", variant.index), n).tolist()).__next__
    fewest = variant.routing is not Routing.RANDOM
    arrival = array("d", np.ascontiguousarray(log.column("arrival"), dtype=np.float64).tobytes())
    clocks = array("d", np.ascontiguousarray(clock, dtype=np.float64).tobytes())
    sent = log.column("variant").tolist()
    start, end, work = (array("d", log.column(name).tobytes()) for name in ("start", "end", "work"))
    instance_of = array("i", log.column("instance").astype(np.int32).tobytes())
    status = array("b", log.column("status").astype(np.int8).tobytes())
    ok, timed_out, throttled = int(Status.OK), int(Status.TIMEOUT), int(Status.THROTTLED)
    killed, no_capacity = int(Status.KILLED), int(Status.NO_CAPACITY)
    heap: list[tuple[float, int, int, int]] = []  # (time, order, fleet index, request or -1: kill)
    push, pop = heapq.heappush, heapq.heappop
    next_time, next_order, order, following = (clocks[0], 0, 1, 0) if n else (math.inf, 0, 0, 0)
    position = 0
    fleet_time = events[0][0] if events else math.inf

    while True:
        top_time = heap[0][0] if heap else math.inf
        if fleet_time <= top_time and fleet_time <= next_time:
            if fleet_time >= duration:
                break
            now, kind, k = events[position]
            position += 1
            fleet_time = events[position][0] if position < len(events) else math.inf
            if kind == _JOIN:
                active.append(k)
                continue
            active.remove(k)
            if outstanding[k] == 0:
                state[k], terminated_at[k] = _TERMINATED, now
            else:
                state[k] = _DRAINING
                special.add(now + KILL_GRACE_S)
                push(heap, (now + KILL_GRACE_S, order, k, -1))
                order += 1
            continue
        if heap and (top_time < next_time or (top_time == next_time and heap[0][1] < next_order)):
            now = top_time
            if now >= duration:
                break
            _, _, k, request = pop(heap)
            if request < 0:  # the kill timer of a draining instance
                if state[k] != _DRAINING:
                    continue
                for victim in [*_in_service(instance_of, status, idents[k]), *queues[k]]:
                    status[victim] = killed
                    end[victim] = now
                queues[k].clear()
                busy[k] = outstanding[k] = 0
                state[k], terminated_at[k] = _TERMINATED, now
                continue
            if state[k] == _TERMINATED:
                continue  # killed while in service: already recorded
            if now in special:
                raise Tie
            end[request] = now
            status[request] = timed_out if now - arrival[request] > timeout else ok
            busy[k] -= 1
            outstanding[k] -= 1
            queue = queues[k]
            request = -1
            while queue:  # the freed worker takes the first queued request whose client still waits
                waiting = queue.popleft()
                arrived = arrival[waiting]
                if now - arrived < timeout:
                    request = waiting
                    break
                outstanding[k] -= 1
                status[waiting] = timed_out
                end[waiting] = arrived + timeout
            if request < 0:
                if state[k] == _DRAINING and outstanding[k] == 0:
                    state[k], terminated_at[k] = _TERMINATED, now
                continue
        else:
            if next_time >= duration:
                break
            now = next_time
            if now in special:
                raise Tie
            request = following
            following += 1
            if following < n:
                next_time = clocks[following]
                next_order = order
                order += 1
            else:
                next_time = math.inf
            count = len(active)
            if sent[request] < 0 or count == 0:
                status[request] = no_capacity
                end[request] = arrival[request]
                continue
            k = active[0]
            if count > 1:
                offset = int(choose() * count)  # Variant.pick: one uniform when several are InService
                k = active[offset]
                if fewest:
                    least = outstanding[k]
                    for step in range(1, count):
                        other = active[(offset + step) % count]
                        if outstanding[other] < least:
                            k, least = other, outstanding[other]
            outstanding[k] += 1
            if busy[k] >= workers:
                queue = queues[k]
                while queue and now - arrival[queue[0]] >= timeout:
                    expired = queue.popleft()
                    outstanding[k] -= 1
                    status[expired] = timed_out
                    end[expired] = arrival[expired] + timeout
                if len(queue) < max_queue:
                    queue.append(request)
                else:
                    outstanding[k] -= 1
                    status[request] = throttled
                    end[request] = now
                continue
        demand = take() / speeds[k]  # `request` begins on instance `k`
        start[request] = now
        work[request] = demand
        instance_of[request] = idents[k]
        busy[k] += 1
        push(heap, (now + demand, order, k, request))
        order += 1
    store_columns(log, n, (start, end, work, instance_of, status))
    for number, instance in enumerate(fleet):
        if instance.retired_at is None or instance.in_service_at is None:
            continue  # never retired, or retired while pending (terminated then, as the fleet run had it)
        if state[number] == _DRAINING:
            instance.state, instance.terminated_at = InstanceState.DRAINING, None
        else:
            instance.state, instance.terminated_at = InstanceState.TERMINATED, terminated_at[number]


def _in_service(instance_of: array, status: array, ident: int) -> list[int]:
    """Requests in service on an instance: begun there, not finished (only a kill asks, rarely)."""
    begun = np.frombuffer(instance_of, dtype=np.int32) == ident
    return np.flatnonzero(begun & (np.frombuffer(status, dtype=np.int8) == Status.IN_FLIGHT)).tolist()
