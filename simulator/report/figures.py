"""Figures without pyplot: drawing never switches the backend of a notebook or script that imports us.

`subplots` is `pyplot.subplots` on a bare `Figure`, which renders with the Agg canvas when saved and
is never registered with pyplot, so there is nothing to close and no global state. Figures use the
constrained layout: it keeps titles, tick labels and legends placed outside the axes from overlapping
or being cut off, which tight_layout does not guarantee.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure


def subplots(
    nrows: int = 1, ncols: int = 1, *, figsize: tuple[float, float], **kwargs: Any
) -> tuple[Figure, Any]:
    """A new Figure of `figsize` and its axes, with pyplot.subplots' other arguments."""
    figure = Figure(figsize=figsize, layout="constrained")
    return figure, figure.subplots(nrows, ncols, **kwargs)
