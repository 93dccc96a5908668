"""Open-loop fast path: decide every request's variant, overhead and payload up front, vectorised.

Arrival times are known before the run, and a variant choice depends only on the time (weights
change at scheduled updates) and one uniform draw, so it can be made for all requests at once with
the same rule `Endpoint.choose_variant` applies one request at a time for closed-loop users.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.core.rng import RandomStreams
from simulator.scenario.distributions import Distribution
from simulator.scenario.endpoint import EndpointSpec


def weight_schedule(endpoint: EndpointSpec) -> list[tuple[float, list[float]]]:
    """(from time, weights) for the initial weights and every update that changes them."""
    names = [variant.name for variant in endpoint.variants]
    weights = [variant.weight for variant in endpoint.variants]
    schedule = [(0.0, list(weights))]
    for update in endpoint.updates:
        if update.weights:
            for name, weight in update.weights.items():
                weights[names.index(name)] = weight
            schedule.append((update.at, list(weights)))
    return schedule


def assign_variants(
    arrivals: np.ndarray,
    uniforms: np.ndarray,
    schedule: list[tuple[float, list[float]]],
    target_shares: list[tuple[int, float]],
) -> np.ndarray:
    """Variant index per request (-1 when every weight is 0 and no target applies)."""
    result = np.full(len(arrivals), -1, dtype=np.int16)
    target_edges = np.cumsum([share for _, share in target_shares]) if target_shares else np.zeros(0)
    target_total = float(target_edges[-1]) if len(target_edges) else 0.0
    targeted = uniforms < target_total
    if targeted.any():
        indices = np.array([index for index, _ in target_shares])
        result[targeted] = indices[np.searchsorted(target_edges, uniforms[targeted], side="right")]
    starts = np.array([start for start, _ in schedule])
    segment = np.searchsorted(starts, arrivals, side="right") - 1
    for number, (_, weights) in enumerate(schedule):
        total = float(sum(weights))
        mine = (segment == number) & ~targeted
        if total <= 0 or not mine.any():
            continue
        edges = np.cumsum(weights)
        scaled = (uniforms[mine] - target_total) / (1.0 - target_total) * total
        result[mine] = np.minimum(np.searchsorted(edges, scaled, side="right"), len(weights) - 1)
    return result


class Preassigner:
    """Variant and overhead (plus payload transfer time) for batches of arrivals, in arrival order.

    Its generators persist between batches, so assigning all arrivals at once or block by block
    draws the same random numbers and gives the same result.
    """

    def __init__(
        self,
        endpoint: EndpointSpec,
        overhead_distributions: list[Distribution],
        target_shares: list[tuple[int, float]],
        payload_draws: Callable[[np.random.Generator, int], np.ndarray] | None,
        payload_size: float,
        streams: RandomStreams,
    ) -> None:
        self._schedule = weight_schedule(endpoint)
        self._targets = target_shares
        self._distributions = overhead_distributions
        self._bandwidth = endpoint.network_bandwidth
        self._payload_draws = payload_draws
        self._payload_size = payload_size
        self._routing = streams.generator("routing")
        self._payload = streams.generator("payload")
        self._overheads = [
            streams.generator("overhead", index) for index in range(len(overhead_distributions))
        ]

    def assign(self, arrivals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(variant index, overhead seconds) per arrival."""
        variant_of = assign_variants(
            arrivals, self._routing.random(len(arrivals)), self._schedule, self._targets
        )
        payload: np.ndarray | float = self._payload_size
        if self._payload_draws is not None:
            payload = self._payload_draws(self._payload, len(arrivals))
        drawn = np.zeros(len(arrivals))
        for index, distribution in enumerate(self._distributions):
            mine = variant_of == index
            count = int(mine.sum())
            if count:
                drawn[mine] = distribution.sample(self._overheads[index], count)
        overhead = np.where(variant_of >= 0, drawn + payload / self._bandwidth, 0.0)
        return variant_of, overhead
