"""A serverless variant's environment pool without SimPy: the same events, in SimPy's order.

The pool has no queue, so a request is throttled, served by the most recently freed warm environment,
or waits for a new one's ModelSetupTime (cold start). Its events - setup done, completion, keep-warm
expiry - go through one heap keyed like SimPy's own queue: (time, creation order). Arrivals take their
place in that order as the timetable driver creates them (arrival i+1 when arrival i is processed,
before anything arrival i schedules), so ties resolve as in SimPy and the samplers the built model
wired to the pool are called in the same order: the records, the cold starts and the pool's counters
are the ones a SimPy run leaves.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.engine.fast.columns import store_columns
from simulator.hosting.serverless import Environment, ServerlessVariant

_READY, _DONE, _EXPIRE = 0, 1, 2


def serve_pool(
    log: RequestLog, variant: ServerlessVariant, clock: np.ndarray, timeout: float, duration: float
) -> None:
    """Run every request of the log (all sent to `variant`, or to no variant) through its pool."""
    pool = variant.pool
    account = pool.account
    limit = min(pool.max_concurrency, account.limit)  # the variant is the account's only serverless one
    keep_warm = pool.keep_warm
    service, setup, new_id = pool.service.next, pool.setup, pool.new_id
    n = log.size
    arrival = array("d", np.ascontiguousarray(log.column("arrival"), dtype=np.float64).tobytes())
    clocks = array("d", np.ascontiguousarray(clock, dtype=np.float64).tobytes())
    sent = log.column("variant").tolist()
    start, end, work = (array("d", log.column(name).tobytes()) for name in ("start", "end", "work"))
    instance = array("i", log.column("instance").astype(np.int32).tobytes())
    status = array("b", log.column("status").astype(np.int8).tobytes())
    ok, timed_out, throttled = int(Status.OK), int(Status.TIMEOUT), int(Status.THROTTLED)
    no_capacity = int(Status.NO_CAPACITY)
    idle = pool.idle
    cold_starts = pool.cold_starts
    in_flight, peak, retired = pool.in_flight, pool.max_in_flight, 0
    alive, peak_alive = pool.alive, pool.max_alive
    heap: list[tuple[float, int, int, Environment, int]] = []  # setups and services under way
    # keep-warm timers start at completions, which come in time order, all `keep_warm` long: a FIFO
    # line is already in (time, creation order) and keeps them out of the heap the other events share
    timers: deque[tuple[float, int, int, Environment, int]] = deque()
    push, pop = heapq.heappush, heapq.heappop
    next_time, next_order, order, following = (clocks[0], 0, 1, 0) if n else (math.inf, 0, 0, 0)
    while True:
        event = heap[0] if heap else None
        if timers:
            timer = timers[0]
            if event is None or timer[0] < event[0] or (timer[0] == event[0] and timer[1] < event[1]):
                event = timer
        if event is not None:
            now = event[0]
            if now < next_time or (now == next_time and event[1] < next_order):
                if now >= duration:
                    break
                kind, environment, value = event[2], event[3], event[4]
                if kind == _DONE:
                    pop(heap)
                    end[value] = now
                    status[value] = timed_out if now - arrival[value] > timeout else ok
                    in_flight -= 1
                    idle.append(environment)
                    if not environment.provisioned:
                        timers.append((now + keep_warm, order, _EXPIRE, environment, environment.generation))
                        order += 1
                elif kind == _READY:
                    pop(heap)
                    demand = service()
                    start[value] = now
                    work[value] = demand
                    instance[value] = environment.ident
                    push(heap, (now + demand, order, _DONE, environment, value))
                    order += 1
                else:
                    timers.popleft()
                    if environment.generation == value and environment in idle:
                        idle.remove(environment)
                        alive -= 1
                        retired += 1
                continue
        if next_time >= duration:
            break
        now = next_time
        request = following
        following += 1
        if following < n:
            next_time = clocks[following]
            next_order = order
            order += 1
        else:
            next_time = math.inf
        if sent[request] < 0:
            status[request] = no_capacity
            end[request] = arrival[request]
            continue
        if in_flight >= limit:
            status[request] = throttled
            end[request] = now
            continue
        in_flight += 1
        if in_flight > peak:
            peak = in_flight
        if idle:
            environment = idle.pop()
            environment.generation += 1
            demand = service()
            start[request] = now
            work[request] = demand
            instance[request] = environment.ident
            push(heap, (now + demand, order, _DONE, environment, request))
            order += 1
            continue
        environment = Environment(new_id(), False)
        alive += 1
        if alive > peak_alive:
            peak_alive = alive
        wait = setup()
        cold_starts.append((now, wait))
        push(heap, (now + wait, order, _READY, environment, request))
        order += 1
    store_columns(log, n, start, end, work, instance, status)
    account.in_flight += in_flight - pool.in_flight
    pool.in_flight = pool.outstanding = in_flight
    pool.max_in_flight = peak
    pool.alive, pool.max_alive = alive, peak_alive
    pool.retired += retired
