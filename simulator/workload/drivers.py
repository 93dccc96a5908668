"""Feed requests into the endpoint during the run: a precomputed timetable, or closed-loop users."""

from __future__ import annotations

from array import array
from collections.abc import Callable

import numpy as np
import simpy
from simpy.events import Timeout

from simulator.core.records import RequestLog, RingLog, Status
from simulator.core.rng import BlockSampler
from simulator.hosting.preassign import Preassigner
from simulator.scenario.traffic import ClosedLoopArrivals
from simulator.workload.open_loop import ArrivalStream

RETRY_BACKOFF_S = 0.01
"""A closed-loop user whose request was rejected at once (no capacity, queue full) retries after this."""


class TimetableDriver:
    """Open loop: request i arrives at `log.arrival[i]`; one pending event at a time."""

    def __init__(self, env: simpy.Environment, log: RequestLog, dispatch: Callable[[int], None]) -> None:
        self._env = env
        # array.array: raw doubles (8 bytes each, unlike a list of floats) with fast scalar indexing
        self._times = array("d", log.column("arrival").tobytes())
        self._dispatch = dispatch
        self._callback = self._arrive

    def start(self) -> None:
        if self._times:
            Timeout(self._env, self._times[0], 0).callbacks.append(self._callback)  # type: ignore[union-attr]

    def _arrive(self, event: simpy.Event) -> None:
        request: int = event._value
        following = request + 1
        if following < len(self._times):
            delay = self._times[following] - self._env._now
            Timeout(self._env, delay, following).callbacks.append(self._callback)  # type: ignore[union-attr]
        self._dispatch(request)


class ClosedLoopDriver:
    """Users that send, wait for the answer (plus overhead), think, and send again.

    The target population follows the pattern's segments; a phase with a spawn rate adds one user
    every 60 / spawn_rate seconds. Users above the target stop after their current request. A user
    gets its answer at completion or, at the latest, at the invocation timeout (a 5XX), whatever the
    server still does with the request.
    """

    def __init__(
        self,
        env: simpy.Environment,
        log: RequestLog,
        spec: ClosedLoopArrivals,
        duration: float,
        dispatch: Callable[[int], None],
        think: BlockSampler | None,
        timeout: float,
    ) -> None:
        self._env = env
        self._log = log
        self._spec = spec
        self._duration = duration
        self._dispatch = dispatch
        self._think = think
        self._target = 0
        self._busy: list[bool] = []  # per user: has a request outstanding or is about to send
        self._user_of: dict[int, int] = {}  # requests whose user still waits for them
        self._timeout = timeout
        self._send_callback = self._send_event
        self._give_up_callback = self._give_up

    def population_changes(self) -> list[tuple[float, int]]:
        """(time, target users) for every change of the target population before the end."""
        changes: list[tuple[float, int]] = []
        steps = self._spec.population_steps()
        for (start, users, spawn_per_s), (end, _, _) in zip(steps, [*steps[1:], (np.inf, 0, 0)], strict=True):
            if start >= self._duration:
                break
            changes.append((start, int(users)))
            if spawn_per_s > 0:
                gap = 1.0 / spawn_per_s
                time, count = start + gap, int(users)
                while time < min(end, self._duration):
                    count += 1
                    changes.append((time, count))
                    time += gap
        return changes

    def start(self) -> None:
        for time, target in self.population_changes():
            event = self._env.timeout(time)
            event.callbacks.append(lambda _event, target=target: self._set_target(target))

    def _set_target(self, target: int) -> None:
        self._target = target
        self._busy.extend([False] * (target - len(self._busy)))
        for user in range(target):
            if not self._busy[user]:
                self._busy[user] = True
                self._send(user)

    def _send(self, user: int) -> None:
        request = self._log.append(self._env._now)
        self._user_of[request] = user
        Timeout(self._env, self._timeout, request).callbacks.append(self._give_up_callback)  # type: ignore[union-attr]
        self._dispatch(request)

    def _give_up(self, event: simpy.Event) -> None:
        """The invocation timeout passed: the user has its 5XX now, whatever the server still does."""
        request: int = event._value
        if request in self._user_of and self._log.status[request] == Status.IN_FLIGHT:
            self._respond(request, self._env._now)

    def _send_event(self, event: simpy.Event) -> None:
        user: int = event._value
        if user >= self._target:
            self._busy[user] = False
            return
        self._send(user)

    def on_done(self, request: int) -> None:
        """A response (or error) reached the user: schedule its next request, or let it leave."""
        if request not in self._user_of:
            return  # the user gave up at the timeout and has moved on
        log = self._log
        answered = min(log.end[request], log.arrival[request] + self._timeout)
        self._respond(request, answered)

    def _respond(self, request: int, answered: float) -> None:
        user = self._user_of.pop(request)
        if user >= self._target:
            self._busy[user] = False
            return
        log = self._log
        delay = max(answered - self._env._now, 0.0) + log.overhead[request]
        if self._think is not None:
            delay += self._think.next()
        rejected_at_once = (
            log.status[request] != Status.OK and answered - log.arrival[request] < RETRY_BACKOFF_S
        )
        if rejected_at_once and delay < RETRY_BACKOFF_S:
            delay = RETRY_BACKOFF_S  # rejected at once: back off instead of retrying at the same instant
        Timeout(self._env, delay, user).callbacks.append(self._send_callback)  # type: ignore[union-attr]


class StreamingTimetableDriver:
    """Open loop for long runs: arrivals generated block by block into a ring of records.

    Before a block is written, finished requests are folded (handed to `on_fold`) once the ring is
    half full, so memory stays fixed. The arrivals and their preassigned variants are the same as
    the all-at-once TimetableDriver's, because both consume the same streams in the same order.
    """

    def __init__(
        self,
        env: simpy.Environment,
        log: RingLog,
        dispatch: Callable[[int], None],
        arrivals: ArrivalStream,
        assigner: Preassigner,
        on_fold: Callable[[RingLog, int, int], None] | None,
    ) -> None:
        self._env = env
        self._log = log
        self._dispatch = dispatch
        self._blocks = arrivals.blocks()
        self._assigner = assigner
        self._on_fold = on_fold or (lambda log, start, stop: None)
        self._next = 0  # global index of the next arrival to schedule
        self._callback = self._arrive

    def _load_block(self) -> bool:
        log = self._log
        for block in self._blocks:
            if len(block) == 0:
                continue
            if log.head - log.tail + len(block) > log.capacity // 2:
                upto = log.finished_prefix()  # hand finished requests [tail, upto) over, free their slots
                if upto > log.tail:
                    self._on_fold(log, log.tail, upto)
                    log.tail = upto
            variant_of, overhead = self._assigner.assign(block)
            log.write(block, variant_of, overhead)
            return True
        return False

    def _schedule_next(self) -> None:
        log = self._log
        if self._next >= log.head and not self._load_block():
            return
        slot = self._next % log.capacity
        delay = float(log.arrival[slot]) - self._env._now
        Timeout(self._env, delay, slot).callbacks.append(self._callback)  # type: ignore[union-attr]
        self._next += 1

    def start(self) -> None:
        self._schedule_next()

    def _arrive(self, event: simpy.Event) -> None:
        slot: int = event._value
        self._schedule_next()
        self._dispatch(slot)
