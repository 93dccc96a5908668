"""Per-request records in preallocated numpy arrays (one column per field, grown by doubling).

Writing into arrays instead of creating an object per request keeps memory at ~60 bytes a request and
lets the collect phase aggregate with vectorised numpy.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Status(IntEnum):
    IN_FLIGHT = 0
    OK = 1
    TIMEOUT = 2  # 5XX: past the invocation timeout
    THROTTLED = 3  # 4XX: instance queue full
    KILLED = 4  # 5XX: instance terminated while the request was inside it
    NO_CAPACITY = 5  # 5XX: variant had no instance in service


ERROR_5XX = (Status.TIMEOUT, Status.KILLED, Status.NO_CAPACITY)

_COLUMNS: dict[str, tuple[type, float]] = {
    "arrival": (np.float64, np.nan),
    "start": (np.float64, np.nan),
    "end": (np.float64, np.nan),
    "work": (np.float64, np.nan),
    "overhead": (np.float64, 0.0),
    "variant": (np.int16, -1),
    "instance": (np.int32, -1),
    "status": (np.int8, 0),
}


class RequestLog:
    """Column store of request records; `size` rows are valid."""

    def __init__(self, capacity: int) -> None:
        self.size = 0
        self._capacity = max(int(capacity), 16)
        for name, (dtype, fill) in _COLUMNS.items():
            setattr(self, name, np.full(self._capacity, fill, dtype=dtype))

    @classmethod
    def with_arrivals(cls, arrivals: np.ndarray) -> RequestLog:
        log = cls(len(arrivals))
        log.arrival[: len(arrivals)] = arrivals
        log.size = len(arrivals)
        return log

    def append(self, arrival_time: float) -> int:
        """Add a request arriving now; returns its id."""
        if self.size == self._capacity:
            self._grow()
        request = self.size
        self.arrival[request] = arrival_time
        self.size += 1
        return request

    def _grow(self) -> None:
        new_capacity = self._capacity * 2
        for name, (dtype, fill) in _COLUMNS.items():
            column = np.full(new_capacity, fill, dtype=dtype)
            column[: self._capacity] = getattr(self, name)
            setattr(self, name, column)
        self._capacity = new_capacity

    def column(self, name: str) -> np.ndarray:
        """The valid rows of a column (a view, no copy)."""
        return getattr(self, name)[: self.size]

    def nbytes(self) -> int:
        return sum(getattr(self, name).nbytes for name in _COLUMNS)
