# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""A staged variant's event loop (pipeline.py), compiled: the same events, draws and arithmetic in
the same order. Waiting lines are FIFO rings of request numbers; events go through the shared heap
of kernel_support.pxd.
"""

from libc.stdlib cimport free, malloc
from libc.string cimport memset

from simulator.engine.fast.kernel_support cimport (
    Draws,
    Event,
    Heap,
    Timetable,
    add,
    first_arrival,
    next_arrival,
    remove_first,
)

cdef enum:
    DONE = 0
    HOP = 1


ctypedef struct Fifo:
    Py_ssize_t* items
    Py_ssize_t head  # counts of pops and pushes ever; the ring holds items[head % capacity ...]
    Py_ssize_t tail
    Py_ssize_t capacity


cdef int _append(Fifo* line, Py_ssize_t request) except -1:
    cdef Py_ssize_t size = line.tail - line.head, bigger, position
    cdef Py_ssize_t* items
    if size == line.capacity:  # full: copy the ring in order into a larger one
        bigger = line.capacity * 2 + 8
        items = <Py_ssize_t*>malloc(bigger * sizeof(Py_ssize_t))
        if items == NULL:
            raise MemoryError()
        for position in range(size):
            items[position] = line.items[(line.head + position) % line.capacity]
        free(line.items)
        line.items, line.head, line.tail, line.capacity = items, 0, size, bigger
    line.items[line.tail % line.capacity] = request
    line.tail += 1
    return 0


cdef inline Py_ssize_t _first(const Fifo* line) noexcept nogil:
    return line.items[line.head % line.capacity]


def run_pipeline(
    const double[::1] arrival,
    const double[::1] clocks,
    const long long[::1] sent,
    double[::1] start,
    double[::1] end,
    double[::1] work,
    int[::1] instance_of,
    signed char[::1] status,
    double[::1] enter,
    double[::1] leave,
    list samplers,
    const double[::1] hop,
    const Py_ssize_t[::1] stage_workers,
    const long long[::1] idents,
    const double[::1] speeds,
    tuple limits,
    tuple codes,
    Py_ssize_t rows,
):
    """Serve every request; fill the columns and the per-stage enter/leave times; returns the rows
    the variant's StageRecord has grown to.

    `samplers` are the stages' BlockSamplers then the instance chooser's; `limits` (workers,
    max_queue, timeout, duration, least outstanding routing), `codes` the statuses (ok, timeout,
    throttled, no capacity).
    """
    cdef Py_ssize_t workers = limits[0], max_queue = limits[1]
    cdef double timeout = limits[2], duration = limits[3]
    cdef bint fewest = limits[4]
    cdef signed char ok = codes[0], timed_out = codes[1], throttled = codes[2], no_capacity = codes[3]
    cdef Py_ssize_t n = arrival.shape[0], stages = hop.shape[0], count = idents.shape[0]
    cdef Py_ssize_t last = stages - 1, chooser = stages
    cdef Draws draws = Draws(samplers)
    cdef Py_ssize_t* busy = <Py_ssize_t*>malloc((count + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* outstanding = <Py_ssize_t*>malloc((count + 1) * sizeof(Py_ssize_t))
    cdef Py_ssize_t* stage_busy = <Py_ssize_t*>malloc((count * stages + 1) * sizeof(Py_ssize_t))
    cdef Fifo* queues = <Fifo*>malloc((count * (stages + 1) + 1) * sizeof(Fifo))  # per instance: queue, lines
    cdef Heap heap = Heap(NULL, 0, 0)
    cdef Py_ssize_t order = 0, request, waiting, i, stage, next_stage
    cdef Py_ssize_t best, least, other, step, lines
    cdef double now, next_time, demand, arrived
    cdef Event top
    cdef Fifo* queue
    cdef Fifo* line
    if busy == NULL or outstanding == NULL or stage_busy == NULL or queues == NULL:
        free(busy)
        free(outstanding)
        free(stage_busy)
        free(queues)
        raise MemoryError()
    memset(busy, 0, (count + 1) * sizeof(Py_ssize_t))
    memset(outstanding, 0, (count + 1) * sizeof(Py_ssize_t))
    memset(stage_busy, 0, (count * stages + 1) * sizeof(Py_ssize_t))
    memset(queues, 0, (count * (stages + 1) + 1) * sizeof(Fifo))
    lines = count * (stages + 1)
    cdef Timetable arrivals = first_arrival(clocks, &order)
    try:
        while True:
            if heap.size:
                top = heap.events[0]
                now = top.time
                next_time = arrivals.next_time
                if now < next_time or (now == next_time and top.order < arrivals.next_order):
                    if now >= duration:
                        break
                    remove_first(&heap)
                    i, request, stage = top.server, top.request, top.detail
                    if top.kind == HOP:  # reaches the next container
                        enter[request * stages + stage] = now
                        if stage_busy[i * stages + stage] < stage_workers[stage]:
                            stage_busy[i * stages + stage] += 1
                            demand = draws.take(stage) / speeds[i]
                            work[request] += demand
                            add(&heap, Event(now + demand, order, DONE, i, request, stage))
                            order += 1
                        else:
                            _append(&queues[i * (stages + 1) + 1 + stage], request)
                        continue
                    leave[request * stages + stage] = now
                    if stage == last:
                        end[request] = now
                        status[request] = timed_out if now - arrival[request] > timeout else ok
                        outstanding[i] -= 1
                    else:
                        next_stage = stage + 1
                        if hop[stage] > 0:
                            add(&heap, Event(now + hop[stage], order, HOP, i, request, next_stage))
                            order += 1
                        else:
                            enter[request * stages + next_stage] = now
                            if stage_busy[i * stages + next_stage] < stage_workers[next_stage]:
                                stage_busy[i * stages + next_stage] += 1
                                demand = draws.take(next_stage) / speeds[i]
                                work[request] += demand
                                add(&heap, Event(now + demand, order, DONE, i, request, next_stage))
                                order += 1
                            else:
                                _append(&queues[i * (stages + 1) + 1 + next_stage], request)
                    if stage == 0:  # the instance's worker is free: its queue's next request begins
                        busy[i] -= 1
                        queue = &queues[i * (stages + 1)]
                        while queue.tail > queue.head and busy[i] < workers:
                            waiting = _first(queue)
                            queue.head += 1
                            arrived = arrival[waiting]
                            if now - arrived >= timeout:
                                outstanding[i] -= 1
                                status[waiting] = timed_out
                                end[waiting] = arrived + timeout
                                continue
                            start[waiting] = now
                            work[waiting] = 0.0
                            instance_of[waiting] = idents[i]
                            busy[i] += 1
                            if waiting >= rows:  # StageRecord grows as SimPy's run makes it grow
                                rows = max(2 * rows, waiting + 1)
                            enter[waiting * stages] = now
                            demand = draws.take(0) / speeds[i]
                            work[waiting] += demand
                            add(&heap, Event(now + demand, order, DONE, i, waiting, 0))
                            order += 1
                    else:
                        stage_busy[i * stages + stage] -= 1
                        line = &queues[i * (stages + 1) + 1 + stage]
                        if line.tail > line.head:
                            stage_busy[i * stages + stage] += 1
                            waiting = _first(line)
                            line.head += 1
                            demand = draws.take(stage) / speeds[i]
                            work[waiting] += demand
                            add(&heap, Event(now + demand, order, DONE, i, waiting, stage))
                            order += 1
                    continue
            if arrivals.next_time >= duration:
                break
            now = arrivals.next_time
            request = next_arrival(&arrivals, clocks, &order)
            if sent[request] < 0 or count == 0:
                status[request] = no_capacity
                end[request] = arrival[request]
                continue
            i = 0
            if count > 1:  # Variant.pick: one uniform when several are InService
                i = <Py_ssize_t>(draws.take(chooser) * count)
                if fewest:
                    best, least = i, outstanding[i]
                    for step in range(1, count):
                        other = (i + step) % count
                        if outstanding[other] < least:
                            best, least = other, outstanding[other]
                    i = best
            outstanding[i] += 1
            if busy[i] < workers:
                start[request] = now
                work[request] = 0.0
                instance_of[request] = idents[i]
                busy[i] += 1
                if request >= rows:
                    rows = max(2 * rows, request + 1)
                enter[request * stages] = now
                demand = draws.take(0) / speeds[i]
                work[request] += demand
                add(&heap, Event(now + demand, order, DONE, i, request, 0))
                order += 1
                continue
            queue = &queues[i * (stages + 1)]
            while queue.tail > queue.head and now - arrival[_first(queue)] >= timeout:
                waiting = _first(queue)
                queue.head += 1
                outstanding[i] -= 1
                status[waiting] = timed_out
                end[waiting] = arrival[waiting] + timeout
            if queue.tail - queue.head < max_queue:
                _append(queue, request)
            else:
                outstanding[i] -= 1
                status[request] = throttled
                end[request] = now
        draws.release()
        return rows
    finally:
        for step in range(lines):
            free(queues[step].items)
        free(queues)
        free(busy)
        free(outstanding)
        free(stage_busy)
        free(heap.events)
