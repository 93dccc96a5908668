"""An ML instance running model-server workers, scheduled by event callbacks (no process per request).

Two service disciplines share one queueing front:
- `DedicatedInstance`: every busy worker has a core (or GPU) of its own, so each request takes exactly
  its service demand: with workers <= vCPUs the instance is an exact M/G/c station.
- `SharedCpuInstance`: more workers than vCPUs; busy workers share the cores equally (processor
  sharing), each progressing at min(1, vcpus / busy) seconds of work per second.
Requests beyond the busy workers wait in a FIFO queue of at most `max_queue`; more are rejected.
Requests that waited past the invocation timeout are dropped (5XX, ended at arrival + timeout) when
they reach the head of the queue or when a new request finds them there; those that finish past the
timeout count as 5XX too (the client gave up at the timeout).
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import numpy as np
import simpy
from simpy.events import Timeout

from simulator.core.records import RequestLog, Status
from simulator.core.rng import BlockSampler

KILL_GRACE_S = 30.0  # SIGTERM, then SIGKILL after 30 s on scale-in


class InstanceState(Enum):
    PENDING = "Pending"
    IN_SERVICE = "InService"
    DRAINING = "Draining"
    TERMINATED = "Terminated"


@dataclass
class Wiring:
    """What every instance of a run shares: the clock, the records, and who to tell when a request ends."""

    env: simpy.Environment
    log: RequestLog
    timeout: float
    on_done: Callable[[int], None]


class Instance:
    """Queueing front and lifecycle shared by both disciplines."""

    error_rate = 0.0
    error_draws: BlockSampler | None = None
    """A model that fails some requests (a bad candidate version): one uniform per answer, drawn
    only for such a model (see `_answered`), set on its dedicated and shared-core instances."""

    def __init__(
        self,
        ident: int,
        workers: int,
        max_queue: int,
        sampler: BlockSampler,
        wiring: Wiring,
        launched_at: float,
        speed: float = 1.0,
    ) -> None:
        self.ident = ident
        self.speed = speed
        self.workers = workers
        self.max_queue = max_queue
        self.sampler = sampler
        self.wiring = wiring
        self.env = wiring.env
        self.queue: deque[int] = deque()
        self.busy = 0
        self.outstanding = 0
        self.state = InstanceState.PENDING
        self.launched_at = launched_at
        self.in_service_at: float | None = None
        self.terminated_at: float | None = None
        self.retired_at: float | None = None  # scale-in: told to stop (SIGTERM)

    # -- requests -------------------------------------------------------------------------------------
    def submit(self, request: int) -> None:
        """Accept a routed request: serve it now, queue it, or reject it (queue full)."""
        self.outstanding += 1
        if self.busy < self.workers:
            self._begin(request)
            self._after_change()
        else:
            self._queue_or_reject(request)

    def _queue_or_reject(self, request: int) -> None:
        if self.queue:
            self._expire_queue(self.env._now)
        if len(self.queue) < self.max_queue:
            self.queue.append(request)
        else:
            self._reject(request)

    def _begin(self, request: int) -> None:
        raise NotImplementedError

    def _started(self, request: int, now: float, work: float) -> None:
        log = self.wiring.log
        log.start[request] = now
        log.work[request] = work
        log.instance[request] = self.ident

    def _after_change(self) -> None:
        """Hook for disciplines whose completion times depend on how many requests are in service."""

    def _finish(self, request: int, now: float) -> None:
        self.busy -= 1
        self._answered(request, now)

    def _end(self, request: int, status: Status, end: float) -> None:
        """Record how a request ended and hand it back to the run (it no longer counts as outstanding)."""
        self.outstanding -= 1
        log = self.wiring.log
        log.status[request] = status
        log.end[request] = end
        self.wiring.on_done(request)

    def _answered(self, request: int, now: float) -> None:
        """The instance answered at `now`: OK, a MODEL_ERROR (5XX) with probability `error_rate`, or
        5XX when the client had given up at the timeout."""
        failed = self.error_draws is not None and self.error_draws.next() < self.error_rate
        late = now - self.wiring.log.arrival[request] > self.wiring.timeout
        self._end(request, Status.TIMEOUT if late else Status.MODEL_ERROR if failed else Status.OK, now)

    def _reject(self, request: int) -> None:
        """The queue is full: throttled (4XX) on arrival."""
        self._end(request, Status.THROTTLED, self.env.now)

    def _give_up(self, request: int) -> None:
        """A queued request its client gave up on: 5XX at arrival + timeout."""
        self._end(request, Status.TIMEOUT, self.wiring.log.arrival[request] + self.wiring.timeout)

    def _expire_queue(self, now: float) -> None:
        """Drop queued requests whose client already gave up (5XX at arrival + timeout).

        The queue is FIFO in arrival order, so the expired ones are at its front. Dropping them here,
        when a request is queued, frees their places and stops them counting as outstanding.
        """
        arrival = self.wiring.log.arrival
        while self.queue and now - arrival[self.queue[0]] >= self.wiring.timeout:
            self._give_up(self.queue.popleft())

    def _pull_queue(self, now: float) -> None:
        arrival = self.wiring.log.arrival
        while self.queue and self.busy < self.workers:
            request = self.queue.popleft()
            if now - arrival[request] >= self.wiring.timeout:
                self._give_up(request)
            else:
                self._begin(request)
        if self.state is InstanceState.DRAINING and self.outstanding == 0:
            self._terminate(now)

    # -- lifecycle ------------------------------------------------------------------------------------
    def mark_in_service(self, now: float) -> None:
        self.state = InstanceState.IN_SERVICE
        self.in_service_at = now

    def retire(self, now: float) -> None:
        """Scale-in: stop taking requests, drain in-flight ones, SIGKILL whatever is left after 30 s."""
        self.retired_at = now
        if self.state is InstanceState.PENDING or self.outstanding == 0:
            self._terminate(now)
            return
        self.state = InstanceState.DRAINING
        self.env.timeout(KILL_GRACE_S).callbacks.append(self._kill)

    def _kill(self, _event: simpy.Event) -> None:
        if self.state is not InstanceState.DRAINING:
            return
        now = self.env.now
        for request in self._requests_inside():
            self._end(request, Status.KILLED, now)
        self.queue.clear()
        self.busy = 0
        self.outstanding = 0
        self._terminate(now)

    def _requests_inside(self) -> list[int]:
        raise NotImplementedError

    def _terminate(self, now: float) -> None:
        self.state = InstanceState.TERMINATED
        self.terminated_at = now


class DedicatedInstance(Instance):
    """Each busy worker owns a core or GPU: completion = start + service demand (M/G/c).

    This is the hot path of most runs: `submit` and `_begin` are written out with local names.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._complete_callback = self._complete

    def submit(self, request: int) -> None:
        self.outstanding += 1
        if self.busy < self.workers:
            self._begin(request)
        else:
            super()._queue_or_reject(request)

    def _begin(self, request: int) -> None:
        env = self.env
        work = self.sampler.next() / self.speed
        log = self.wiring.log
        log.start[request] = env._now
        log.work[request] = work
        log.instance[request] = self.ident
        self.busy += 1
        Timeout(env, work, request).callbacks.append(self._complete_callback)  # type: ignore[union-attr]

    def _complete(self, event: simpy.Event) -> None:
        request: int = event._value
        if self.state is InstanceState.TERMINATED:
            return  # killed while in service; already recorded as KILLED
        now = self.env._now
        self._finish(request, now)
        if self.queue:
            self._pull_queue(now)
        elif self.state is InstanceState.DRAINING and self.outstanding == 0:
            self._terminate(now)

    def _requests_inside(self) -> list[int]:
        log = self.wiring.log  # queued requests have not begun: no instance yet
        serving = (log.column("instance") == self.ident) & (log.column("status") == Status.IN_FLIGHT)
        return np.flatnonzero(serving).tolist() + list(self.queue)


class SharedCpuInstance(Instance):
    """More workers than vCPUs: busy requests share the cores (egalitarian processor sharing).

    Tracks virtual time V with dV/dt = min(1, vcpus / busy); a request of demand w started at V0
    finishes when V reaches V0 + w. Only the earliest finisher has a scheduled event; a token
    invalidates it when the busy count changes.
    """

    def __init__(self, *args: object, vcpus: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.vcpus = vcpus
        self._virtual = 0.0
        self._last = 0.0
        self._heap: list[tuple[float, int]] = []
        self._token = 0
        self._tick_callback = self._tick

    def _rate(self) -> float:
        busy = len(self._heap)
        return 1.0 if busy <= self.vcpus else self.vcpus / busy

    def _advance(self, now: float) -> None:
        if self._heap:
            self._virtual += (now - self._last) * self._rate()
        self._last = now

    def _begin(self, request: int) -> None:
        now = self.env._now
        self._advance(now)
        work = self.sampler.next() / self.speed
        self._started(request, now, work)
        self.busy += 1
        heapq.heappush(self._heap, (self._virtual + work, request))

    def _after_change(self) -> None:
        self._token += 1
        if not self._heap:
            return
        delay = max((self._heap[0][0] - self._virtual) / self._rate(), 0.0)
        Timeout(self.env, delay, self._token).callbacks.append(self._tick_callback)

    def _tick(self, event: simpy.Event) -> None:
        if event._value != self._token:
            return
        now = self.env._now
        self._advance(now)
        epsilon = 1e-9 * max(1.0, abs(self._virtual))
        while self._heap and self._heap[0][0] <= self._virtual + epsilon:
            _, request = heapq.heappop(self._heap)
            self._finish(request, now)
        self._pull_queue(now)
        self._after_change()

    def _requests_inside(self) -> list[int]:
        inside = [request for _, request in sorted(self._heap)] + list(self.queue)
        self._heap.clear()
        self._token += 1
        return inside
