"""A staged variant (inference pipeline or Elastic Inference) without SimPy: the same events, in order.

Each instance runs its containers as stations in tandem (see hosting/pipeline.py): the first one behind
the instance's queue (bound, timeouts, throttling), the later ones with FIFO waiting lines, hops between
them. Stage completions and hops go through one heap keyed like SimPy's queue, (time, creation order),
and arrivals take their place as the timetable driver creates them (arrival i+1 when arrival i is
processed, before what arrival i schedules). Every step calls the samplers the built model wired in the
order SimPy does, so the records and the per-container times are the ones a SimPy run leaves.
"""

from __future__ import annotations

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.engine.fast.columns import kernel_columns
from simulator.engine.fast.pipeline_kernel import run_pipeline
from simulator.engine.fast.static_queue import Records
from simulator.hosting.variant import Variant
from simulator.scenario.endpoint import Routing


def serve_pipeline(
    log: RequestLog, variant: Variant, clock: np.ndarray, timeout: float, duration: float
) -> None:
    """Run every request of the log (all sent to `variant`, or to no variant) through its instances."""
    assert variant.stages is not None and variant.stage_record is not None
    n = log.size
    stages = len(variant.stages)
    instances = list(variant.active)
    samplers = [stage.sampler for stage in variant.stages] + [variant.choice_sampler]
    assert len({id(sampler) for sampler in samplers}) == len(samplers)  # each drawn on its own
    columns = kernel_columns(log, clock)
    enter, leave = np.full(n * stages, np.nan), np.full(n * stages, np.nan)
    rows = run_pipeline(
        *columns,
        enter,
        leave,
        samplers,
        np.array([stage.hop for stage in variant.stages], dtype=np.float64),
        np.array([stage.workers for stage in variant.stages], dtype=np.intp),
        np.array([instance.ident for instance in instances], dtype=np.int64),
        np.array([instance.speed for instance in instances], dtype=np.float64),
        (
            variant.workers,
            min(variant.spec.max_queue, n),
            timeout,
            duration,
            variant.routing is not Routing.RANDOM,
        ),
        (Status.OK, Status.TIMEOUT, Status.THROTTLED, Status.NO_CAPACITY),
        len(variant.stage_record.enter),
    )
    Records(*columns[3:]).store(log, slice(0, n))
    record = variant.stage_record
    for name, values in (("enter", enter), ("leave", leave)):
        table = np.full((rows, stages), np.nan)
        kept = min(n, rows)
        table[:kept] = values.reshape(n, stages)[:kept]
        setattr(record, name, table)
