"""The endpoint front: picks a variant by weight (or TargetVariant) and hands the request over."""

from __future__ import annotations

import bisect
import itertools

from simulator.core.records import RequestLog, Status
from simulator.core.rng import BlockSampler
from simulator.hosting.variant import Variant


class Endpoint:
    """Routes by weight share w_i / sum(w); a `target_shares` fraction names its variant directly."""

    def __init__(
        self,
        variants: list[Variant],
        weights: list[float],
        target_shares: list[tuple[int, float]],
        routing_sampler: BlockSampler,
        overhead_samplers: list[BlockSampler],
        payload_sampler: BlockSampler | None,
        payload_size: float,
        bandwidth: float,
        log: RequestLog,
    ) -> None:
        self.variants = variants
        self._routing = routing_sampler
        self._overheads = overhead_samplers
        self._payload_sampler = payload_sampler
        self._payload_size = payload_size
        self._bandwidth = bandwidth
        self._log = log
        self._target_edges = list(itertools.accumulate(share for _, share in target_shares))
        self._target_variants = [index for index, _ in target_shares]
        self._target_total = self._target_edges[-1] if self._target_edges else 0.0
        self.set_weights(weights)
        self.on_done = lambda request: None

    def set_weights(self, weights: list[float]) -> None:
        self.weights = list(weights)
        self._weight_edges = list(itertools.accumulate(weights))
        self._weight_total = self._weight_edges[-1]

    def choose_variant(self) -> int:
        u = self._routing.next()
        if u < self._target_total:
            return self._target_variants[bisect.bisect_right(self._target_edges, u)]
        if self._weight_total <= 0:
            return -1
        scaled = (u - self._target_total) / (1.0 - self._target_total) * self._weight_total
        index = bisect.bisect_right(self._weight_edges, scaled)
        return min(index, len(self._weight_edges) - 1)

    def dispatch_preassigned(self, request: int) -> None:
        """Open-loop fast path: variant and overhead were decided up front (see preassign.py)."""
        variant_index = self._log.variant[request]
        instance = self.variants[variant_index].pick() if variant_index >= 0 else None
        if instance is None:
            self._fail_no_capacity(request)
            return
        instance.submit(request)

    def _fail_no_capacity(self, request: int) -> None:
        log = self._log
        log.status[request] = Status.NO_CAPACITY
        log.end[request] = log.arrival[request]
        self.on_done(request)

    def dispatch(self, request: int) -> None:
        """Route an arrived request to a variant and instance (or fail it when nothing can serve)."""
        log = self._log
        variant_index = self.choose_variant()
        payload = self._payload_sampler.next() if self._payload_sampler else self._payload_size
        if variant_index < 0:
            self._fail_no_capacity(request)
            return
        log.variant[request] = variant_index
        log.overhead[request] = self._overheads[variant_index].next() + payload / self._bandwidth
        self.dispatch_preassigned(request)
