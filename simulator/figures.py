"""Figures without pyplot: drawing never switches the backend of a notebook or script that imports us.

`subplots` is `pyplot.subplots` on a bare `Figure`, which renders with the Agg canvas when saved and
is never registered with pyplot, so there is nothing to close and no global state. Figures use the
constrained layout unless told otherwise: it keeps titles, tick labels and legends placed outside the
axes from overlapping or being cut off, which tight_layout does not guarantee.
"""

from __future__ import annotations

from typing import Any

from matplotlib.figure import Figure

_FIGURE_KEYWORDS = ("figsize", "dpi", "layout", "constrained_layout", "tight_layout")


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A new Figure and its axes, with pyplot.subplots' arguments (figure keywords go to the Figure)."""
    options = {key: kwargs.pop(key) for key in _FIGURE_KEYWORDS if key in kwargs}
    if not {"layout", "constrained_layout", "tight_layout"} & options.keys():
        options["layout"] = "constrained"
    figure = Figure(**options)
    return figure, figure.subplots(nrows, ncols, **kwargs)
