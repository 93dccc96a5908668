"""The local process pool: results in input order; inside `with`, one pool serves every map."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading

from simulator.execution.executors import LocalPoolExecutor, _start_method


def _pid(_: int) -> int:
    return os.getpid()


def _square(value: int) -> int:
    return value * value


def test_results_come_in_input_order() -> None:
    assert LocalPoolExecutor(2).map(_square, range(12)) == [v * v for v in range(12)]


def test_inside_with_the_first_maps_workers_serve_the_next_and_stop_at_the_end() -> None:
    executor = LocalPoolExecutor(2)
    with executor:
        first = set(executor.map(_pid, range(8)))
        second = set(executor.map(_pid, range(8)))
        assert executor._pool is not None
    assert first & second and os.getpid() not in first
    assert executor._pool is None


def test_without_with_each_map_has_its_own_workers() -> None:
    executor = LocalPoolExecutor(2)
    first = set(executor.map(_pid, range(8)))
    second = set(executor.map(_pid, range(8)))
    assert not first & second and executor._pool is None


def test_workers_are_forked_only_while_no_other_thread_runs() -> None:
    """A fork copies locks held by other threads (a live progress bar's, say) into a child that could
    never take them: fork in a single-threaded process, spawn as soon as another thread runs."""
    probe = "from simulator.execution.executors import _start_method; print(_start_method()._name)"
    single = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    )
    assert single.stdout.strip() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _start_method()._name == "spawn"
    finally:
        stop.set()
        other.join()


def test_the_progress_bar_on_a_terminal_starts_no_thread() -> None:
    """So a command showing it still forks its workers (see the test above)."""
    from rich.console import Console

    from simulator.cli_options import progress_bar

    before = threading.active_count()
    with progress_bar(Console(force_terminal=True, file=io.StringIO())) as progress:
        task = progress.add_task("search", total=2)
        progress.update(task, completed=1, refresh=True)
        assert threading.active_count() == before
