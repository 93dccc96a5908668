"""A request log's columns as a compiled loop reads and fills them."""

from __future__ import annotations

import numpy as np

from simulator.core.records import RequestLog


def kernel_columns(log: RequestLog, clock: np.ndarray) -> list[np.ndarray]:
    """What a compiled loop reads and fills, in its own contiguous dtypes: arrival, clock, variant,
    then start, end, work, instance, status (copies, stored back as `Records`)."""
    return [
        np.ascontiguousarray(log.column("arrival"), dtype=np.float64),
        np.ascontiguousarray(clock, dtype=np.float64),
        log.column("variant").astype(np.int64),
        *(log.column(name).copy() for name in ("start", "end", "work")),
        log.column("instance").astype(np.int32),
        log.column("status").astype(np.int8),
    ]
