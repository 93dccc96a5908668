"""How many requests a server really works on at once: its runnable threads, sampled while saturated.

A server's concurrency structure is not its configuration file: gunicorn with four worker processes
on one pinned core shares that core four ways (processor sharing), a sync worker serves one request
at a time, and a thread pool behind Python's GIL runs one thread while the others sleep waiting for
it. What the kernel sees tells them apart without knowing the server: while a closed loop keeps the
server saturated, the mean number of the container's threads in state R (running or waiting for a
core) is the number of requests progressing together. Rounded, it becomes the profile's worker
slots; threads waiting for the GIL or on a socket are asleep and never count.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from simulator.calibrate.sampling import sampling

SAMPLE_EVERY_S = 0.01


def runnable_threads(thread_ids: list[int]) -> int:
    """How many of the threads are in state R now (a thread gone meanwhile does not count)."""
    count = 0
    for tid in thread_ids:
        try:
            text = Path(f"/proc/{tid}/stat").read_text()
        except OSError:
            continue
        if text[text.rindex(")") + 2 : text.rindex(")") + 3] == "R":
            count += 1
    return count


def sampling_runnable(
    threads_of_container: Callable[[], list[int]], every_s: float = SAMPLE_EVERY_S
) -> contextlib.AbstractContextManager[list[int]]:
    """Sample the container's runnable threads in a background thread while the body runs; the list
    yielded fills with the counts."""
    return sampling(lambda: runnable_threads(threads_of_container()), every_s)


def effective_parallelism(samples: list[int]) -> float | None:
    """Mean runnable threads over the samples in which the server was working (None without any)."""
    working = [count for count in samples if count > 0]
    return sum(working) / len(working) if working else None


def worker_slots(parallelism: float | None, vcpus: int) -> int:
    """The profile's slots: the measured parallelism rounded (one per vCPU when nothing was measured)."""
    if parallelism is None:
        return vcpus
    return max(1, round(parallelism))
