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
    MODEL_ERROR = 6  # 5XX: the model answered with an error (model error_rate)


ERROR_5XX = (Status.TIMEOUT, Status.KILLED, Status.NO_CAPACITY, Status.MODEL_ERROR)

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
        self.capacity = max(int(capacity), 16)
        for name, (dtype, fill) in _COLUMNS.items():
            setattr(self, name, np.full(self.capacity, fill, dtype=dtype))

    @classmethod
    def with_arrivals(cls, arrivals: np.ndarray) -> RequestLog:
        log = cls(len(arrivals))
        log.arrival[: len(arrivals)] = arrivals
        log.size = len(arrivals)
        return log

    def append(self, arrival_time: float) -> int:
        """Add a request arriving now; returns its id."""
        if self.size == self.capacity:
            self._grow()
        request = self.size
        self.arrival[request] = arrival_time
        self.size += 1
        return request

    def _grow(self) -> None:
        new_capacity = self.capacity * 2
        for name, (dtype, fill) in _COLUMNS.items():
            column = np.full(new_capacity, fill, dtype=dtype)
            column[: self.capacity] = getattr(self, name)
            setattr(self, name, column)
        self.capacity = new_capacity

    def column(self, name: str) -> np.ndarray:
        """The valid rows of a column (a view, no copy)."""
        return getattr(self, name)[: self.size]

    def count_arrivals(self, variant: int, start: float, stop: float) -> int:
        """Requests of `variant` that arrived in [start, stop) (arrivals are written in time order)."""
        times = self.column("arrival")
        low, high = np.searchsorted(times, [start, stop], side="left")
        return int(np.count_nonzero(self.variant[low:high] == variant))


class RingOverflow(RuntimeError):
    """More requests in flight than a streaming run's record ring holds: a backlog that keeps growing."""

    def __init__(self, capacity: int) -> None:
        super().__init__(f"more requests in flight than the record ring's {capacity:,} records")
        self.capacity = capacity


class RingLog(RequestLog):
    """Fixed-capacity ring of request records for long runs (slot = global index mod capacity).

    Requests are written in arrival order, so the newest `capacity` requests are sorted by arrival.
    `tail` is the oldest request not yet folded into aggregates; a slot may be rewritten only after
    its request is folded. Memory stays fixed however long the run.
    """

    def __init__(self, capacity: int) -> None:
        super().__init__(capacity)
        self.size = self.capacity  # every slot is addressable by the hot path
        self.head = 0  # global index of the next request to write
        self.tail = 0

    def slices(self, start: int, stop: int) -> list[slice]:
        """Slot slices holding global indices [start, stop) (at most two: the ring wraps)."""
        if stop <= start:
            return []
        first, last = start % self.capacity, (stop - 1) % self.capacity + 1
        if stop - start <= self.capacity - first:
            return [slice(first, first + stop - start)]
        return [slice(first, self.capacity), slice(0, last)]

    def write(self, arrivals: np.ndarray, variant: np.ndarray, overhead: np.ndarray) -> None:
        """Append arrivals with their variants and overheads (every other column of their slots reset)."""
        if self.head + len(arrivals) - self.tail > self.capacity:
            raise RingOverflow(self.capacity)
        offset = 0
        for part in self.slices(self.head, self.head + len(arrivals)):
            count = part.stop - part.start
            for name, (_, fill) in _COLUMNS.items():
                getattr(self, name)[part] = fill
            for name, values in (("arrival", arrivals), ("variant", variant), ("overhead", overhead)):
                getattr(self, name)[part] = values[offset : offset + count]
            offset += count
        self.head += len(arrivals)

    def finished_prefix(self) -> int:
        """Global index just past the longest run of finished requests starting at `tail`."""
        position = self.tail
        for part in self.slices(self.tail, self.head):
            open_requests = np.flatnonzero(self.status[part] == Status.IN_FLIGHT)
            if len(open_requests):
                return position + int(open_requests[0])
            position += part.stop - part.start
        return position

    def count_arrivals(self, variant: int, start: float, stop: float) -> int:
        """Requests of `variant` that arrived in [start, stop), among the newest `capacity`."""
        total = 0
        for part in self.slices(max(0, self.head - self.capacity), self.head):
            times = self.arrival[part]
            low, high = np.searchsorted(times, [start, stop], side="left")
            total += int(np.count_nonzero(self.variant[part][low:high] == variant))
        return total
