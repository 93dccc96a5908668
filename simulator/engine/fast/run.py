"""Serve a built model's open-loop timetable without SimPy and write the records into its log.

Variants are independent once every request has its variant (open loop), so each one-instance variant
runs as a recursion (single_station.py) and the rest through the event loop (static_queue.py); should
the recursion meet an exact tie it cannot order, every variant goes through the event loop. A serverless
variant runs its environment pool (serverless.py), a pipeline or Elastic Inference variant its containers
in tandem (pipeline.py), an autoscaled one its instances as they join and leave (elastic.py); each of
these is then the endpoint's only variant (see eligibility.py).
"""

from __future__ import annotations

import numpy as np

from simulator.core.records import RequestLog
from simulator.core.rng import RandomStreams
from simulator.engine.fast.clock import simpy_clock
from simulator.engine.fast.elastic import serve_elastic
from simulator.engine.fast.fleet import routing, stations
from simulator.engine.fast.pipeline import serve_pipeline
from simulator.engine.fast.serverless import serve_pool
from simulator.engine.fast.single_station import recurse
from simulator.engine.fast.static_queue import Tie, serve
from simulator.hosting.serverless import ServerlessVariant
from simulator.hosting.variant import Variant


def run_fast(
    log: RequestLog, variants: list[Variant], streams: RandomStreams, timeout: float, duration: float
) -> None:
    """Fill start, end, work, instance and status of every request (variants and overheads are set)."""
    arrival = log.column("arrival")
    variant_of = log.column("variant")
    clock = simpy_clock(arrival)
    lone = variants[0]  # a serverless, staged or autoscaled variant is the only one (eligibility.py)
    if isinstance(lone, ServerlessVariant):
        serve_pool(log, lone, clock, timeout, duration)
        return
    if lone.stages is not None:
        serve_pipeline(log, lone, clock, timeout, duration)
        return
    if lone.spec.autoscaling is not None:
        serve_elastic(log, lone, streams, clock, timeout, duration).store(log, slice(0, log.size))
        return
    fleet = stations(variants, variant_of, streams)
    lonely = [v.index for v in variants if len(v.active) == 1]
    try:
        for index in lonely:
            mine = np.flatnonzero(variant_of == index)
            recurse(arrival[mine], clock[mine], fleet[index], timeout, duration).store(log, mine)
    except Tie:
        lonely = []
    # the rest, requests of no variant or of one without instances (NO_CAPACITY) included
    rest = np.flatnonzero(~_any_of(variant_of, lonely, len(variants)))
    if len(rest) == 0:
        return
    chosen = routing(variants, variant_of, streams, rest, clock)
    serve(arrival[rest], clock[rest], chosen, fleet, timeout, duration).store(log, rest)


def _any_of(variant_of: np.ndarray, indices: list[int], variants: int) -> np.ndarray:
    """Whether each request's variant is one of `indices`: `np.isin` by table look-up, which costs a
    recommender trial a tenth of what isin's sorting does."""
    table = np.zeros(variants + 1, dtype=bool)  # the last entry answers for -1 (no variant): False
    table[indices] = True
    return table[variant_of]
