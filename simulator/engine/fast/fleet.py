"""A built SimPy model's static fleet turned into what the fast loop needs, with the same draws."""

from __future__ import annotations

import numpy as np

from simulator.core.rng import RandomStreams
from simulator.engine.fast.draws import block_draws, uniform_draws
from simulator.engine.fast.static_queue import LEAST_OUTSTANDING, NO_VARIANT, Routing, Station
from simulator.hosting.variant import Variant
from simulator.scenario.endpoint import Routing as RoutingRule


def stations(variants: list[Variant], variant_of: np.ndarray, streams: RandomStreams) -> list[Station]:
    """Each variant's InService instances and enough service draws for every request it is sent."""
    result = []
    for variant in variants:
        sent = int(np.count_nonzero(variant_of == variant.index))
        plan = variant.plan
        result.append(
            Station(
                idents=[instance.ident for instance in variant.active],
                speeds=[instance.speed for instance in variant.active],
                workers=variant.workers,
                max_queue=variant.spec.max_queue,
                service=block_draws(
                    plan.distribution.sample, streams.generator("service", variant.index), sent, plan.scale
                ),
            )
        )
    return result


def routing(
    variants: list[Variant], variant_of: np.ndarray, streams: RandomStreams, subset: np.ndarray
) -> Routing:
    """Instance choice per request, as `Variant.pick` makes it: one uniform per request of a variant
    with several instances (RANDOM takes offset int(u * count); LEAST_OUTSTANDING_REQUESTS scans
    from that offset at arrival time), for the requests `subset` (indices)."""
    slot = np.full(len(variant_of), NO_VARIANT, dtype=np.int64)
    rotation = np.zeros(len(variant_of), dtype=np.int64)
    rotations: list[list[int]] = []
    first = 0
    for variant in variants:
        count = len(variant.active)
        mine = np.flatnonzero(variant_of == variant.index)
        if count == 1:
            slot[mine] = first
        elif count > 1:
            offset = uniform_draws(streams.generator("instance_choice", variant.index), len(mine)) * count
            offset = offset.astype(np.int64)
            if variant.routing is RoutingRule.RANDOM:
                slot[mine] = first + offset
            else:
                slot[mine] = LEAST_OUTSTANDING
                rotation[mine] = len(rotations) + offset
                rotations += [[first + (o + step) % count for step in range(count)] for o in range(count)]
        first += count
    return Routing(slot=slot[subset], rotation=rotation[subset], rotations=rotations)
