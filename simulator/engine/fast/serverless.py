"""A serverless variant's environment pool without SimPy: the same events, in SimPy's order.

The pool has no queue, so a request is throttled, served by the most recently freed warm environment,
or waits for a new one's ModelSetupTime (cold start). Its events - setup done, completion, keep-warm
expiry - go through one heap keyed like SimPy's own queue: (time, creation order). Arrivals take their
place in that order as the timetable driver creates them (arrival i+1 when arrival i is processed,
before anything arrival i schedules), so ties resolve as in SimPy and the samplers the built model
wired to the pool are called in the same order: the records, the cold starts and the pool's counters
are the ones a SimPy run leaves.
"""

from __future__ import annotations

import numpy as np

from simulator.core.records import RequestLog, Status
from simulator.engine.fast.columns import kernel_columns
from simulator.engine.fast.pool_kernel import run_pool
from simulator.engine.fast.static_queue import Records
from simulator.hosting.serverless import Environment, ServerlessVariant


def serve_pool(
    log: RequestLog, variant: ServerlessVariant, clock: np.ndarray, timeout: float, duration: float
) -> None:
    """Run every request of the log (all sent to `variant`, or to no variant) through its pool."""
    pool = variant.pool
    account = pool.account
    limit = min(pool.spec.max_concurrency, account.limit)  # the variant is the account's only serverless one
    n = log.size
    columns = kernel_columns(log, clock)
    counters, idle = run_pool(
        *columns,
        pool.service,
        pool.setup,
        pool.new_id,
        pool.cold_starts,
        [(e.ident, e.provisioned, e.generation) for e in pool.idle],
        (limit, pool.spec.keep_warm, timeout, duration),
        (Status.OK, Status.TIMEOUT, Status.THROTTLED, Status.NO_CAPACITY),
        (pool.in_flight, pool.max_in_flight, pool.alive, pool.max_alive),
    )
    Records(*columns[3:]).store(log, slice(0, n))
    in_flight, pool.max_in_flight, pool.alive, pool.max_alive, _ = counters
    pool.idle = [Environment(*state) for state in idle]
    account.in_flight += in_flight - pool.in_flight
    pool.in_flight = pool.outstanding = in_flight
