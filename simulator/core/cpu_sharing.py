"""How requests in service share an instance's cores: the engine's shared-core instances with a
wake-up slice (`hosting.wakeup_instance`) and calibration's reference model (`queue_sim`).

`SharedCores` is ideal processor sharing. `WakeupCores` is closer to what the kernel does with worker
processes on too few cores: a worker that starts a request preempts the busy ones and runs alone for
up to `wakeup_slice` seconds (CFS/EEVDF place a woken task ahead of those that have been running),
then shares the cores. Every start gets the head start, also one a worker takes from the backlog:
fitted that way, the slice also absorbs the order in which event-loop workers take connections.
On gunicorn with four event-loop workers on one core (2026-12-03 matrix, run 1), replays of the
measured send times came within 13% of the measured p95 at 50-80% load with a 2-3 ms slice,
against 15-24% short with ideal sharing. With unbounded workers the mean is the same under both
(both are work-conserving and symmetric); only the spread differs.

Both have a `pace`, how fast the cores run now: calibration's validation replays a host's measured
slow spells through it (`calibrate.speed_trace`).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass


class SharedCores:
    """Egalitarian processor sharing through virtual time: one heap entry per request in service."""

    def __init__(self, vcpus: int) -> None:
        self.vcpus = vcpus
        self.pace = 1.0  # seconds of work a core does per second now (below 1: a slowed host)
        self._virtual = 0.0
        self._heap: list[tuple[float, int]] = []

    @property
    def in_service(self) -> int:
        return len(self._heap)

    def _speed(self) -> float:
        return self.pace * min(1.0, self.vcpus / len(self._heap)) if self._heap else 0.0

    def next_completion(self, now: float) -> float:
        return now + (self._heap[0][0] - self._virtual) / self._speed() if self._heap else math.inf

    def advance(self, now: float, to: float) -> None:
        self._virtual += (to - now) * self._speed()

    def start(self, request: int, work: float) -> None:
        heapq.heappush(self._heap, (self._virtual + work, request))

    def finished(self) -> list[int]:
        """The request whose completion `next_completion` announced (one per call)."""
        self._virtual, request = heapq.heappop(self._heap)
        return [request]


@dataclass
class _InService:
    request: int
    work: float  # seconds of one core still needed
    credit: float  # seconds it may still run ahead of the others


class WakeupCores:
    """Sharing with wake-up preemption. Requests that still hold credit run first, newest first, one
    core each; the cores they leave are shared equally by the rest. With a zero slice this is
    `SharedCores`; with an unbounded one on one core, preemptive last-come-first-served."""

    def __init__(self, vcpus: int, wakeup_slice: float) -> None:
        self.vcpus = vcpus
        self.wakeup_slice = wakeup_slice  # wall-clock seconds: the kernel's slice, whatever the pace
        self.pace = 1.0  # seconds of work a core does per second now (below 1: a slowed host)
        self._inside: list[_InService] = []  # in start order: newest last
        self._next: tuple[float, _InService | None, str] = (math.inf, None, "")

    @property
    def in_service(self) -> int:
        return len(self._inside)

    def _speeds(self) -> tuple[set[int], float]:
        """The requests running ahead (speed 1, by `id`) and the speed of each of the others."""
        ahead: set[int] = set()
        for entry in reversed(self._inside):
            if len(ahead) == self.vcpus:
                break
            if entry.credit > 0:
                ahead.add(id(entry))
        others = len(self._inside) - len(ahead)
        spare = self.vcpus - len(ahead)
        return ahead, min(1.0, spare / others) if others else 0.0

    def next_completion(self, now: float) -> float:
        """When the next request finishes or the next head start runs out (rates change then)."""
        ahead, shared = self._speeds()
        best: tuple[float, _InService | None, str] = (math.inf, None, "")
        for entry in self._inside:
            running_ahead = id(entry) in ahead
            speed = self.pace * (1.0 if running_ahead else shared)
            if speed > 0 and entry.work / speed < best[0]:
                best = (entry.work / speed, entry, "work")
            if running_ahead and entry.credit < best[0]:
                best = (entry.credit, entry, "credit")
        self._next = (now + best[0], best[1], best[2])
        return self._next[0]

    def advance(self, now: float, to: float) -> None:
        elapsed = to - now
        if elapsed <= 0 or not self._inside:
            return
        ahead, shared = self._speeds()
        for entry in self._inside:
            if id(entry) in ahead:
                entry.work -= elapsed * self.pace
                entry.credit -= elapsed
            else:
                entry.work -= elapsed * shared * self.pace
        when, entry, kind = self._next
        if entry is not None and to == when:  # land the announced event exactly
            setattr(entry, kind, 0.0)

    def start(self, request: int, work: float) -> None:
        self._inside.append(_InService(request, work, self.wakeup_slice))

    def requests(self) -> list[int]:
        """The requests in service, oldest first."""
        return [entry.request for entry in self._inside]

    def clear(self) -> None:
        self._inside.clear()

    def finished(self) -> list[int]:
        """Requests done by now (none when only a head start ran out)."""
        done = [entry.request for entry in self._inside if entry.work <= 1e-12]
        if done:
            self._inside = [entry for entry in self._inside if entry.work > 1e-12]
        for entry in self._inside:
            if entry.credit <= 1e-12:  # a head start used up, rounding left over
                entry.credit = 0.0
        return done
