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
from dataclasses import dataclass, field
from typing import Literal

import aiohttp
import numpy as np

from simulator.calibrate.payloads import PayloadPool
from simulator.calibrate.priority import weighted_thread
from simulator.errors import ScenarioError

INVOCATION_TIMEOUT_S = 60.0
STALL_S = 0.010  # a send this late is a frozen client, not timer resolution (~1 ms)
Issue = Callable[[int, float], Awaitable[None]]  # send request i, scheduled at a time


@dataclass(frozen=True)
class Record:
    """One request: times in seconds from the start of the run."""

    scheduled: float
    sent: float
    done: float
    status: int  # HTTP status, 0 when no response (connection error, timeout)
    model_time: float = math.nan  # X-Sagesim-Model-Time, when the server reports it
    cpu_time: float = math.nan  # X-Sagesim-Cpu-Time
    error: str = ""

    @property
    def latency(self) -> float:
        return self.done - self.sent

    @property
    def lag(self) -> float:
        """How late the client sent the request against its schedule."""
        return self.sent - self.scheduled

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Load:
    """A load level: `users` closed-loop clients with zero think time, or Poisson arrivals at `rate`/s."""

    kind: Literal["closed", "open"]
    level: float
    max_requests: int
    max_seconds: float
    warmup_s: float = 1.0

    def label(self) -> str:
        return f"{int(self.level)} users" if self.kind == "closed" else f"{self.level:.1f}/s"


@dataclass
class LoadResult:
    load: Load
    records: list[Record] = field(default_factory=list)
    elapsed: float = 0.0

    def window(self) -> list[Record]:
        """Records that started after warm-up, for statistics."""
        return [r for r in self.records if r.scheduled >= self.load.warmup_s]

    def throughput(self) -> float:
        """Completions per second inside the measurement window."""
        ok = [r for r in self.records if r.ok and r.done >= self.load.warmup_s]
        span = self.elapsed - self.load.warmup_s
        return len(ok) / span if span > 0 else math.nan

    def latencies(self) -> np.ndarray:
        return np.array([r.latency for r in self.window() if r.ok])

    def stalled_share(self, late_s: float = STALL_S) -> float:
        """Share of requests the client sent more than late_s behind schedule: the load generator was
        frozen (descheduled) and then sent a burst the schedule never asked for."""
        lags = [r.lag for r in self.window()]
        return sum(1 for lag in lags if lag > late_s) / len(lags) if lags else 0.0

    def lag_p99(self) -> float:
        lags = [r.lag for r in self.window()]
        return float(np.percentile(lags, 99)) if lags else math.nan

    def isolated(self) -> list[Record]:
        """Successful requests that overlapped no other request: they met an idle instance and
        left it idle, so their latency is overhead + service with no queueing at all."""
        recs = sorted(self.window(), key=lambda r: r.sent)
        out = []
        busy_until = -math.inf
        for k, r in enumerate(recs):
            alone = busy_until < r.sent and (k + 1 == len(recs) or recs[k + 1].sent > r.done)
            if r.ok and alone:
                out.append(r)
            busy_until = max(busy_until, r.done)
        return out


@contextlib.contextmanager
def pinned(cpus: set[int] | None) -> Iterator[None]:
    """Run the body on the given cores only (this thread and threads it starts), then restore."""
    if not cpus:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
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
            return Record(
                scheduled,
                sent,
                done,
                resp.status,
                _header(resp, "X-Sagesim-Model-Time"),
                _header(resp, "X-Sagesim-Cpu-Time"),
            )
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
    first = next((r for r in result.records if r.error), None)
    if first is not None:
        raise ScenarioError(url, f"no request succeeded ({len(result.records)} tried): {first.error}")
    statuses = sorted({r.status for r in result.records})
    raise ScenarioError(url, f"no request succeeded ({len(result.records)} tried): HTTP status {statuses}")
