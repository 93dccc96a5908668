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

import numpy as np

from simulator.core.records import Status
from simulator.engine.fast.static_queue import Records, Station, Tie
from simulator.engine.fast.station_kernel import run_station


def recurse(
    arrival: np.ndarray, clock: np.ndarray, station: Station, timeout: float, duration: float
) -> Records:
    """The records SimPy leaves for the arrivals (arrival order, SimPy clock times) of a station with
    one instance: the recursion, then SimPy's cut at `duration` (what began, finished or was dropped
    before it counts)."""
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
    begun = ~np.isnan(start)
    work[begun] = demands[: int(begun.sum())]  # one instance begins in arrival order: draws in order
    began = start < duration
    start[~began] = np.nan
    work[~began] = np.nan
    end = start + work
    finished = began & (end < duration)
    end[~finished] = np.nan
    status = np.zeros(n, dtype=np.int8)
    status[finished] = np.where(end[finished] - arrival[finished] > timeout, Status.TIMEOUT, Status.OK)
    expired = dropped < duration
    status[expired] = Status.TIMEOUT
    end[expired] = arrival[expired] + timeout
    rejected = throttled.astype(bool) & (clock < duration)
    status[rejected] = Status.THROTTLED
    end[rejected] = clock[rejected]
    instance = np.where(began, station.idents[0], -1)
    return Records(start=start, end=end, work=work, instance=instance, status=status)
