# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""A serverless pool's event loop (serverless.py), compiled: the same events in the same order.

Environments are numbers here (ident, provisioned, generation in arrays); the pool's Python objects
are rebuilt from them at the end. Events go through the shared heap of kernel_support.pxd.
"""

from libc.stdlib cimport free
from libc.string cimport memmove

from simulator.engine.fast.kernel_support cimport (
    Draws,
    Event,
    Heap,
    Timetable,
    add,
    before,
    first_arrival,
    next_arrival,
    remove_first,
    resized,
)

cdef enum:
    READY = 0
    DONE = 1
    EXPIRE = 2


ctypedef struct Environments:
    Py_ssize_t count
    Py_ssize_t capacity
    long long* ident
    char* provisioned
    Py_ssize_t* generation
    Py_ssize_t* idle  # a stack of environment numbers, most recently freed on top
    Py_ssize_t idle_size


cdef Py_ssize_t _add(Environments* pool, long long ident, char provisioned, Py_ssize_t generation) except -1:
    """A new environment's number (growing the arrays when full)."""
    if pool.count >= pool.capacity:
        pool.capacity = pool.capacity * 2 + 16
        pool.ident = <long long*>resized(pool.ident, pool.capacity, sizeof(long long))
        pool.provisioned = <char*>resized(pool.provisioned, pool.capacity, sizeof(char))
        pool.generation = <Py_ssize_t*>resized(pool.generation, pool.capacity, sizeof(Py_ssize_t))
        pool.idle = <Py_ssize_t*>resized(pool.idle, pool.capacity, sizeof(Py_ssize_t))
    pool.ident[pool.count] = ident
    pool.provisioned[pool.count] = provisioned
    pool.generation[pool.count] = generation
    pool.count += 1
    return pool.count - 1


def run_pool(
    const double[::1] arrival,
    const double[::1] clocks,
    const long long[::1] sent,
    double[::1] start,
    double[::1] end,
    double[::1] work,
    int[::1] instance,
    signed char[::1] status,
    object service,
    object setup,
    object new_id,
    list cold_starts,
    list idle_environments,
    tuple limits,
    tuple codes,
    tuple counters,
):
    """Serve every request; returns the pool's counters and its idle environments afterwards.

    `service` is the pool's BlockSampler (drawn a block at a time, in order), `setup` and `new_id` are
    called per cold start; `idle_environments` are (ident, provisioned, generation) bottom to top,
    `limits` (concurrency, keep_warm, timeout, duration), `codes` the statuses (ok, timeout,
    throttled, no capacity), `counters` (in flight, peak, alive, peak alive).
    """
    cdef Py_ssize_t limit = limits[0]
    cdef double keep_warm = limits[1], timeout = limits[2], duration = limits[3]
    cdef signed char ok = codes[0], timed_out = codes[1], throttled = codes[2], no_capacity = codes[3]
    cdef Py_ssize_t in_flight = counters[0], peak = counters[1], alive = counters[2]
    cdef Py_ssize_t peak_alive = counters[3], retired = 0
    cdef Py_ssize_t n = arrival.shape[0]
    cdef Environments pool = Environments(0, 0, NULL, NULL, NULL, NULL, 0)
    cdef Heap heap = Heap(NULL, 0, 0)
    cdef Event* timers = NULL
    cdef Py_ssize_t timer_head = 0, timer_tail = 0, timer_capacity = 0
    cdef Py_ssize_t order = 0, request, environment, position
    cdef double now, next_time, demand, wait
    cdef Event event
    cdef bint pending
    cdef Draws draws = Draws([service])
    cdef Timetable arrivals = first_arrival(clocks, &order)
    try:
        for environment_ident, environment_provisioned, environment_generation in idle_environments:
            environment = _add(&pool, environment_ident, environment_provisioned, environment_generation)
            pool.idle[pool.idle_size] = environment
            pool.idle_size += 1
        while True:
            pending = heap.size > 0
            if pending:
                event = heap.events[0]
            if timer_head < timer_tail and (not pending or before(&timers[timer_head], &event)):
                event = timers[timer_head]
                pending = True
            if pending:
                now = event.time
                next_time = arrivals.next_time
                if now < next_time or (now == next_time and event.order < arrivals.next_order):
                    if now >= duration:
                        break
                    environment = event.server
                    if event.kind == EXPIRE:
                        timer_head += 1
                        if pool.generation[environment] == event.detail:  # idle ever since the timer began
                            for position in range(pool.idle_size):
                                if pool.idle[position] == environment:
                                    memmove(
                                        &pool.idle[position],
                                        &pool.idle[position + 1],
                                        (pool.idle_size - position - 1) * sizeof(Py_ssize_t),
                                    )
                                    pool.idle_size -= 1
                                    alive -= 1
                                    retired += 1
                                    break
                        continue
                    remove_first(&heap)
                    request = event.request
                    if event.kind == DONE:
                        end[request] = now
                        status[request] = timed_out if now - arrival[request] > timeout else ok
                        in_flight -= 1
                        pool.idle[pool.idle_size] = environment
                        pool.idle_size += 1
                        if not pool.provisioned[environment]:
                            if timer_tail >= timer_capacity:
                                if timer_head > 0 and timer_head * 2 >= timer_capacity:  # reuse the spent front
                                    timer_tail -= timer_head
                                    memmove(timers, &timers[timer_head], timer_tail * sizeof(Event))
                                    timer_head = 0
                                else:
                                    timer_capacity = timer_capacity * 2 + 16
                                    timers = <Event*>resized(timers, timer_capacity, sizeof(Event))
                            timers[timer_tail] = Event(
                                now + keep_warm, order, EXPIRE, environment, -1, pool.generation[environment]
                            )
                            timer_tail += 1
                            order += 1
                        continue
                    # READY: the cold start is done, the request begins
                    demand = draws.take(0)
                    start[request] = now
                    work[request] = demand
                    instance[request] = pool.ident[environment]
                    add(&heap, Event(now + demand, order, DONE, environment, request, 0))
                    order += 1
                    continue
            if arrivals.next_time >= duration:
                break
            now = arrivals.next_time
            request = next_arrival(&arrivals, clocks, &order)
            if sent[request] < 0:
                status[request] = no_capacity
                end[request] = arrival[request]
                continue
            if in_flight >= limit:
                status[request] = throttled
                end[request] = now
                continue
            in_flight += 1
            if in_flight > peak:
                peak = in_flight
            if pool.idle_size:
                pool.idle_size -= 1
                environment = pool.idle[pool.idle_size]
                pool.generation[environment] += 1
                demand = draws.take(0)
                start[request] = now
                work[request] = demand
                instance[request] = pool.ident[environment]
                event = Event(now + demand, order, DONE, environment, request, 0)
            else:
                environment = _add(&pool, new_id(), 0, 0)
                alive += 1
                if alive > peak_alive:
                    peak_alive = alive
                wait = setup()
                cold_starts.append((now, wait))
                event = Event(now + wait, order, READY, environment, request, 0)
            add(&heap, event)
            order += 1
        draws.release()
        left_idle = [
            (pool.ident[environment], bool(pool.provisioned[environment]), pool.generation[environment])
            for environment in pool.idle[: pool.idle_size]
        ]
        return (in_flight, peak, alive, peak_alive, retired), left_idle
    finally:
        free(heap.events)
        free(timers)
        free(pool.ident)
        free(pool.provisioned)
        free(pool.generation)
        free(pool.idle)
