"""Where many independent runs go. Every executor returns results in input order, so the outcome
never depends on which executor or how many workers ran it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Protocol

Done = Callable[[int], None]


class Executor(Protocol):
    def map(
        self, function: Callable[[Any], Any], items: Iterable[Any], on_done: Done | None = None
    ) -> list[Any]:
        """`[function(item) for item in items]`, in order; `on_done(count)` after each finishes."""
        ...


class SerialExecutor:
    """In this process, one after another (debugging, notebooks, tiny jobs)."""

    def map(
        self, function: Callable[[Any], Any], items: Iterable[Any], on_done: Done | None = None
    ) -> list[Any]:
        results = []
        for count, item in enumerate(items, start=1):
            results.append(function(item))
            if on_done:
                on_done(count)
        return results


class LocalPoolExecutor:
    """A process pool on this machine (default: all cores)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def map(
        self, function: Callable[[Any], Any], items: Iterable[Any], on_done: Done | None = None
    ) -> list[Any]:
        work = list(items)
        if len(work) <= 1 or self.workers == 1:
            return SerialExecutor().map(function, work, on_done)
        results: list[Any] = [None] * len(work)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(self.workers, len(work)), mp_context=context) as pool:
            futures = {pool.submit(function, item): index for index, item in enumerate(work)}
            for count, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if on_done:
                    on_done(count)
        return results


def make_executor(name: str, workers: int | None = None) -> Executor:
    """'local' (process pool) or 'serial'."""
    if name == "serial":
        return SerialExecutor()
    if name == "local":
        return LocalPoolExecutor(workers)
    raise ValueError(f"unknown executor {name!r} (choose local or serial)")
