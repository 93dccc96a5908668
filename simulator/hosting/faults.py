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
        failed = self.error_draws.next() < self.error_rate
        late = now - self.wiring.log.arrival[request] > self.wiring.timeout
        self.busy -= 1
        self._end(request, Status.TIMEOUT if late else Status.MODEL_ERROR if failed else Status.OK, now)


class FaultyDedicatedInstance(ModelErrors, DedicatedInstance):
    """A dedicated-core instance whose model fails some requests."""


class FaultySharedCpuInstance(ModelErrors, SharedCpuInstance):
    """A processor-sharing instance whose model fails some requests."""
