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
from simulator.hosting.variant import Variant
from simulator.scenario.endpoint import Routing

_DONE, _HOP = 0, 1


class _Fleet:
    """The mutable state of one variant's pipeline instances and the records being written."""

    def __init__(self, log: RequestLog, variant: Variant, timeout: float) -> None:
        assert variant.stages is not None and variant.stage_record is not None
        n = log.size
        self.stages = len(variant.stages)
        self.draw = [stage.sampler.next for stage in variant.stages]
        self.hop = [stage.hop for stage in variant.stages]
        self.stage_workers = [stage.workers for stage in variant.stages]
        self.workers = variant.workers
        self.max_queue = variant.spec.max_queue
        self.timeout = timeout
        instances = list(variant.active)
        self.idents = [instance.ident for instance in instances]
        self.speeds = [instance.speed for instance in instances]
        self.busy = [0] * len(instances)
        self.outstanding = [0] * len(instances)
        self.queue: list[deque[int]] = [deque() for _ in instances]
        self.stage_busy = [[0] * self.stages for _ in instances]
        self.waiting = [[deque[int]() for _ in range(self.stages)] for _ in instances]
        self.arrival = array("d", np.ascontiguousarray(log.column("arrival"), dtype=np.float64).tobytes())
        self.start, self.end, self.work = (
            array("d", log.column(c).tobytes()) for c in ("start", "end", "work")
        )
        self.instance = array("i", log.column("instance").astype(np.int32).tobytes())
        self.status = array("b", log.column("status").astype(np.int8).tobytes())
        self.enter = array("d", np.full(n * self.stages, np.nan).tobytes())
        self.leave = array("d", np.full(n * self.stages, np.nan).tobytes())
        self.rows = len(variant.stage_record.enter)
        self.heap: list[tuple[float, int, int, int, int, int]] = []
        self.order = 0

    # -- the instance front (hosting/instance.py) ------------------------------------------------------
    def submit(self, i: int, request: int, now: float) -> None:
        self.outstanding[i] += 1
        if self.busy[i] < self.workers:
            self.begin(i, request, now)
            return
        queue = self.queue[i]
        while queue and now - self.arrival[queue[0]] >= self.timeout:
            self.drop(i, queue.popleft())
        if len(queue) < self.max_queue:
            queue.append(request)
        else:
            self.outstanding[i] -= 1
            self.status[request] = Status.THROTTLED
            self.end[request] = now

    def drop(self, i: int, request: int) -> None:
        self.outstanding[i] -= 1
        self.status[request] = Status.TIMEOUT
        self.end[request] = self.arrival[request] + self.timeout

    def begin(self, i: int, request: int, now: float) -> None:
        self.start[request] = now
        self.work[request] = 0.0
        self.instance[request] = self.idents[i]
        self.busy[i] += 1
        if request >= self.rows:  # StageRecord grows as SimPy's run makes it grow
            self.rows = max(2 * self.rows, request + 1)
        self.enter[request * self.stages] = now
        self.serve(i, request, 0, now)

    # -- the containers (hosting/pipeline.py) ----------------------------------------------------------
    def serve(self, i: int, request: int, stage: int, now: float) -> None:
        demand = self.draw[stage]() / self.speeds[i]
        self.work[request] += demand
        heapq.heappush(self.heap, (now + demand, self.order, _DONE, i, request, stage))
        self.order += 1

    def stage_done(self, i: int, request: int, stage: int, now: float) -> None:
        self.leave[request * self.stages + stage] = now
        if stage == self.stages - 1:
            self.end[request] = now
            late = now - self.arrival[request] > self.timeout
            self.status[request] = Status.TIMEOUT if late else Status.OK
            self.outstanding[i] -= 1
        elif self.hop[stage] > 0:
            heapq.heappush(self.heap, (now + self.hop[stage], self.order, _HOP, i, request, stage + 1))
            self.order += 1
        else:
            self.arrive(i, request, stage + 1, now)
        if stage == 0:
            self.busy[i] -= 1
            queue = self.queue[i]
            while queue and self.busy[i] < self.workers:
                waiting = queue.popleft()
                if now - self.arrival[waiting] >= self.timeout:
                    self.drop(i, waiting)
                    continue
                self.begin(i, waiting, now)
        else:
            self.stage_busy[i][stage] -= 1
            line = self.waiting[i][stage]
            if line:
                self.stage_busy[i][stage] += 1
                self.serve(i, line.popleft(), stage, now)

    def arrive(self, i: int, request: int, stage: int, now: float) -> None:
        self.enter[request * self.stages + stage] = now
        if self.stage_busy[i][stage] < self.stage_workers[stage]:
            self.stage_busy[i][stage] += 1
            self.serve(i, request, stage, now)
        else:
            self.waiting[i][stage].append(request)


def serve_pipeline(
    log: RequestLog, variant: Variant, clock: np.ndarray, timeout: float, duration: float
) -> None:
    """Run every request of the log (all sent to `variant`, or to no variant) through its instances."""
    fleet = _Fleet(log, variant, timeout)
    n = log.size
    count = len(fleet.idents)
    choose = variant.choice_sampler.next
    fewest = variant.routing is not Routing.RANDOM
    clocks = array("d", np.ascontiguousarray(clock, dtype=np.float64).tobytes())
    sent = log.column("variant").tolist()
    heap, pop = fleet.heap, heapq.heappop
    next_time, next_order, following = (clocks[0], 0, 0) if n else (math.inf, 0, 0)
    fleet.order = 1 if n else 0
    while True:
        if heap:
            top = heap[0]
            now = top[0]
            if now < next_time or (now == next_time and top[1] < next_order):
                if now >= duration:
                    break
                pop(heap)
                if top[2] == _DONE:
                    fleet.stage_done(top[3], top[4], top[5], now)
                else:
                    fleet.arrive(top[3], top[4], top[5], now)
                continue
        if next_time >= duration:
            break
        now = next_time
        request = following
        following += 1
        if following < n:
            next_time = clocks[following]
            next_order = fleet.order
            fleet.order += 1
        else:
            next_time = math.inf
        if sent[request] < 0 or count == 0:
            fleet.status[request] = Status.NO_CAPACITY
            fleet.end[request] = fleet.arrival[request]
            continue
        i = 0
        if count > 1:
            i = int(choose() * count)
            if fewest:
                best, least = i, fleet.outstanding[i]
                for step in range(1, count):
                    other = (i + step) % count
                    if fleet.outstanding[other] < least:
                        best, least = other, fleet.outstanding[other]
                i = best
        fleet.submit(i, request, now)
    _write_back(log, fleet, variant)


def _write_back(log: RequestLog, fleet: _Fleet, variant: Variant) -> None:
    n = log.size
    for name, values, dtype in (
        ("start", fleet.start, np.float64),
        ("end", fleet.end, np.float64),
        ("work", fleet.work, np.float64),
        ("instance", fleet.instance, np.int32),
        ("status", fleet.status, np.int8),
    ):
        getattr(log, name)[:n] = np.frombuffer(values, dtype=dtype)
    record = variant.stage_record
    assert record is not None
    for name, values in (("enter", fleet.enter), ("leave", fleet.leave)):
        table = np.full((fleet.rows, fleet.stages), np.nan)
        rows = min(n, fleet.rows)
        table[:rows] = np.frombuffer(values, dtype=np.float64).reshape(n, fleet.stages)[:rows]
        setattr(record, name, table)
