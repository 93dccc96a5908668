"""A staged variant (inference pipeline or Elastic Inference) without SimPy: the same events, in order.

Each instance runs its containers as stations in tandem (see hosting/pipeline.py): the first one behind
the instance's queue (bound, timeouts, throttling), the later ones with FIFO waiting lines, hops between
them. Stage completions and hops go through one heap keyed like SimPy's queue, (time, creation order),
and arrivals take their place as the timetable driver creates them (arrival i+1 when arrival i is
processed, before what arrival i schedules). Every step calls the samplers the built model wired in the
order SimPy does, so the records and the per-container times are the ones a SimPy run leaves.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.engine.fast.columns import store_columns
from simulator.hosting.variant import Variant
from simulator.scenario.endpoint import Routing

_DONE, _HOP = 0, 1


def serve_pipeline(
    log: RequestLog, variant: Variant, clock: np.ndarray, timeout: float, duration: float
) -> None:
    """Run every request of the log (all sent to `variant`, or to no variant) through its instances.

    One loop with local names (the hot path of Elastic Inference trials): `begin` is the instance front
    taking a request into its first container, `serve` a container drawing a request's time.
    """
    assert variant.stages is not None and variant.stage_record is not None
    n = log.size
    stages = len(variant.stages)
    last = stages - 1
    draw = [stage.sampler.next for stage in variant.stages]
    hop = [stage.hop for stage in variant.stages]
    stage_workers = [stage.workers for stage in variant.stages]
    workers, max_queue = variant.workers, variant.spec.max_queue
    instances = list(variant.active)
    count = len(instances)
    idents = [instance.ident for instance in instances]
    speeds = [instance.speed for instance in instances]
    busy, outstanding = [0] * count, [0] * count
    queues: list[deque[int]] = [deque() for _ in instances]
    stage_busy = [[0] * stages for _ in instances]
    lines = [[deque[int]() for _ in range(stages)] for _ in instances]
    arrival = array("d", np.ascontiguousarray(log.column("arrival"), dtype=np.float64).tobytes())
    clocks = array("d", np.ascontiguousarray(clock, dtype=np.float64).tobytes())
    sent = log.column("variant").tolist()
    start, end, work = (array("d", log.column(name).tobytes()) for name in ("start", "end", "work"))
    instance_of = array("i", log.column("instance").astype(np.int32).tobytes())
    status = array("b", log.column("status").astype(np.int8).tobytes())
    enter = array("d", np.full(n * stages, np.nan).tobytes())
    leave = array("d", np.full(n * stages, np.nan).tobytes())
    rows = len(variant.stage_record.enter)
    ok, timed_out, throttled = int(Status.OK), int(Status.TIMEOUT), int(Status.THROTTLED)
    no_capacity = int(Status.NO_CAPACITY)
    choose = variant.choice_sampler.next
    fewest = variant.routing is not Routing.RANDOM
    heap: list[tuple[float, int, int, int, int, int]] = []  # (time, order, kind, instance, request, stage)
    push, pop = heapq.heappush, heapq.heappop
    next_time, next_order, order, following = (clocks[0], 0, 1, 0) if n else (math.inf, 0, 0, 0)
    while True:
        if heap:
            top = heap[0]
            now = top[0]
            if now < next_time or (now == next_time and top[1] < next_order):
                if now >= duration:
                    break
                pop(heap)
                _, _, kind, i, request, stage = top
                if kind == _HOP:  # reaches the next container
                    enter[request * stages + stage] = now
                    if stage_busy[i][stage] < stage_workers[stage]:
                        stage_busy[i][stage] += 1
                        demand = draw[stage]() / speeds[i]
                        work[request] += demand
                        push(heap, (now + demand, order, _DONE, i, request, stage))
                        order += 1
                    else:
                        lines[i][stage].append(request)
                    continue
                leave[request * stages + stage] = now
                if stage == last:
                    end[request] = now
                    status[request] = timed_out if now - arrival[request] > timeout else ok
                    outstanding[i] -= 1
                else:
                    following_stage = stage + 1
                    if hop[stage] > 0:
                        push(heap, (now + hop[stage], order, _HOP, i, request, following_stage))
                        order += 1
                    else:
                        enter[request * stages + following_stage] = now
                        if stage_busy[i][following_stage] < stage_workers[following_stage]:
                            stage_busy[i][following_stage] += 1
                            demand = draw[following_stage]() / speeds[i]
                            work[request] += demand
                            push(heap, (now + demand, order, _DONE, i, request, following_stage))
                            order += 1
                        else:
                            lines[i][following_stage].append(request)
                if stage == 0:  # the instance's worker is free: its queue's next request begins
                    busy[i] -= 1
                    queue = queues[i]
                    while queue and busy[i] < workers:
                        waiting = queue.popleft()
                        arrived = arrival[waiting]
                        if now - arrived >= timeout:
                            outstanding[i] -= 1
                            status[waiting] = timed_out
                            end[waiting] = arrived + timeout
                            continue
                        start[waiting] = now
                        work[waiting] = 0.0
                        instance_of[waiting] = idents[i]
                        busy[i] += 1
                        if waiting >= rows:  # StageRecord grows as SimPy's run makes it grow
                            rows = max(2 * rows, waiting + 1)
                        enter[waiting * stages] = now
                        demand = draw[0]() / speeds[i]
                        work[waiting] += demand
                        push(heap, (now + demand, order, _DONE, i, waiting, 0))
                        order += 1
                else:
                    stage_busy[i][stage] -= 1
                    line = lines[i][stage]
                    if line:
                        stage_busy[i][stage] += 1
                        waiting = line.popleft()
                        demand = draw[stage]() / speeds[i]
                        work[waiting] += demand
                        push(heap, (now + demand, order, _DONE, i, waiting, stage))
                        order += 1
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
        if sent[request] < 0 or count == 0:
            status[request] = no_capacity
            end[request] = arrival[request]
            continue
        i = 0
        if count > 1:  # Variant.pick: one uniform when several are InService
            i = int(choose() * count)
            if fewest:
                best, least = i, outstanding[i]
                for step in range(1, count):
                    other = (i + step) % count
                    if outstanding[other] < least:
                        best, least = other, outstanding[other]
                i = best
        outstanding[i] += 1
        if busy[i] < workers:
            start[request] = now
            work[request] = 0.0
            instance_of[request] = idents[i]
            busy[i] += 1
            if request >= rows:
                rows = max(2 * rows, request + 1)
            enter[request * stages] = now
            demand = draw[0]() / speeds[i]
            work[request] += demand
            push(heap, (now + demand, order, _DONE, i, request, 0))
            order += 1
            continue
        queue = queues[i]
        while queue and now - arrival[queue[0]] >= timeout:
            expired = queue.popleft()
            outstanding[i] -= 1
            status[expired] = timed_out
            end[expired] = arrival[expired] + timeout
        if len(queue) < max_queue:
            queue.append(request)
        else:
            outstanding[i] -= 1
            status[request] = throttled
            end[request] = now
    store_columns(log, n, start, end, work, instance_of, status)
    record = variant.stage_record
    for name, values in (("enter", enter), ("leave", leave)):
        table = np.full((rows, stages), np.nan)
        kept = min(n, rows)
        table[:kept] = np.frombuffer(values, dtype=np.float64).reshape(n, stages)[:kept]
        setattr(record, name, table)
