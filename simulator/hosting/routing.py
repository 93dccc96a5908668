"""Moves a share of blue's traffic to green while the run goes on.

Open-loop requests get their variant before the run (hosting/preassign.py), from the scenario's
weights, in which green has weight 0. The splitter sits between the arrival driver and the endpoint
and sends each request meant for blue to green with probability `share`, which the rollout controller
changes at every traffic step and on rollback. Endpoint weights (blue w, green 0) therefore behave as
(w x (1 - share), w x share), the UpdateEndpointWeightsAndCapacities weights the steps stand for.
"""

from __future__ import annotations

from collections.abc import Callable

from simulator.core.records import RequestLog
from simulator.core.rng import BlockSampler


class TrafficSplitter:
    """Re-routes blue's requests to green; `share` 0 is a no-op, 1 sends all of them."""

    def __init__(self, log: RequestLog, blue: int, green: int, uniforms: BlockSampler) -> None:
        self._log = log
        self.blue = blue
        self.green = green
        self._uniforms = uniforms
        self.share = 0.0

    def wrap(self, dispatch: Callable[[int], None]) -> Callable[[int], None]:
        log, blue, green, uniforms = self._log, self.blue, self.green, self._uniforms

        def route(request: int) -> None:
            share = self.share
            if share > 0.0 and log.variant[request] == blue and (share >= 1.0 or uniforms.next() < share):
                log.variant[request] = green
            dispatch(request)

        return route
