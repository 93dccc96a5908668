"""A variant with one instance as a recursion over its arrivals (no event queue), exact like SimPy.

With one instance, requests begin in arrival order (FCFS), so the k-th begin takes the variant's k-th
service draw, and the workers' free times form a heap (Kiefer-Wolfowitz): a request begins at its
arrival when a worker is free, else joins the queue and is pulled when the earliest worker frees, or
dropped then if it waited past the timeout. The queue a new arrival finds is the admitted requests
not yet pulled, less the expired ones at its front (which SimPy drops at that moment), so throttling
matches too. SimPy's cut at `duration` (no event at or after it runs) is applied afterwards.

An arrival at the very instant a worker frees or a request is pulled is ordered in SimPy by when each
event was scheduled; the recursion does not track that, so it reports such a tie and the caller runs
the event loop instead (only deterministic or coarse-grained times ever tie).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from dataclasses import dataclass

import numpy as np

from simulator.core.records import Status


@dataclass(frozen=True)
class Outcome:
    """Per request of the instance: begin time and work (NaN: never began), dropped-at time (NaN: not
    dropped) and whether it was throttled, before the cut at `duration`."""

    start: np.ndarray
    work: np.ndarray
    dropped: np.ndarray
    throttled: np.ndarray


class Tie(Exception):
    """An arrival coincides with a completion or a pull: only the event loop orders that exactly."""


CHUNK = 65536
"""Arrivals turned into Python floats at a time (the records themselves stay in 8-byte arrays)."""


def _doubles(values: np.ndarray) -> array:
    return array("d", np.ascontiguousarray(values, dtype=np.float64).tobytes())


def recurse(
    arrival: np.ndarray,
    clock: np.ndarray,
    draws: np.ndarray,
    speed: float,
    workers: int,
    max_queue: int,
    timeout: float,
    duration: float,
) -> Outcome:
    """Run one instance's arrivals (arrival order, SimPy clock times) through the recursion."""
    n = len(arrival)
    live = int(np.searchsorted(clock, duration, side="left"))  # arrivals SimPy processes
    start, dropped, pulled_at = (_doubles(np.full(n, np.nan)) for _ in range(3))
    throttled = array("b", bytes(n))
    arrived = _doubles(arrival)
    demands = draws / speed if speed != 1.0 else draws  # the same division, element by element
    take = iter(_doubles(demands)).__next__
    free = [-math.inf] * workers
    replace = heapq.heapreplace
    waiting: deque[int] = deque()  # admitted requests not yet pulled, in arrival order
    for base in range(0, live, CHUNK):
        for j, now in enumerate(clock[base : min(base + CHUNK, live)].tolist(), base):
            earliest = free[0]
            if earliest < now:  # a worker is idle: every queued request was pulled by `earliest`
                if waiting:
                    waiting.clear()
                start[j] = now
                replace(free, now + take())
                continue
            if earliest == now:
                raise Tie
            while waiting and pulled_at[waiting[0]] <= now:
                if pulled_at[waiting[0]] == now:
                    raise Tie
                waiting.popleft()
            while waiting and now - arrived[waiting[0]] >= timeout:
                dropped[waiting.popleft()] = now
            if len(waiting) >= max_queue:
                throttled[j] = 1
                continue
            waiting.append(j)
            pulled_at[j] = earliest
            if earliest - arrived[j] >= timeout:
                dropped[j] = earliest
                continue
            start[j] = earliest
            replace(free, earliest + take())
    starts = np.frombuffer(start)
    work = np.full(n, np.nan)
    began = ~np.isnan(starts)
    work[began] = demands[: int(began.sum())]  # one instance begins in arrival order: draws in order
    return Outcome(
        starts,
        work,
        np.frombuffer(dropped),
        np.frombuffer(throttled, dtype=np.int8).astype(bool),
    )


@dataclass(frozen=True)
class Cut:
    start: np.ndarray
    end: np.ndarray
    work: np.ndarray
    status: np.ndarray
    began: np.ndarray


def cut_at_duration(
    outcome: Outcome, arrival: np.ndarray, clock: np.ndarray, timeout: float, duration: float
) -> Cut:
    """The records SimPy leaves at `duration`: what began, finished or was dropped before it counts."""
    start, work = outcome.start.copy(), outcome.work.copy()
    began = start < duration
    start[~began] = np.nan
    work[~began] = np.nan
    end = start + work
    finished = began & (end < duration)
    end[~finished] = np.nan
    status = np.zeros(len(arrival), dtype=np.int8)
    status[finished] = np.where(end[finished] - arrival[finished] > timeout, Status.TIMEOUT, Status.OK)
    dropped = outcome.dropped < duration
    status[dropped] = Status.TIMEOUT
    end[dropped] = arrival[dropped] + timeout
    throttled = outcome.throttled & (clock < duration)
    status[throttled] = Status.THROTTLED
    end[throttled] = clock[throttled]
    return Cut(start=start, end=end, work=work, status=status, began=began)
