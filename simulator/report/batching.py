"""Draw the dynamic batching trade-off that `simulator.options.batching` measured."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps

from simulator.report.figures import subplots
from simulator.report.plots import save_png


def plot_batching_curves(frame: pd.DataFrame, path: Path, title: str) -> Path:
    """One line per max batch size: p99 latency (log scale) against achieved throughput.

    Only sustained points are drawn; past saturation the backlog makes arrival-window figures meaningless.
    """
    fig, ax = subplots(figsize=(8, 5))
    colours = colormaps["viridis"](np.linspace(0, 0.9, frame["max_batch_size"].nunique()))
    for colour, (size, group) in zip(colours, frame.groupby("max_batch_size"), strict=True):
        ok = group[
            (group["error_rate"] < 0.01) & (group["throughput_per_s"] >= 0.95 * group["offered_per_s"])
        ]
        ax.plot(ok["throughput_per_s"], ok["p99_ms"], "o-", color=colour, label=f"max batch {size}")
    ax.set_xlabel("throughput (requests/s; sustained points: >= 95% of offered load, errors < 1%)")
    ax.set_ylabel("p99 latency (ms)")
    ax.set_yscale("log")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return save_png(fig, path, dpi=100)
