"""A small exact simulator of one instance, the validator's own reference model.

`workers` model-server slots share `vcpus` cores: with n requests in service each progresses at
min(1, vcpus/n) (processor sharing; with workers <= vcpus that is plain M/G/c), requests beyond the
workers wait FCFS (the listen backlog). With a `wakeup_slice` the sharing is the kernel's rather than
an ideal one (`WakeupCores`). Overhead is a pure delay outside the instance. It exists so validation
does not depend on the full engine; `predict` can use the engine instead.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from simulator.calibrate.speed_trace import NO_TRACE, SpeedTrace
from simulator.core.cpu_sharing import SharedCores, WakeupCores


@dataclass(frozen=True)
class StationRun:
    latency: np.ndarray  # per completed request after warm-up: overhead + wait + service (s)
    throughput: float  # completions per second after warm-up
    sent: np.ndarray  # when each of those left the client (s), aligned with latency


def simulate_station(
    service: np.ndarray,
    overhead: np.ndarray,
    *,
    vcpus: int,
    workers: int,
    rate: float | None = None,
    users: int | None = None,
    arrival_times: np.ndarray | None = None,
    seed: int | np.random.SeedSequence = 1,
    warmup_s: float | None = None,
    wakeup_slice: float = 0.0,
    speed: SpeedTrace = NO_TRACE,
) -> StationRun:
    """Open loop (Poisson `rate`, or replayed `arrival_times` in seconds), or closed loop (`users`, zero
    think time); one request per service sample. Warm-up: the first 5% of requests, or
    those issued before `warmup_s`. `speed` slows the cores window by window (a factor of 1.3: work
    takes 1.3 times as long in that window), whichever requests are in service then."""
    if sum(x is not None for x in (rate, users, arrival_times)) != 1:
        raise ValueError("give exactly one of rate, users and arrival_times")
    n = len(service)
    issued = np.zeros(n)
    done = np.full(n, math.nan)
    if arrival_times is not None:
        if len(arrival_times) != n:
            raise ValueError("one service sample per replayed arrival")
        issued = np.sort(np.asarray(arrival_times, dtype=float))
    elif rate is not None:
        # arrivals get their own stream: sharing one with the service samples would correlate them
        sequence = np.random.SeedSequence(seed).spawn(1)[0] if isinstance(seed, int) else seed
        arrivals = np.random.default_rng(sequence)
        issued = np.cumsum(arrivals.exponential(1.0 / rate, n))
    # (arrival at the instance, request): every request when open, each user's first when closed
    next_id = n if users is None else min(users, n)
    pending = [(float(issued[i] + overhead[i]), i) for i in range(next_id)]
    heapq.heapify(pending)
    cores = WakeupCores(vcpus, wakeup_slice) if wakeup_slice > 0 else SharedCores(vcpus)
    changes = deque(speed.changes())  # (when, factor): the pace changes at each window's start
    waiting: deque[int] = deque()
    t = 0.0
    completed = 0
    while completed < n:
        t_done = cores.next_completion(t)
        t_arr = pending[0][0] if pending else math.inf
        if changes and changes[0][0] <= min(t_arr, t_done):
            when, factor = changes.popleft()
            cores.advance(t, max(t, when))
            t = max(t, when)
            cores.pace = 1.0 / factor
            continue
        if t_arr <= t_done:
            cores.advance(t, t_arr)
            t = t_arr
            _, i = heapq.heappop(pending)
            if cores.in_service < workers:
                cores.start(i, float(service[i]))
            else:
                waiting.append(i)
            continue
        cores.advance(t, t_done)
        t = t_done
        for i in cores.finished():
            done[i] = t
            completed += 1
            if waiting:
                j = waiting.popleft()
                cores.start(j, float(service[j]))
            if users is not None and next_id < n:
                issued[next_id] = t
                heapq.heappush(pending, (t + float(overhead[next_id]), next_id))
                next_id += 1
    order = np.argsort(issued, kind="stable")
    keep = order[int(n * 0.05) :] if warmup_s is None else order[issued[order] >= warmup_s]
    latency = done[keep] - issued[keep]
    start = issued[keep].min()
    end = done[keep].max()
    return StationRun(latency, len(keep) / (end - start) if end > start else math.nan, issued[keep])
