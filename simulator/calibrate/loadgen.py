"""Asynchronous HTTP load generator (aiohttp), closed loop or open-loop Poisson, bounded in count and time.

Every request is recorded with its scheduled and actual send time. Latency is measured from the send:
asyncio's timers wake up to a millisecond late (epoll's resolution), which is the client's delay, not
the server's. The lag is kept so a client too slow for its schedule (coordinated omission) shows up
in `lag_p99`. The generator runs on its own cores (sched_setaffinity) so it does not steal the
emulated instance's.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterator

import aiohttp
import numpy as np

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.payloads import PayloadPool
from simulator.calibrate.priority import weighted_thread
from simulator.errors import ScenarioError

INVOCATION_TIMEOUT_S = 60.0
Issue = Callable[[int, float], Awaitable[None]]  # send request i, scheduled at a time


@contextlib.contextmanager
def pinned(cpus: set[int] | None) -> Iterator[None]:
    """Run the body on the given cores only (this thread and threads it starts), then restore."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus or before)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@contextlib.contextmanager
def no_gc_pauses() -> Iterator[None]:
    """No garbage collection while the load runs, and none of it afterwards over the objects before it.

    This process holds numpy, scipy, pandas and the Docker client: a full collection of that heap
    stops the event loop for 30-80 ms, and every request in flight then looks that much slower (seen
    as 80 ms send lags at 50% load). The objects alive before the run are frozen out of collection,
    collection is off during the run (bounded in requests, so memory is too) and back on after it.
    """
    was_enabled = gc.isenabled()
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def run_load(
    url: str, load: Load, payloads: PayloadPool, *, seed: int = 0, cpus: set[int] | None = None
) -> LoadResult:
    """Drive `url` (POST /invocations) with one load level and return every request."""
    if load.max_requests <= 0 or load.max_seconds <= 0 or load.level <= 0:
        raise ScenarioError("load", f"{load.label()}: level, max_requests and max_seconds must be positive")
    with pinned(cpus), weighted_thread(), no_gc_pauses():
        result = asyncio.run(_run(url, load, payloads, seed))
    _check_reachable(url, result)
    return result


async def _run(url: str, load: Load, payloads: PayloadPool, seed: int) -> LoadResult:
    result = LoadResult(load)
    picks = payloads.picker(seed)
    headers = {"Content-Type": payloads.content_type, "Accept": payloads.accept}
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    timeout = aiohttp.ClientTimeout(total=INVOCATION_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout, headers=headers) as session:
        t0 = time.perf_counter()

        async def one(i: int, scheduled: float) -> None:
            body = payloads.bodies[picks[i % len(picks)]]
            result.records.append(await _request(session, url, body, t0, scheduled))

        deadline = t0 + load.max_seconds
        if load.kind == "closed":
            await _closed(load, one, t0, deadline)
        else:
            await _open(load, one, t0, deadline, seed)
        result.elapsed = time.perf_counter() - t0
    return result


async def _closed(load: Load, one: Issue, t0: float, deadline: float) -> None:
    issued = 0

    async def user() -> None:
        nonlocal issued
        while issued < load.max_requests and time.perf_counter() < deadline:
            i = issued
            issued += 1
            await one(i, time.perf_counter() - t0)

    await _bounded(asyncio.gather(*(user() for _ in range(int(load.level)))), deadline)


async def _open(load: Load, one: Issue, t0: float, deadline: float, seed: int) -> None:
    gaps = np.random.default_rng(seed + 1).exponential(1.0 / load.level, load.max_requests)
    arrivals = np.cumsum(gaps)
    arrivals = arrivals[arrivals < load.max_seconds]
    tasks: set[asyncio.Task[None]] = set()
    for i, at in enumerate(arrivals):
        delay = t0 + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(i, float(at)))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await _bounded(asyncio.gather(*tasks), deadline + INVOCATION_TIMEOUT_S)


async def _bounded(awaitable: Awaitable[object], deadline: float) -> None:
    """Wait for the load to drain, but never past deadline (+ a little for in-flight requests)."""
    budget = max(0.0, deadline - time.perf_counter()) + 5.0
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(awaitable, budget)


async def _request(
    session: aiohttp.ClientSession, url: str, body: bytes, t0: float, scheduled: float
) -> Record:
    sent = time.perf_counter() - t0
    try:
        async with session.post(url, data=body) as resp:
            await resp.read()
            done = time.perf_counter() - t0
            timings = [_header(resp, name) for name in ("X-Sagesim-Model-Time", "X-Sagesim-Cpu-Time")]
            return Record(scheduled, sent, done, resp.status, *timings)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        done = time.perf_counter() - t0
        return Record(scheduled, sent, done, 0, error=" ".join(f"{type(exc).__name__}: {exc}".split())[:200])


def _header(resp: aiohttp.ClientResponse, name: str) -> float:
    try:
        return float(resp.headers.get(name, "nan"))
    except ValueError:
        return math.nan


def _check_reachable(url: str, result: LoadResult) -> None:
    """A run where nothing succeeded is a harness error, not a measurement."""
    if not result.records:
        raise ScenarioError(url, f"{result.load.label()}: no request was sent")
    if any(r.ok for r in result.records):
        return
    first = next((r.error for r in result.records if r.error), None)
    why = first or f"HTTP status {sorted({r.status for r in result.records})}"
    raise ScenarioError(url, f"no request succeeded ({len(result.records)} tried): {why}")
