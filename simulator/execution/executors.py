"""Where many independent runs go. Every executor returns results in input order, so the outcome
never depends on which executor or how many workers ran it.

`on_result(index, result)` sees each result as soon as it is ready (in completion order), so a
caller can save finished work before a long job ends or is interrupted.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

from simulator.core.allocator import keep_freed_memory

Done = Callable[[int], None]
ResultHook = Callable[[int, Any], None]
Finished = Generator[tuple[int, Any], None, None]
"""(input index, result) of each item, in the order they finish."""


class Executor(Protocol):
    def map(
        self,
        function: Callable[[Any], Any],
        items: Iterable[Any],
        on_done: Done | None = None,
        on_result: ResultHook | None = None,
    ) -> list[Any]:
        """`[function(item) for item in items]`, in order; `on_done(count)` after each finishes."""
        work = list(items)
        results: list[Any] = [None] * len(work)
        finished = self._finished(function, work)
        try:  # a hook that raises closes `finished` at once: an executor stops its workers then
            for count, (index, result) in enumerate(finished, start=1):
                results[index] = result
                if on_result:
                    on_result(index, result)
                if on_done:
                    on_done(count)
        finally:
            finished.close()
        return results

    def _finished(self, function: Callable[[Any], Any], work: list[Any]) -> Finished: ...


class SerialExecutor(Executor):
    """In this process, one after another (debugging, notebooks, tiny jobs)."""

    def _finished(self, function: Callable[[Any], Any], work: list[Any]) -> Finished:
        for index, item in enumerate(work):
            yield index, function(item)


PARENT_CHECK_SECONDS = 0.5


def _worker_setup(parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which stops them and keeps what has finished; and they
    exit on their own when the parent dies without a chance to stop them (SIGKILL, OOM killer),
    instead of waiting forever on a task queue nobody feeds. Freed memory is kept for the next task
    (core/allocator.py), as the CLI keeps it."""
    keep_freed_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the CLI's SIGTERM handler
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # the parent is gone: nobody can receive this worker's results


def fork_is_safe() -> bool:
    """Linux, and this process runs no other thread: a thread (e.g. a live progress bar) may hold a
    lock at the fork that the child could never take."""
    return sys.platform == "linux" and threading.active_count() == 1


def _start_method() -> multiprocessing.context.BaseContext:
    """fork where it is safe, so workers start with the simulator already imported (a recommender job
    on 2 cores ends about 1 s sooner); spawn otherwise."""
    return multiprocessing.get_context("fork" if fork_is_safe() else "spawn")


class LocalPoolExecutor(Executor):
    """A process pool on this machine (default: all cores).

    Each `map` starts its own pool and stops it; inside `with executor:` the first `map`'s pool serves
    every later one too, so a job of several stages pays for starting workers (a Python process that
    imports the simulator each) once.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._kept = False
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalPoolExecutor:
        self._kept = True
        return self

    def __exit__(self, *exc: object) -> None:
        self._kept = False
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    def _finished(self, function: Callable[[Any], Any], work: list[Any]) -> Finished:
        if len(work) <= 1 or self.workers == 1:
            yield from SerialExecutor()._finished(function, work)
            return
        pool = self._pool
        if pool is None:
            pool = ProcessPoolExecutor(
                max_workers=self.workers if self._kept else min(self.workers, len(work)),
                mp_context=_start_method(),
                initializer=_worker_setup,
                initargs=(os.getpid(),),
            )
        try:
            futures = {pool.submit(function, item): index for index, item in enumerate(work)}
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            self._pool = None
            workers = list(getattr(pool, "_processes", {}).values())  # ours: stop them, not wait
            pool.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.terminate()
            raise
        if self._kept:
            self._pool = pool
        else:
            pool.shutdown()
