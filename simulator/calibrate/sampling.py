"""Reading something about the container at a steady pace while a load runs, from a thread of its
own: how many of its threads are runnable (`parallelism`), how much CPU it has used (`measure`)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def sampling(
    read: Callable[[], T], every_s: float, *, cpus: tuple[int, ...] | None = None, at_edges: bool = False
) -> Iterator[list[T]]:
    """Call `read` every `every_s` seconds while the body runs; the list yielded fills with what it
    returns. `cpus` pins the sampling thread (only it) there, off the instance's cores; `at_edges`
    reads once more as the body starts and as it ends, so that differences cover all of it."""
    samples: list[T] = []
    stop = threading.Event()

    def run() -> None:
        if cpus is not None:
            os.sched_setaffinity(0, set(cpus))  # 0: the calling thread, not the process
        if at_edges:
            samples.append(read())
        while not stop.wait(every_s):
            samples.append(read())
        if at_edges:
            samples.append(read())

    worker = threading.Thread(target=run, daemon=True, name="container-sampler")
    worker.start()
    try:
        yield samples
    finally:
        stop.set()
        worker.join()
