"""Copy a fast run's per-request columns into the request log, in the log's own dtypes."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np

from simulator.core.records import RequestLog


def store_columns(log: RequestLog, n: int, columns: Sequence[array | np.ndarray]) -> None:
    """The loops fill Python arrays or numpy ones (buffers of the column's dtype) for start, end, work,
    instance and status; the log wants its columns."""
    for name, values in zip(("start", "end", "work", "instance", "status"), columns, strict=True):
        column = getattr(log, name)
        column[:n] = np.frombuffer(values, dtype=column.dtype)


def kernel_columns(log: RequestLog, clock: np.ndarray) -> list[np.ndarray]:
    """What a compiled loop reads and fills, in its own contiguous dtypes: arrival, clock, variant,
    then start, end, work, instance, status (copies, stored back with `store_columns`)."""
    return [
        np.ascontiguousarray(log.column("arrival"), dtype=np.float64),
        np.ascontiguousarray(clock, dtype=np.float64),
        log.column("variant").astype(np.int64),
        *(log.column(name).copy() for name in ("start", "end", "work")),
        log.column("instance").astype(np.int32),
        log.column("status").astype(np.int8),
    ]
