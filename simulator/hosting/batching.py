"""Dynamic batching: each device (GPU, or vCPU) serves a batch of waiting requests at a time.

A free device takes a batch as soon as `max_batch_size` requests wait, or when the oldest waiting
request has waited `max_queue_delay`; a batch of n takes (base + per_request * n) / speed seconds.
With max_batch_size 1 and no delay this is exactly the M/G/c station of DedicatedInstance.
"""

from __future__ import annotations

from dataclasses import dataclass

import simpy
from simpy.events import Timeout

from simulator.hosting.instance import Instance, InstanceState
from simulator.scenario.serving import BatchingSpec


@dataclass(frozen=True)
class BatchingPlan:
    """Batching settings on one instance type: `scale` = 1 / device speed factor."""

    spec: BatchingSpec
    scale: float

    def batch_time(self, size: int) -> float:
        return self.spec.batch_time(size) * self.scale


class BatchingInstance(Instance):
    """`workers` devices, each running one batch at a time; the queue is shared by the devices."""

    def __init__(self, *args: object, plan: BatchingPlan, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.plan = plan
        self.batches = 0
        self.batched_requests = 0
        self._timer_at: float | None = None
        self._inside: set[int] = set()

    def submit(self, request: int) -> None:
        self.outstanding += 1
        self._queue_or_reject(request)
        self._dispatch(self.env._now)

    def _queue_or_reject(self, request: int) -> None:
        if len(self.queue) >= self.plan.spec.max_batch_size + self.max_queue:
            self._expire_queue(self.env._now)
        if len(self.queue) < self.plan.spec.max_batch_size + self.max_queue:
            self.queue.append(request)
        else:
            self._reject(request)

    def _dispatch(self, now: float) -> None:
        """Start every batch that is due on a free device; otherwise wake up when the oldest is due."""
        spec = self.plan.spec
        log = self.wiring.log
        while self.queue and self.busy < self.workers:
            self._expire_queue(now)
            if not self.queue:
                break
            due = log.arrival[self.queue[0]] + spec.max_queue_delay
            if len(self.queue) < spec.max_batch_size and now < due - 1e-12:
                if self._timer_at != due:
                    self._timer_at = due
                    Timeout(self.env, due - now, due).callbacks.append(self._wake)
                return
            size = min(spec.max_batch_size, len(self.queue))
            batch = [self.queue.popleft() for _ in range(size)]
            self._start(batch, now)
        if self.state is InstanceState.DRAINING and self.outstanding == 0:
            self._terminate(now)

    def _start(self, batch: list[int], now: float) -> None:
        duration = self.plan.batch_time(len(batch)) / self.speed
        share = duration / len(batch)  # device-seconds per request, so utilisation adds up
        for request in batch:
            self._started(request, now, share)
            self._inside.add(request)
        self.busy += 1
        self.batches += 1
        self.batched_requests += len(batch)
        Timeout(self.env, duration, batch).callbacks.append(self._batch_done)

    def _wake(self, event: simpy.Event) -> None:
        if self.state is InstanceState.TERMINATED or event._value != self._timer_at:
            return
        self._timer_at = None
        self._dispatch(self.env._now)

    def _batch_done(self, event: simpy.Event) -> None:
        if self.state is InstanceState.TERMINATED:
            return
        now = self.env._now
        for request in event._value:
            self._inside.discard(request)
            self._answered(request, now)
        self.busy -= 1
        self._dispatch(now)

    def _requests_inside(self) -> list[int]:
        inside = sorted(self._inside) + list(self.queue)
        self._inside.clear()
        return inside
