"""Worker processes sharing an instance's cores the way the kernel shares them (`WakeupCores`).

`SharedCpuInstance` shares the cores ideally, which holds the mean latency but not its spread: a
worker process woken by a new request preempts the busy ones for a slice, so some requests finish
early and others late. A model with a `wakeup_slice` (calibration fits it for servers with more
worker processes than cores) gets this instance instead: each request that starts runs ahead of the
busy ones for up to the slice, then shares.
"""

from __future__ import annotations

import simpy
from simpy.events import Timeout

from simulator.core.cpu_sharing import WakeupCores
from simulator.hosting.instance import Instance


class WakeupCpuInstance(Instance):
    """More workers than vCPUs, and each request runs ahead for `wakeup_slice` s as it starts."""

    def __init__(self, *args: object, vcpus: int, wakeup_slice: float, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.cores = WakeupCores(vcpus, wakeup_slice)
        self._last = 0.0
        self._token = 0
        self._tick_callback = self._tick

    def _begin(self, request: int) -> None:
        now = self.env._now
        self.cores.advance(self._last, now)
        self._last = now
        work = self.sampler.next() / self.speed
        self._started(request, now, work)
        self.busy += 1
        self.cores.start(request, work)

    def _after_change(self) -> None:
        """Schedule the next completion or end of a head start; earlier schedules go stale."""
        self._token += 1
        if not self.cores.in_service:
            return
        now = self.env._now
        delay = max(self.cores.next_completion(now) - now, 0.0)
        Timeout(self.env, delay, self._token).callbacks.append(self._tick_callback)

    def _tick(self, event: simpy.Event) -> None:
        if event._value != self._token:
            return
        now = self.env._now
        self.cores.advance(self._last, now)
        self._last = now
        for request in self.cores.finished():
            self._finish(request, now)
        self._pull_queue(now)
        self._after_change()

    def _requests_inside(self) -> list[int]:
        inside = self.cores.requests() + list(self.queue)
        self.cores.clear()
        self._token += 1
        return inside
