"""The event loop of a static fleet of FCFS stations, event for event what the SimPy engine does.

Arrivals come from a timetable (at SimPy's clock readings, clock.py) and completions from one heap
ordered like SimPy's event queue: (time, scheduling order). Every rule of `DedicatedInstance` is
repeated: a request begins at once on a free worker, else queues (expired requests at the queue's
front are dropped first) or is throttled; a completion pulls from the queue, dropping requests that
waited past the timeout. The service time of each begin is the variant's next draw, in the global
order of begins, and the arithmetic (completion = start + work) is the same, so the records are
bit-identical. Nothing at or after `duration` is processed (SimPy's `run(until=...)`).

An autoscaled fleet (elastic.py) adds its scale-ins: a retired instance finishes its queue and is
killed KILL_GRACE_S later with what is left.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.hosting.instance import KILL_GRACE_S

NO_VARIANT = -1
"""Slot of a request no variant takes (every weight 0): it fails with NO_CAPACITY at arrival."""
LEAST_OUTSTANDING = -2
"""Slot of a request whose instance is chosen at arrival among a rotation (LEAST_OUTSTANDING_REQUESTS)."""
_KILL, _LEAVE = -1, -2
"""Heap entries of the fleet's own events, in place of a request."""


class Tie(Exception):
    """A request event coincides with a fleet event, or (single_station.py) an arrival with a
    completion or a pull: only the event loop, or SimPy, orders that exactly."""


@dataclass(frozen=True)
class Station:
    """One variant's fleet as the loop sees it: instances (in launch order) and its draws."""

    idents: list[int]
    speeds: list[float]
    workers: int
    max_queue: int
    service: np.ndarray
    """Service draws (before the instance speed), consumed in the global order of begins."""


@dataclass(frozen=True)
class Routing:
    """Per request: a global instance slot, NO_VARIANT, or LEAST_OUTSTANDING with a rotation index."""

    slot: np.ndarray
    rotation: np.ndarray
    rotations: list[list[int]]
    """Instance slots in the order `Variant.pick` scans them from a given offset."""


@dataclass(frozen=True)
class Records:
    start: np.ndarray
    end: np.ndarray
    work: np.ndarray
    instance: np.ndarray
    status: np.ndarray

    def store(self, log: RequestLog, rows: slice | np.ndarray) -> None:
        """Write the records into the log's rows `rows` (cast to the log's column dtypes)."""
        for name in ("start", "end", "work", "instance", "status"):
            getattr(log, name)[rows] = getattr(self, name)


@dataclass
class Retirements:
    """An autoscaled fleet's scale-ins, (time, slot) in SimPy's order, and every time its fleet
    changes (a request event then is a Tie, see elastic.py); the loop adds the kill times and
    records how each retired instance ended: terminated (at a time) or still draining."""

    leaves: list[tuple[float, int]]
    special: set[float]
    terminated_at: dict[int, float] = field(default_factory=dict)
    draining: set[int] = field(default_factory=set)

    def play(
        self,
        event: int,
        now: float,
        s: int,
        order: int,
        heap: list[tuple[float, int, int, int]],
        queues: list[deque[int]],
        busy: list[int],
        outstanding: list[int],
        status: array,
        end: array,
    ) -> int:
        """Instance slot `s` leaves routing or is killed, in the loop's state; the next event order."""
        if event == _LEAVE and outstanding[s] == 0:
            self.terminated_at[s] = now
        elif event == _LEAVE:
            self.draining.add(s)
            self.special.add(now + KILL_GRACE_S)
            heapq.heappush(heap, (now + KILL_GRACE_S, order, s, _KILL))
            return order + 1
        elif s in self.draining:  # the kill: what it still holds, in service or queued, is KILLED
            inside = [entry[3] for entry in heap if entry[2] == s]
            heap[:] = [entry for entry in heap if entry[2] != s]  # their completions never come
            heapq.heapify(heap)
            for victim in [*inside, *queues[s]]:
                status[victim] = Status.KILLED
                end[victim] = now
            queues[s].clear()
            busy[s] = outstanding[s] = 0
            self.draining.discard(s)
            self.terminated_at[s] = now
        return order


def _doubles(count: int) -> array:
    return array("d", np.full(count, np.nan).tobytes())


def serve(
    arrivals: np.ndarray,
    clock: np.ndarray,
    routing: Routing,
    stations: list[Station],
    timeout: float,
    duration: float,
    retirements: Retirements | None = None,
) -> Records:
    """Run a timetable (arrival times and SimPy's clock at each, see clock.py) through the fleet."""
    n = len(arrivals)
    arrival = array("d", np.ascontiguousarray(arrivals, dtype=np.float64).tobytes())
    clocks = array("d", np.ascontiguousarray(clock, dtype=np.float64).tobytes())
    slot_of = array("q", routing.slot.astype(np.int64).tobytes())
    rotation_of = array("q", routing.rotation.astype(np.int64).tobytes())
    rotations = routing.rotations
    start, end, work = _doubles(n), _doubles(n), _doubles(n)
    instance = array("q", np.full(n, -1, dtype=np.int64).tobytes())
    status = array("b", bytes(n))
    station_of = [number for number, station in enumerate(stations) for _ in station.idents]
    idents = [ident for station in stations for ident in station.idents]
    speeds = [speed for station in stations for speed in station.speeds]
    workers = [stations[number].workers for number in station_of]
    max_queue = [stations[number].max_queue for number in station_of]
    draws = [array("d", station.service.tobytes()) for station in stations]
    slots = len(idents)
    busy = [0] * slots
    outstanding = [0] * slots
    queues: list[deque[int]] = [deque() for _ in range(slots)]
    drawn = [0] * len(stations)
    fewest = outstanding.__getitem__
    fleet = retirements or Retirements([], set())
    draining, terminated_at = fleet.draining, fleet.terminated_at
    # (time, order, slot, request or a fleet event); scale-ins go first at their instant, in their order
    heap = [(time, order - len(fleet.leaves), s, _LEAVE) for order, (time, s) in enumerate(fleet.leaves)]
    push, pop = heapq.heappush, heapq.heappop
    ok, timed_out, throttled = int(Status.OK), int(Status.TIMEOUT), int(Status.THROTTLED)
    no_capacity = int(Status.NO_CAPACITY)
    next_time, next_order, order, following = (clocks[0], 0, 1, 0) if n else (math.inf, 0, 0, 0)
    while True:
        if heap and ((top := heap[0])[0] < next_time or (top[0] == next_time and top[1] < next_order)):
            now, _, s, request = top
            if now >= duration:
                break
            pop(heap)
            if request < 0:  # the fleet's own event
                order = fleet.play(request, now, s, order, heap, queues, busy, outstanding, status, end)
                continue
            end[request] = now
            status[request] = timed_out if now - arrival[request] > timeout else ok
            busy[s] -= 1
            outstanding[s] -= 1
            queue = queues[s]
            request = -1
            while queue:  # the freed worker takes the first queued request whose client still waits
                waiting = queue.popleft()
                arrived = arrival[waiting]
                if now - arrived < timeout:
                    request = waiting
                    break
                outstanding[s] -= 1
                status[waiting] = timed_out
                end[waiting] = arrived + timeout
            if request < 0:
                if draining and outstanding[s] == 0 and s in draining:
                    draining.discard(s)
                    terminated_at[s] = now
                continue
        else:
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
            s = slot_of[request]
            if s < 0:
                if s == NO_VARIANT:
                    status[request] = no_capacity
                    end[request] = arrival[request]
                    continue
                s = min(rotations[rotation_of[request]], key=fewest)
            outstanding[s] += 1
            if busy[s] >= workers[s]:
                queue = queues[s]
                while queue and now - arrival[queue[0]] >= timeout:
                    expired = queue.popleft()
                    outstanding[s] -= 1
                    status[expired] = timed_out
                    end[expired] = arrival[expired] + timeout
                if len(queue) < max_queue[s]:
                    queue.append(request)
                else:
                    outstanding[s] -= 1
                    status[request] = throttled
                    end[request] = now
                continue
        number = station_of[s]  # `request` begins on instance slot `s`
        k = drawn[number]
        drawn[number] = k + 1
        demand = draws[number][k] / speeds[s]
        start[request] = now
        work[request] = demand
        instance[request] = idents[s]
        busy[s] += 1
        push(heap, (now + demand, order, s, request))
        order += 1
    return Records(
        start=np.frombuffer(start, dtype=np.float64),
        end=np.frombuffer(end, dtype=np.float64),
        work=np.frombuffer(work, dtype=np.float64),
        instance=np.frombuffer(instance, dtype=np.int64),
        status=np.frombuffer(status, dtype=np.int8),
    )
