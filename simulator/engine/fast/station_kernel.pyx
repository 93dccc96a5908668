# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The one-instance recursion's loop, compiled: the same float operations in the same order as the
interpreted loop it replaced, so the records stay bit-identical to SimPy's (see single_station.py).

Compiled because it is where a recommender trial spends half its time; numba did the same at
37 million requests/s but cost every process 1.2-1.6 s to import and load, a compiled module costs
nothing to import.
"""

cdef inline void _replace_earliest(double[::1] free, Py_ssize_t size, double value) noexcept nogil:
    """heapq.heapreplace on a min-heap of doubles: drop the earliest free time, add `value`."""
    cdef Py_ssize_t position = 0
    cdef Py_ssize_t child
    while True:
        child = 2 * position + 1
        if child >= size:
            break
        if child + 1 < size and free[child + 1] < free[child]:
            child += 1
        if free[child] >= value:
            break
        free[position] = free[child]
        position = child
    free[position] = value


def run_station(
    const double[::1] clock,
    const double[::1] arrived,
    const double[::1] demands,
    Py_ssize_t live,
    double[::1] free,
    Py_ssize_t max_queue,
    double timeout,
    double[::1] start,
    double[::1] dropped,
    signed char[::1] throttled,
    Py_ssize_t[::1] waiting,
) -> bool:
    """Serve arrivals 0..live-1; fill start/dropped/throttled. False on an exact tie (see Tie).

    `free` holds each worker's free time (all -inf at first), `waiting` is scratch for the queue: the
    admitted requests not yet pulled, in arrival order, from `head` up to `tail`.
    """
    cdef Py_ssize_t workers = free.shape[0]
    cdef Py_ssize_t head = 0, tail = 0, taken = 0, j
    cdef double now, earliest
    for j in range(live):
        now = clock[j]
        earliest = free[0]
        if earliest < now:  # a worker is idle: every queued request was pulled by `earliest`
            head = tail
            start[j] = now
            _replace_earliest(free, workers, now + demands[taken])
            taken += 1
            continue
        if earliest == now:
            return False
        while head < tail and start[waiting[head]] <= now:  # pulled at its start (or drop) time
            if start[waiting[head]] == now:
                return False
            head += 1
        while head < tail and now - arrived[waiting[head]] >= timeout:
            dropped[waiting[head]] = now
            head += 1
        if tail - head >= max_queue:
            throttled[j] = 1
            continue
        waiting[tail] = j
        tail += 1
        if earliest - arrived[j] >= timeout:
            dropped[j] = earliest
            start[j] = earliest  # the pull time, cleared by the caller for dropped requests
            continue
        start[j] = earliest
        _replace_earliest(free, workers, earliest + demands[taken])
        taken += 1
    return True
