"""CDF plots of a training job's replications, with the on-demand job and the limits marked.

Figures are built with matplotlib's object API (`Figure`, rendered by the Agg canvas on save), so
importing this module never switches the process-wide pyplot backend.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from simulator.report.figures import subplots
from simulator.report.plots import grid_legend_save
from simulator.scenario.training_spec import TrainingJobSpec
from simulator.training.accounting import TrainingRun
from simulator.training.formulas import on_demand_seconds
from simulator.wording import replications_text

_COLOURS = {
    "Starting": "#9e9e9e",
    "Downloading": "#64b5f6",
    "Training": "#43a047",
    "Uploading": "#7e57c2",
    "Interrupted": "#e53935",
}


def _ecdf(values: np.ndarray, label: str) -> tuple[Figure, Axes]:
    """A new figure with the empirical CDF of `values`."""
    fig, ax = subplots(figsize=(7, 4.2))
    data = np.sort(values)
    ax.step(data, np.arange(1, data.size + 1) / data.size, where="post", label=label, color="#1e88e5")
    return fig, ax


def plot_training(runs: list[TrainingRun], spec: TrainingJobSpec, out_dir: Path) -> list[Path]:
    """Write completion-time and cost CDFs (spot vs on-demand) and one replication's status timeline."""
    out_dir.mkdir(parents=True, exist_ok=True)
    on_demand_h = on_demand_seconds(spec) / 3600
    label = "spot" if spec.spot_enabled else "on-demand"
    paths = []

    completion_h = [r.completion_time_s / 3600 for r in runs]
    fig, ax = _ecdf(np.array(completion_h), f"{label} ({replications_text(len(runs))})")
    ax.axvline(on_demand_h, color="#424242", linestyle="--", label=f"on-demand {on_demand_h:.1f} h")
    right = 1.08 * max([*completion_h, on_demand_h, (spec.deadline or 0) / 3600])
    limit = spec.effective_max_wait() / 3600
    if math.isfinite(limit):
        off_scale = " (off scale)" if limit > right else ""
        ax.axvline(limit, color="#e53935", linestyle=":", label=f"MaxWait {limit:.0f} h{off_scale}")
    if spec.deadline is not None:
        deadline_h = spec.deadline / 3600
        ax.axvline(deadline_h, color="#fb8c00", linestyle="-.", label=f"deadline {deadline_h:g} h")
    ax.set(xlabel="completion time (hours since job creation)", ylabel="P(done by)", ylim=(0, 1.02))
    ax.set_xlim(0, right)
    ax.set_title(f"Training job completion time: {spec.instance_count} x {spec.instance_type}")
    paths.append(grid_legend_save(fig, [ax], out_dir / "training_completion_cdf.png", "upper left"))

    fig, ax = _ecdf(np.array([r.cost_usd for r in runs]), f"{label} cost")
    if runs and runs[0].runtime_s > 0:
        rate = runs[0].cost_on_demand_usd / runs[0].runtime_s  # on-demand USD per cluster-second
        ax.axvline(
            rate * (on_demand_h * 3600 - spec.startup_time),
            color="#424242",
            linestyle="--",
            label="on-demand job",
        )
    ax.set(xlabel="cost (USD)", ylabel="P(cost <= x)", ylim=(0, 1.02))
    ax.set_title("Training job cost: spot vs on-demand")
    paths.append(grid_legend_save(fig, [ax], out_dir / "training_cost_cdf.png", "lower right"))

    if runs:
        paths.append(_timeline(runs[0], out_dir / "training_timeline.png"))
    return paths


def _timeline(run: TrainingRun, path: Path) -> Path:
    """Status bands over time and the progress / checkpoint lines of one replication."""
    fig, (bands, progress) = subplots(2, 1, figsize=(8, 4.2), sharex=True, height_ratios=(1, 3))
    entries = run.timeline
    for entry, nxt in itertools.pairwise(entries):
        if nxt.time_s > entry.time_s and entry.status in _COLOURS:
            bands.axvspan(entry.time_s / 3600, nxt.time_s / 3600, color=_COLOURS[entry.status], lw=0)
    bands.set_yticks([])
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in _COLOURS.values()]
    bands.legend(handles, list(_COLOURS), ncol=5, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, 1.6))
    times = [e.time_s / 3600 for e in entries]
    progress.plot(times, [e.progress_s / 3600 for e in entries], label="progress", color="#43a047")
    progress.step(
        times,
        [e.checkpoint_s / 3600 for e in entries],
        where="post",
        label="last checkpoint",
        color="#fb8c00",
    )
    progress.set(xlabel="hours since job creation", ylabel="training done (cluster hours)")
    progress.set_title(
        f"Replication 0: {run.secondary_status}, {run.interruptions} interruptions", fontsize=9
    )
    return grid_legend_save(fig, [progress], path)
