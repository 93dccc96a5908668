"""Open-loop fast path: decide every request's variant, overhead and payload up front, vectorised.

Arrival times are known before the run, and a variant choice depends only on the time (weights
change at scheduled updates) and one uniform draw, so it can be made for all requests at once with
the same rule `Endpoint.choose_variant` applies one request at a time for closed-loop users.
"""

from __future__ import annotations

import numpy as np

from simulator.engine.rng import RandomStreams
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


def overheads(
    variant_of: np.ndarray, distributions: list[Distribution], streams: RandomStreams
) -> np.ndarray:
    """Per-request overhead latency, drawn per variant from that variant's stream."""
    result = np.zeros(len(variant_of))
    for index, distribution in enumerate(distributions):
        mine = variant_of == index
        count = int(mine.sum())
        if count:
            result[mine] = distribution.sample(streams.generator("overhead", index), count)
    return result
