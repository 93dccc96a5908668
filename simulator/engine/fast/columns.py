"""Copy a fast run's per-request columns into the request log, in the log's own dtypes."""

from __future__ import annotations

from array import array

import numpy as np

from simulator.core.records import RequestLog


def store_columns(
    log: RequestLog, n: int, start: array, end: array, work: array, instance: array, status: array
) -> None:
    """The loops fill plain Python arrays (cheap appends and stores); the log wants numpy columns."""
    for name, values, dtype in (
        ("start", start, np.float64),
        ("end", end, np.float64),
        ("work", work, np.float64),
        ("instance", instance, np.int32),
        ("status", status, np.int8),
    ):
        getattr(log, name)[:n] = np.frombuffer(values, dtype=dtype)
