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

import math
from dataclasses import dataclass

import numpy as np

from simulator.core.records import Status
from simulator.engine.fast.static_queue import Station
from simulator.engine.fast.station_kernel import run_station


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


def recurse(
    arrival: np.ndarray, clock: np.ndarray, station: Station, timeout: float, duration: float
) -> Outcome:
    """Run the arrivals (arrival order, SimPy clock times) of a station with one instance through the
    recursion."""
    n = len(arrival)
    live = int(np.searchsorted(clock, duration, side="left"))  # arrivals SimPy processes
    start, dropped = np.full(n, np.nan), np.full(n, np.nan)
    throttled = np.zeros(n, dtype=np.int8)
    draws, speed = station.service, station.speeds[0]
    demands = draws / speed if speed != 1.0 else draws  # the same division, element by element
    done = run_station(
        np.ascontiguousarray(clock, dtype=np.float64),
        np.ascontiguousarray(arrival, dtype=np.float64),
        np.ascontiguousarray(demands, dtype=np.float64),
        live,
        np.full(station.workers, -math.inf),
        min(station.max_queue, n),
        float(timeout),
        start,
        dropped,
        throttled,
        np.empty(n, dtype=np.intp),
    )
    if not done:
        raise Tie
    start[~np.isnan(dropped)] = np.nan  # the kernel notes when a dropped request was pulled there
    work = np.full(n, np.nan)
    began = ~np.isnan(start)
    work[began] = demands[: int(began.sum())]  # one instance begins in arrival order: draws in order
    return Outcome(start, work, dropped, throttled.astype(bool))


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
    """The records SimPy leaves at `duration`: what began, finished or was dropped before it counts.

    Takes over the outcome's start and work arrays (changed in place: the outcome is spent)."""
    start, work = outcome.start, outcome.work
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
