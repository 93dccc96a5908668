"""Inference pipelines: a request passes through 2-15 containers in sequence on the same instance.

Each container is its own station (workers, FIFO queue, service-time stream); between containers a hop
adds serialisation + loopback transfer time without holding a worker. The first container's queue is
the instance's queue (max_queue, rejections, timeouts as for one container). Simplification: busy
workers of different containers do not slow each other down (give each container no more workers than
the cores it can count on). Requests waiting inside the pipeline do not expire; one finishing past the
invocation timeout counts as 5XX. An Elastic Inference
variant is modelled as a two-stage pipeline: CPU-side work on the instance's vCPUs, then the
accelerator (one inference at a time).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import simpy
from simpy.events import Timeout

from simulator.core.rng import BlockSampler
from simulator.hosting.instance import Instance, InstanceState


@dataclass(frozen=True)
class Stage:
    """One container on one instance type: its draws (already scaled), workers and the hop after it."""

    name: str
    sampler: BlockSampler
    workers: int
    hop: float  # seconds to reach the next container (0 after the last)


class StageRecord:
    """Per request and container: when it reached the container and when it left (growable arrays)."""

    def __init__(self, names: list[str], capacity: int) -> None:
        self.names = names
        self.enter = np.full((max(capacity, 16), len(names)), np.nan)
        self.leave = np.full((max(capacity, 16), len(names)), np.nan)

    def _fit(self, request: int) -> None:
        if request >= len(self.enter):
            size = max(2 * len(self.enter), request + 1)
            for name in ("enter", "leave"):
                old = getattr(self, name)
                new = np.full((size, old.shape[1]), np.nan)
                new[: len(old)] = old
                setattr(self, name, new)

    def mark_enter(self, request: int, stage: int, now: float) -> None:
        self._fit(request)
        self.enter[request, stage] = now

    def container_latency(self, requests: np.ndarray) -> np.ndarray:
        """Seconds in each container (waiting for its worker + service), rows = `requests`."""
        rows = requests[requests < len(self.enter)]
        return self.leave[rows] - self.enter[rows]

    def hop_time(self, requests: np.ndarray) -> np.ndarray:
        """Seconds spent between containers, per request."""
        rows = requests[requests < len(self.enter)]
        return np.nansum(self.enter[rows, 1:] - self.leave[rows, :-1], axis=1)


class PipelineInstance(Instance):
    """An instance running the containers of a pipeline; `workers` (the base queue) is stage 0's."""

    def __init__(self, *args: object, stages: list[Stage], record: StageRecord, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.stages = stages
        self.record = record
        self._busy = [0] * len(stages)
        self._waiting: list[deque[int]] = [deque() for _ in stages]
        self._inside: set[int] = set()
        self._done_callback = self._stage_done
        self._arrive_callback = self._hop_done

    def _begin(self, request: int) -> None:
        """Stage 0 takes the request (called by the shared queueing front)."""
        now = self.env._now
        self._started(request, now, 0.0)
        self.busy += 1
        self._inside.add(request)
        self.record.mark_enter(request, 0, now)
        self._serve(request, 0)

    def _serve(self, request: int, stage: int) -> None:
        work = self.stages[stage].sampler.next() / self.speed
        self.wiring.log.work[request] += work
        Timeout(self.env, work, (request, stage)).callbacks.append(self._done_callback)

    def _stage_done(self, event: simpy.Event) -> None:
        if self.state is InstanceState.TERMINATED:
            return
        request, stage = event._value
        now = self.env._now
        self.record.leave[request, stage] = now
        last = stage == len(self.stages) - 1
        if last:
            self._inside.discard(request)
            self._answered(request, now)
        else:
            hop = self.stages[stage].hop
            if hop > 0:
                Timeout(self.env, hop, (request, stage + 1)).callbacks.append(self._arrive_callback)
            else:
                self._arrive(request, stage + 1, now)
        self._release(stage, now)

    def _release(self, stage: int, now: float) -> None:
        """A worker of `stage` is free: give it the next waiting request."""
        if stage == 0:
            self.busy -= 1
            if self.queue:
                self._pull_queue(now)
        else:
            self._busy[stage] -= 1
            waiting = self._waiting[stage]
            if waiting:
                self._busy[stage] += 1
                self._serve(waiting.popleft(), stage)
        if self.state is InstanceState.DRAINING and self.outstanding == 0:
            self._terminate(now)

    def _hop_done(self, event: simpy.Event) -> None:
        if self.state is InstanceState.TERMINATED:
            return
        request, stage = event._value
        self._arrive(request, stage, self.env._now)

    def _arrive(self, request: int, stage: int, now: float) -> None:
        self.record.mark_enter(request, stage, now)
        if self._busy[stage] < self.stages[stage].workers:
            self._busy[stage] += 1
            self._serve(request, stage)
        else:
            self._waiting[stage].append(request)

    def _requests_inside(self) -> list[int]:
        inside = sorted(self._inside) + list(self.queue)
        self._inside.clear()
        for waiting in self._waiting:
            waiting.clear()
        return inside
