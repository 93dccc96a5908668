"""Model errors: a model that answers a fraction of its requests with a 5XX (a bad candidate version).

Only variants whose model has an `error_rate` use these instance classes, so the common path of a
healthy model pays nothing for the extra uniform draw per request.
"""

from __future__ import annotations

from simulator.core.records import Status
from simulator.core.rng import BlockSampler
from simulator.hosting.instance import DedicatedInstance, Instance, SharedCpuInstance


class ModelErrors(Instance):
    """Each finished request is a MODEL_ERROR (5XX) with probability `error_rate`, independently."""

    error_rate: float = 0.0
    error_draws: BlockSampler

    def _finish(self, request: int, now: float) -> None:
        log = self.wiring.log
        log.end[request] = now
        failed = self.error_draws.next() < self.error_rate
        if now - log.arrival[request] > self.wiring.timeout:
            log.status[request] = Status.TIMEOUT
        else:
            log.status[request] = Status.MODEL_ERROR if failed else Status.OK
        self.busy -= 1
        self.outstanding -= 1
        self.wiring.on_done(request)


class FaultyDedicatedInstance(ModelErrors, DedicatedInstance):
    """A dedicated-core instance whose model fails some requests."""


class FaultySharedCpuInstance(ModelErrors, SharedCpuInstance):
    """A processor-sharing instance whose model fails some requests."""
