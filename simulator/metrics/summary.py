"""The summary.json figures (DESIGN.md output contract) from request records and the fleet."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd

from simulator.core.records import ERROR_5XX, RequestLog, Status
from simulator.metrics.fleet import billing, in_service_seconds, max_in_service

PERCENTILES = {"p50": 50, "p90": 90, "p95": 95, "p99": 99}


def _latency_figures(latency_s: np.ndarray) -> dict[str, float | None]:
    if len(latency_s) == 0:
        return {"mean": None, **dict.fromkeys(PERCENTILES), "max": None}
    ms = latency_s * 1000.0
    values = np.percentile(ms, list(PERCENTILES.values()))
    return {
        "mean": float(ms.mean()),
        **{name: float(value) for name, value in zip(PERCENTILES, values, strict=True)},
        "max": float(ms.max()),
    }


def _request_figures(status: np.ndarray) -> dict[str, int]:
    counts = np.bincount(status, minlength=len(Status))
    return {
        "arrived": len(status),
        "completed": int(counts[Status.OK]),
        "failed": int(sum(counts[s] for s in ERROR_5XX)),
        "throttled": int(counts[Status.THROTTLED]),
        "in_flight": int(counts[Status.IN_FLIGHT]),
    }


def _figures(
    arrival: np.ndarray, start: np.ndarray, end: np.ndarray, overhead: np.ndarray, status: np.ndarray
) -> tuple[dict[str, int], dict[str, float | None], dict[str, float | None], dict[str, float | None]]:
    """(request counts, latency, model latency, queue wait) figures of a set of requests."""
    ok = status == Status.OK
    latency = (end[ok] - arrival[ok]) + overhead[ok]
    started = ~np.isnan(start)
    waits = (start[started] - arrival[started]) * 1000.0
    return (
        _request_figures(status),
        _latency_figures(latency),
        _latency_figures(end[ok] - arrival[ok]),
        {
            "mean": float(waits.mean()) if len(waits) else None,
            "p95": float(np.percentile(waits, 95)) if len(waits) else None,
        },
    )


def assemble_block(
    requests: dict[str, int],
    latency_ms: dict[str, float | None],
    model_latency_ms: dict[str, float | None],
    queue_wait_ms: dict[str, float | None],
    cost: float,
    window_seconds: float,
) -> dict[str, Any]:
    """One summary block (endpoint or variant) from its figures, however they were computed."""
    completed = requests["completed"]
    return {
        "requests": requests,
        "error_rate": (requests["failed"] + requests["throttled"]) / requests["arrived"]
        if requests["arrived"]
        else 0.0,
        "throughput_per_s": completed / window_seconds,
        "latency_ms": latency_ms,
        "model_latency_ms": model_latency_ms,
        "queue_wait_ms": queue_wait_ms,
        "cost_usd": {
            "total": cost,
            "per_million_inferences": cost / completed * 1e6 if completed else None,
        },
    }


def summarize(
    log: RequestLog, timeline: pd.DataFrame, variant_names: list[str], window: tuple[float, float]
) -> dict[str, Any]:
    """Endpoint-level and per-variant figures for requests arriving inside the window."""
    window_start, window_end = window
    seconds = window_end - window_start
    arrival = log.column("arrival")
    inside = arrival >= window_start
    columns = {name: log.column(name)[inside] for name in ("arrival", "start", "end", "overhead", "status")}
    variant = log.column("variant")[inside]
    bill = billing(timeline, window_start, window_end)
    figures = _figures(**columns)
    summary = assemble_block(*figures, float(bill["cost_usd"].sum()), seconds)
    summary["window_s"] = {"start": window_start, "end": window_end}
    summary["variants"] = {}
    for index, name in enumerate(variant_names):
        mine = variant == index
        fleet = timeline[timeline["variant"] == name]
        mine_figures = (
            copy.deepcopy(figures)  # the only variant: the same requests, the same figures
            if mine.all()
            else _figures(**{key: value[mine] for key, value in columns.items()})
        )
        block = assemble_block(
            *mine_figures, float(bill.loc[bill["variant"] == name, "cost_usd"].sum()), seconds
        )
        block["instances"] = instance_figures(fleet, window)
        summary["variants"][name] = block
    return summary


def instance_figures(fleet: pd.DataFrame, window: tuple[float, float]) -> dict[str, float]:
    """Time-average and peak InService instances of one variant inside the window."""
    start, end = window
    return {
        "mean": in_service_seconds(fleet, start, end) / (end - start),
        "max": max_in_service(fleet, start, end),
    }
