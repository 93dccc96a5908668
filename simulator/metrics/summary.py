"""The summary.json figures (typed in summary_types.py) from request records and the fleet."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from simulator.core.records import ERROR_5XX, RequestLog, Status
from simulator.metrics.fleet import instances_in_service, rows_of
from simulator.metrics.summary_types import (
    Block,
    Cost,
    Extras,
    Latency,
    QueueWait,
    Requests,
    Summary,
    VariantBlock,
    Window,
)

PERCENTILES = {"p50": 50, "p90": 90, "p95": 95, "p99": 99}
FIGURE_COLUMNS = ("arrival", "start", "end", "overhead", "status")
Figures = tuple[Requests, Latency, Latency, QueueWait]
"""(request counts, latency, model latency, queue wait) of a set of requests."""


def _latency_figures(latency_s: np.ndarray) -> Latency:
    """Figures in ms of a temporary array of latencies in seconds, which it consumes: scaled and
    reordered in place (a long run's arrays are hundreds of MB, and fresh memory costs page faults)."""
    if len(latency_s) == 0:
        return Latency()
    ms = latency_s
    ms *= 1000.0
    mean, largest = float(ms.mean()), float(ms.max())  # before the percentiles reorder `ms` in place
    values = np.percentile(ms, list(PERCENTILES.values()), overwrite_input=True)
    percentiles = {name: float(value) for name, value in zip(PERCENTILES, values, strict=True)}
    return Latency(mean=mean, **percentiles, max=largest)


def request_figures(counts: np.ndarray) -> Requests:
    """Request counts from the number of requests per Status."""
    return Requests(
        arrived=int(counts.sum()),
        completed=int(counts[Status.OK]),
        failed=int(sum(counts[s] for s in ERROR_5XX)),
        throttled=int(counts[Status.THROTTLED]),
        in_flight=int(counts[Status.IN_FLIGHT]),
    )


def _figures(columns: Mapping[str, np.ndarray], trial: bool) -> Figures:
    """The figures of a set of requests (their FIGURE_COLUMNS); a recommender `trial` reads only the
    counts and ModelLatency, so it is spared the end-to-end latency and queue wait (left empty)."""
    arrival, start, end, overhead, status = (columns[name] for name in FIGURE_COLUMNS)
    ok = status == Status.OK
    model_latency = (end - arrival)[ok]
    requests = request_figures(np.bincount(status, minlength=len(Status)))
    if trial:
        return requests, Latency(), _latency_figures(model_latency), QueueWait(None, None)
    started = ~np.isnan(start)
    waits = (start - arrival)[started]
    waits *= 1000.0
    latency = _latency_figures(model_latency + overhead[ok])  # before model_latency is consumed
    return (
        requests,
        latency,
        _latency_figures(model_latency),
        QueueWait(  # the mean first: the percentile reorders `waits` in place
            mean=float(waits.mean()) if len(waits) else None,
            p95=float(np.percentile(waits, 95, overwrite_input=True)) if len(waits) else None,
        ),
    )


def _block(figures: Figures, cost: float, seconds: float) -> Block:
    """The figures every block has (`vars` of it are the first fields of VariantBlock and Summary)."""
    requests, latency, model_latency, queue_wait = figures
    completed = requests.completed
    return Block(
        requests=requests,
        error_rate=requests.errors / requests.arrived if requests.arrived else 0.0,
        throughput_per_s=completed / seconds,
        latency_ms=latency,
        model_latency_ms=model_latency,
        queue_wait_ms=queue_wait,
        cost_usd=Cost(cost, cost / completed * 1e6 if completed else None),
    )


def compose(
    endpoint: Figures,
    variants: Sequence[Figures],
    timeline: pd.DataFrame,
    bill: pd.DataFrame,
    names: Sequence[str],
    window: tuple[float, float],
    engine: str,
    extras: Mapping[str, Extras],
) -> Summary:
    """The one place a Summary is built, from figures of full records or of streamed histograms.

    `bill` is `billing(timeline, *window)`, which the run keeps too (computed once per run)."""
    start, end = window
    total = float(bill["cost_usd"].sum())
    blocks = {}
    for name, figures in zip(names, variants, strict=True):
        extra = extras.get(name, Extras())
        cost = float(rows_of(bill, name, len(names))["cost_usd"].sum())
        if extra.serverless is not None:
            cost += extra.serverless.billing.total_cost_usd
            total += extra.serverless.billing.total_cost_usd
        instances = instances_in_service(rows_of(timeline, name, len(names)), start, end)
        common = vars(_block(figures, cost, end - start))
        blocks[name] = VariantBlock(**common, instances=instances, **vars(extra))
    return Summary(
        **vars(_block(endpoint, total, end - start)),
        window_s=Window(start, end),
        variants=blocks,
        engine=engine,
    )


def window_figures(
    log: RequestLog, variants: int, window_start: float, trial: bool = False
) -> tuple[Figures, list[Figures]]:
    """The figures of the requests arriving from `window_start` on, of the endpoint and of each of its
    `variants` (see _figures for `trial`)."""
    arrival = log.column("arrival")
    inside: slice | np.ndarray = arrival >= window_start
    first = int(np.argmax(inside)) if len(arrival) else 0
    if inside[first:].all():  # the window takes a tail of the records (arrival order): views, no copies
        inside = slice(first, None)
    columns = {name: log.column(name)[inside] for name in FIGURE_COLUMNS}
    variant = log.column("variant")[inside]
    figures = _figures(columns, trial)
    per_variant = []
    for index in range(variants):
        mine = variant == index
        if mine.all():  # the only variant: the same requests, the same figures
            per_variant.append(figures)
        else:
            per_variant.append(_figures({k: v[mine] for k, v in columns.items()}, trial))
    return figures, per_variant
