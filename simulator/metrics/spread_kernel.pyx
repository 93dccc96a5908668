# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""spread_over_bins' sums, compiled: one pass per kind of interval, in the order the vectorised
version's bincounts added them, so the figures stay bit-identical (see bins.py).

Compiled because the per-minute busy time of a long run spent most of its time on full-size
temporaries; these loops allocate nothing but the bins.
"""

from libc.math cimport copysign, floor, fmod

import numpy as np


cdef inline long long bin_of(double time, double period, long long n_bins) noexcept nogil:
    """min(int(time // period), n_bins), with // as numpy (and Python) compute it for floats.

    floor(time / period) is that floor wherever the quotient is clear of an integer by more than its
    rounding error; near one (a time on a bin edge), numpy's fmod-based algorithm decides.
    """
    cdef double quotient = time / period
    cdef double whole = floor(quotient)
    cdef double modulus
    if not (1e-6 < quotient - whole < 1.0 - 1e-6 and 0.0 < quotient < 1e9):
        modulus = fmod(time, period)
        quotient = (time - modulus) / period
        if modulus != 0 and (period < 0) != (modulus < 0):
            quotient -= 1.0
        if quotient != 0:
            whole = floor(quotient)
            if quotient - whole > 0.5:
                whole += 1.0
        else:
            whole = copysign(0.0, time / period)
    return <long long>whole if whole < n_bins else n_bins


def spread_sums(
    const double[::1] starts,
    const double[::1] ends,
    const double[::1] amounts,
    double period,
    Py_ssize_t n_bins,
):
    """Totals per bin (n_bins + 1 entries, the last collecting what falls past the horizon).

    An interval ending before it starts counts as ending at its start.
    """
    totals_array = np.zeros(n_bins + 1)
    difference_array = np.zeros(n_bins + 2)
    cdef double[::1] totals = totals_array
    cdef double[::1] difference = difference_array
    cdef Py_ssize_t size = starts.shape[0]
    cdef Py_ssize_t i, kind
    cdef double length, rate, running
    first_array = np.empty(size, dtype=np.int64)
    last_array = np.empty(size, dtype=np.int64)
    stop_array = np.empty(size)
    rate_array = np.empty(size)
    cdef double[::1] rates = rate_array
    cdef long long[::1] first = first_array
    cdef long long[::1] last = last_array
    cdef double[::1] stops = stop_array
    with nogil:
        for i in range(size):
            stops[i] = ends[i] if ends[i] > starts[i] else starts[i]
            first[i] = bin_of(starts[i], period, n_bins)
            last[i] = bin_of(stops[i], period, n_bins)
            length = stops[i] - starts[i]
            rates[i] = amounts[i] / length if length > 0 else 0.0
        # bincount's order: intervals of no length, then spans inside one bin, then the partial
        # first bins, then the partial last bins of spans across bins
        for kind in range(4):
            for i in range(size):
                length = stops[i] - starts[i]
                if length <= 0:
                    if kind == 0:
                        totals[first[i]] += amounts[i]
                    continue
                rate = rates[i]
                if first[i] == last[i]:
                    if kind == 1:
                        totals[first[i]] += length * rate
                elif kind == 2:
                    totals[first[i]] += rate * ((first[i] + 1) * period - starts[i])
                elif kind == 3:
                    totals[last[i]] += rate * (stops[i] - last[i] * period)
        # whole bins between: a difference array, summed up
        for kind in range(2):
            for i in range(size):
                length = stops[i] - starts[i]
                if length <= 0 or first[i] == last[i]:
                    continue
                rate = rates[i]
                if kind == 0:
                    difference[first[i] + 1] += rate * period
                else:
                    difference[last[i]] += -rate * period
        running = 0.0
        for i in range(n_bins + 1):
            running += difference[i]
            totals[i] += running
    return totals_array
