# cython: language_level=3
"""What the compiled event loops share: their event, its heap ordered by (time, creation order) -
both unique keys, so the heap's layout never decides which event runs first - growable buffers, and
the samplers' draws a block at a time."""

from libc.math cimport INFINITY
from libc.stdlib cimport realloc


ctypedef struct Event:
    double time
    Py_ssize_t order
    int kind
    Py_ssize_t server  # the instance or serverless environment
    Py_ssize_t request
    Py_ssize_t detail  # the container stage, or an environment's generation (keep-warm expiry)


cdef inline bint before(const Event* a, const Event* b) noexcept nogil:
    return a.time < b.time or (a.time == b.time and a.order < b.order)


cdef inline void push(Event* heap, Py_ssize_t size, Event item) noexcept nogil:
    """Add `item` to a heap of `size` events (room for one more is there)."""
    cdef Py_ssize_t position = size, parent
    while position > 0:
        parent = (position - 1) >> 1
        if not before(&item, &heap[parent]):
            break
        heap[position] = heap[parent]
        position = parent
    heap[position] = item


cdef inline void drop_first(Event* heap, Py_ssize_t size) noexcept nogil:
    """Remove the earliest of `size` events (the heap then has size - 1)."""
    cdef Event item = heap[size - 1]
    cdef Py_ssize_t position = 0, child
    size -= 1
    while True:
        child = 2 * position + 1
        if child >= size:
            break
        if child + 1 < size and before(&heap[child + 1], &heap[child]):
            child += 1
        if not before(&heap[child], &item):
            break
        heap[position] = heap[child]
        position = child
    if size:
        heap[position] = item


cdef inline void* resized(void* data, Py_ssize_t count, size_t item) except NULL:
    cdef void* moved = realloc(data, count * item)
    if moved == NULL:
        raise MemoryError()
    return moved


ctypedef struct Heap:
    Event* events
    Py_ssize_t size
    Py_ssize_t capacity


cdef inline int add(Heap* heap, Event item) except -1:
    """Push `item`, growing the buffer when it is full."""
    if heap.size >= heap.capacity:
        heap.capacity = heap.capacity * 2 + 16
        heap.events = <Event*>resized(heap.events, heap.capacity, sizeof(Event))
    push(heap.events, heap.size, item)
    heap.size += 1
    return 0


cdef inline void remove_first(Heap* heap) noexcept nogil:
    drop_first(heap.events, heap.size)
    heap.size -= 1


ctypedef struct Timetable:  # arrivals as SimPy's driver creates them: i+1 when i is processed
    Py_ssize_t following  # the next request to arrive
    double next_time  # its clock time (inf: none left)
    Py_ssize_t next_order  # its creation order among the events


cdef inline Timetable first_arrival(const double[::1] clocks, Py_ssize_t* order) noexcept nogil:
    if clocks.shape[0] == 0:
        return Timetable(0, INFINITY, 0)
    order[0] += 1
    return Timetable(0, clocks[0], order[0] - 1)


cdef inline Py_ssize_t next_arrival(
    Timetable* arrivals, const double[::1] clocks, Py_ssize_t* order
) noexcept nogil:
    """The request arriving now; the one after it takes its place in creation order."""
    cdef Py_ssize_t request = arrivals.following
    arrivals.following += 1
    if arrivals.following < clocks.shape[0]:
        arrivals.next_time = clocks[arrivals.following]
        arrivals.next_order = order[0]
        order[0] += 1
    else:
        arrivals.next_time = INFINITY
    return request


cdef class Draws:
    """The BlockSamplers' sequences, a block at a time (the same values their `next()` would give)."""

    cdef list samplers, blocks
    cdef Py_ssize_t* drawn
    cdef Py_ssize_t* sizes

    cdef double take(self, Py_ssize_t number) except? -1.0
    cdef int release(self) except -1
