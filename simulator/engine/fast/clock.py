"""The times at which SimPy's clock sees each open-loop arrival.

The timetable driver schedules arrival i+1 from arrival i with the delay t[i+1] - now, so SimPy's
clock reads c[i+1] = c[i] + (t[i+1] - c[i]). That equals t[i+1] whenever the subtraction is exact
(Sterbenz' lemma), i.e. almost always; where it is not, the clock is an ulp off the timetable and the
records of the requests it touches (start of one served at once, end of a throttled one) carry it.
"""

from __future__ import annotations

import numpy as np


def simpy_clock(times: np.ndarray) -> np.ndarray:
    """c[0] = t[0]; c[i+1] = c[i] + (t[i+1] - c[i]), vectorised; stepped one by one only off the timetable."""
    clock = np.array(times, dtype=np.float64, copy=True)
    if len(clock) < 2:
        return clock
    guess = times[:-1] + (times[1:] - times[:-1])  # c[i+1] if c[i] == t[i]
    suspects = (np.flatnonzero(guess != times[1:]) + 1).tolist()
    position, index = 0, -1
    while True:
        if index < 0 or clock[index] == times[index]:  # on the timetable: go to the next suspect
            while position < len(suspects) and suspects[position] <= index:
                position += 1
            if position == len(suspects):
                return clock
            index = suspects[position]
        elif index + 1 < len(clock):  # an ulp off: the next one must be stepped too
            index += 1
        else:
            return clock
        previous = clock[index - 1]
        clock[index] = previous + (times[index] - previous)
