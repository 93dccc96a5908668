# cython: language_level=3
"""What the compiled event loops share: their event, its heap ordered by (time, creation order) -
both unique keys, so the heap's layout never decides which event runs first - growable buffers, and
the samplers' draws a block at a time."""

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


cdef class Draws:
    """The BlockSamplers' sequences, a block at a time (the same values their `next()` would give)."""

    cdef list samplers, blocks
    cdef Py_ssize_t* drawn
    cdef Py_ssize_t* sizes

    cdef double take(self, Py_ssize_t number) except? -1.0
    cdef int release(self) except -1
