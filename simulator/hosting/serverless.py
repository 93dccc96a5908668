"""Serverless variants: execution environments that each serve one request at a time.

A request takes a free warm environment (most recently used first); when none is free it starts a new
one and waits for its ModelSetupTime (cold start). At most `max_concurrency` requests are in flight
per variant (and `account_limit` over every serverless variant of the endpoint); more are throttled.
An environment idle for `keep_warm` seconds is retired; the `provisioned_concurrency` ones are warm
from the start and never retire. Like instances, everything runs as event callbacks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import simpy
from simpy.events import Timeout

from simulator.core.records import Status
from simulator.core.rng import BlockSampler
from simulator.hosting.instance import Wiring
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.scaling import ServerlessSpec


@dataclass
class AccountLimit:
    """Concurrent serverless requests over the whole account (all serverless variants)."""

    limit: int
    in_flight: int = 0


@dataclass(slots=True, eq=False)
class Environment:
    ident: int
    provisioned: bool
    generation: int = 0


class ServerlessPool:
    """The `submit(request)` target of a serverless variant."""

    def __init__(
        self,
        spec: ServerlessSpec,
        service: BlockSampler,
        setup: Callable[[], float],
        wiring: Wiring,
        account: AccountLimit,
        new_id: Callable[[], int],
    ) -> None:
        self.spec = spec
        self.service = service
        self.setup = setup
        self.wiring = wiring
        self.env = wiring.env
        self.account = account
        self.new_id = new_id
        self.in_flight = 0
        self.max_in_flight = 0
        self.outstanding = 0
        self.idle: list[Environment] = [
            Environment(new_id(), True) for _ in range(spec.provisioned_concurrency)
        ]
        self.alive = len(self.idle)
        self.max_alive = self.alive
        self.cold_starts: list[tuple[float, float]] = []  # (time, ModelSetupTime)
        self._done = self._complete

    def submit(self, request: int) -> None:
        env = self.env
        log = self.wiring.log
        account = self.account
        if self.in_flight >= self.spec.max_concurrency or account.in_flight >= account.limit:
            log.status[request] = Status.THROTTLED
            log.end[request] = env._now
            self.wiring.on_done(request)
            return
        self.in_flight += 1
        self.outstanding = self.in_flight
        account.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        if self.idle:
            environment = self.idle.pop()
            environment.generation += 1
            self._serve(environment, request)
            return
        environment = Environment(self.new_id(), False)
        self.alive += 1
        self.max_alive = max(self.max_alive, self.alive)
        setup = self.setup()
        self.cold_starts.append((env._now, setup))
        event = Timeout(env, setup, (environment, request))
        event.callbacks.append(self._ready)  # type: ignore[union-attr]

    def _ready(self, event: simpy.Event) -> None:
        environment, request = event._value
        self._serve(environment, request)

    def _serve(self, environment: Environment, request: int) -> None:
        env = self.env
        work = self.service.next()
        log = self.wiring.log
        log.start[request] = env._now
        log.work[request] = work
        log.instance[request] = environment.ident
        Timeout(env, work, (environment, request)).callbacks.append(self._done)  # type: ignore[union-attr]

    def _complete(self, event: simpy.Event) -> None:
        environment, request = event._value
        now = self.env._now
        log = self.wiring.log
        log.end[request] = now
        log.status[request] = (
            Status.TIMEOUT if now - log.arrival[request] > self.wiring.timeout else Status.OK
        )
        self.in_flight -= 1
        self.outstanding = self.in_flight
        self.account.in_flight -= 1
        self.idle.append(environment)
        if not environment.provisioned:
            timer = Timeout(self.env, self.spec.keep_warm, (environment, environment.generation))
            timer.callbacks.append(self._expire)  # type: ignore[union-attr]
        self.wiring.on_done(request)

    def _expire(self, event: simpy.Event) -> None:
        environment, generation = event._value
        if environment.generation != generation or environment not in self.idle:
            return  # it served another request since
        self.idle.remove(environment)
        self.alive -= 1


class ServerlessVariant:
    """Variant-shaped front (index, name, spec, pick) over a ServerlessPool; it has no instances."""

    def __init__(self, index: int, spec: VariantSpec, pool: ServerlessPool) -> None:
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.pool = pool
        self.fleet: list[object] = []
        self.active: list[object] = []
        self.desired = 0
        self.serverless = spec.serverless

    def pick(self) -> ServerlessPool:
        return self.pool

    def set_desired(self, count: int, now: float, startup: Callable[[], float]) -> None:
        raise ValueError("a serverless variant has no instance count")
