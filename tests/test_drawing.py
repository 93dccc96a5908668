"""draw_side_by_side: figures drawn in forked processes where that is safe, serially where a thread
runs, the same files and paths in the same order either way."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from simulator.report.drawing import draw_side_by_side
from simulator.report.recommend_plots import plot_pareto

ROWS = [
    {"cost_per_inference": c, "p99_ms": p, "candidate": n, "error_rate": 0.0}
    for c, p, n in ((2e-6, 40.0, "ml.c5.large"), (1e-6, 90.0, "ml.c5.xlarge"), (3e-6, 30.0, "ml.m5.large"))
]


def _pid_file(path: Path) -> Path:
    path.write_text(str(os.getpid()))
    return path


def _pids(tmp_path: Path) -> list[int]:
    paths = draw_side_by_side([(_pid_file, (tmp_path / f"{n}.txt",)) for n in range(3)])
    assert paths == [tmp_path / f"{n}.txt" for n in range(3)]
    return [int(path.read_text()) for path in paths]


@pytest.mark.skipif(os.cpu_count() == 1, reason="one core draws serially")
def test_figures_are_drawn_in_other_processes_when_forking_is_safe() -> None:
    """In a fresh interpreter (one thread; a test worker may run others)."""
    program = (
        "import os\n"
        "from simulator.report.drawing import draw_side_by_side\n"
        "pids = draw_side_by_side([(os.getpid, ())] * 3)\n"
        "print(len(pids), os.getpid() in pids)"
    )
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["3", "False"], done.stderr


def test_a_running_thread_keeps_drawing_in_this_process(tmp_path: Path) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert set(_pids(tmp_path)) == {os.getpid()}
    finally:
        stop.set()
        thread.join()


def test_side_by_side_writes_the_same_png_as_drawing_here(tmp_path: Path) -> None:
    [parallel, _] = draw_side_by_side(
        [(plot_pareto, (ROWS, tmp_path / "a.png")), (plot_pareto, (ROWS, tmp_path / "b.png"))]
    )
    serial = plot_pareto(ROWS, tmp_path / "c.png")
    assert parallel.read_bytes() == serial.read_bytes()
