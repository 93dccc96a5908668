"""Serve a built model's open-loop timetable with the fast loop and write the records into its log."""

from __future__ import annotations

from simulator.core.records import RequestLog
from simulator.core.rng import RandomStreams
from simulator.engine.fast.fleet import routing, stations
from simulator.engine.fast.static_queue import serve
from simulator.hosting.variant import Variant


def run_fast(
    log: RequestLog, variants: list[Variant], streams: RandomStreams, timeout: float, duration: float
) -> None:
    """Fill start, end, work, instance and status of every request (variants and overheads are set)."""
    variant_of = log.column("variant")
    records = serve(
        log.column("arrival"),
        routing(variants, variant_of, streams),
        stations(variants, variant_of, streams),
        timeout,
        duration,
    )
    size = log.size
    log.start[:size] = records.start
    log.end[:size] = records.end
    log.work[:size] = records.work
    log.instance[:size] = records.instance
    log.status[:size] = records.status
