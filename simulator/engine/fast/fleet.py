"""A built SimPy model's fleet turned into what the fast loop needs, with the same draws."""

from __future__ import annotations

import numpy as np

from simulator.core.rng import RandomStreams
from simulator.engine.fast.draws import block_draws, uniform_draws
from simulator.engine.fast.static_queue import LEAST_OUTSTANDING, NO_VARIANT, Routing, Station
from simulator.hosting.variant import Variant
from simulator.scenario.endpoint import Routing as RoutingRule

History = tuple[list[float], list[list[int]]]
"""When a variant's InService instances change, and their fleet indices before the first change and
after each (a static fleet: no change, all of them)."""


def stations(variants: list[Variant], variant_of: np.ndarray, streams: RandomStreams) -> list[Station]:
    """Each variant's instances and enough service draws for every request it is sent."""
    result = []
    for variant in variants:
        sent = int(np.count_nonzero(variant_of == variant.index))
        plan = variant.plan
        result.append(
            Station(
                idents=[instance.ident for instance in variant.fleet],
                speeds=[instance.speed for instance in variant.fleet],
                workers=variant.workers,
                max_queue=variant.spec.max_queue,
                service=block_draws(
                    plan.distribution.sample, streams.generator("service", variant.index), sent, plan.scale
                ),
            )
        )
    return result


def routing(
    variants: list[Variant],
    variant_of: np.ndarray,
    streams: RandomStreams,
    subset: np.ndarray,
    clock: np.ndarray,
    history: History | None = None,
) -> Routing:
    """Instance choice per request, as `Variant.pick` makes it: one uniform per request of a variant
    with several InService instances at its arrival (RANDOM takes offset int(u * count);
    LEAST_OUTSTANDING_REQUESTS scans from that offset at arrival time), for the requests `subset`
    (indices). An event at the instant of a change is a Tie the loop raises: either side will do."""
    slot = np.full(len(variant_of), NO_VARIANT, dtype=np.int64)
    rotation = np.zeros(len(variant_of), dtype=np.int64)
    rotations: list[list[int]] = []
    first = 0
    for variant in variants:
        times, actives = history or ([], [list(range(len(variant.fleet)))])
        counts = np.array([len(active) for active in actives])
        table = np.zeros((len(actives), max(counts.max(), 1)), dtype=np.int64)
        for row, active in enumerate(actives):
            table[row, : len(active)] = active
        mine = np.flatnonzero(variant_of == variant.index)
        segment = np.searchsorted(times, clock[mine], side="right")
        count = counts[segment]
        several = count > 1
        offset = np.zeros(len(mine), dtype=np.int64)
        draws = uniform_draws(streams.generator("instance_choice", variant.index), int(several.sum()))
        offset[several] = (draws * count[several]).astype(np.int64)
        served = count > 0
        slot[mine[served]] = first + table[segment, offset][served]
        if variant.routing is not RoutingRule.RANDOM:
            slot[mine[several]] = LEAST_OUTSTANDING
            starts = np.cumsum(np.append(0, counts[:-1]))  # rotations of each set, one per offset
            rotation[mine] = len(rotations) + starts[segment] + offset
            for active in actives:
                rotations += [[first + k for k in active[o:] + active[:o]] for o in range(len(active))]
        first += len(variant.fleet)
    return Routing(slot=slot[subset], rotation=rotation[subset], rotations=rotations)
