"""Figures of a run from its per-period series: latency, throughput, instances, cost."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter

from simulator.report.drawing import draw_side_by_side
from simulator.report.figures import subplots


def _minutes(frame: pd.DataFrame) -> pd.Series:
    return frame["time_s"] / 60.0


def save_png(figure: Figure, path: Path, dpi: int = 110) -> Path:
    """Write a figure where a report links it, making its folder first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=dpi)
    return path


def _shade_warmup(axis: Axes, warmup_s: float) -> None:
    if warmup_s > 0:
        axis.axvspan(0, warmup_s / 60.0, color="0.9", label="warm-up (excluded)")


def _timeline(warmup_s: float) -> tuple[Figure, Axes]:
    """One 9x4 panel over time, the warm-up shaded."""
    figure, axis = subplots(figsize=(9, 4))
    _shade_warmup(axis, warmup_s)
    return figure, axis


def _readable_flat_range(axis: Axes) -> None:
    """A linear axis whose data barely vary (a deterministic p99 at 10 ms, float noise apart) gets a
    +-5% range and no offset: matplotlib drew ticks like "1e-11+1e1" for it."""
    if axis.get_yscale() != "linear" or not axis.has_data():
        return
    low, high = axis.dataLim.intervaly
    if math.isfinite(low) and math.isfinite(high) and high - low < 1e-6 * max(abs(high), abs(low), 1e-12):
        pad = max(abs(high), abs(low)) * 0.05 or 1.0
        axis.set_ylim(low - pad, high + pad)
    formatter = axis.yaxis.get_major_formatter()
    if isinstance(formatter, ScalarFormatter):
        formatter.set_useOffset(False)


def log_if_wide(axis: Axes) -> None:
    """A log y scale when the data span a decade or more; within one, log ticks repeat one label
    ("10^1" six times) and a linear scale reads better."""
    low, high = axis.dataLim.intervaly
    if low > 0 and high / low >= 10:
        axis.set_yscale("log")


def grid_legend_save(figure: Figure, axes: list[Axes], path: Path, loc: str | None = None) -> Path:
    """Light grid and small legend (at `loc`; None: matplotlib's choice) on every panel, then `save_png`."""
    for axis in axes:
        axis.grid(alpha=0.3)
        _readable_flat_range(axis)
        if axis.get_legend_handles_labels()[0]:  # an empty panel (no instances on serverless) has none
            axis.legend(fontsize=8, loc=loc)
    return save_png(figure, path)


def plot_latency(metrics: pd.DataFrame, warmup_s: float, path: Path) -> Path:
    figure, axis = _timeline(warmup_s)
    for name, frame in metrics.groupby("variant", sort=False):
        line = axis.plot(_minutes(frame), frame["ModelLatency_p99"] / 1000.0, label=f"{name} p99")[0]
        axis.plot(
            _minutes(frame),
            frame["ModelLatency_p50"] / 1000.0,
            "--",
            color=line.get_color(),
            label=f"{name} p50",
        )
    axis.set(xlabel="time (min)", ylabel="model latency (ms)", title="Latency percentiles per minute")
    return grid_legend_save(figure, [axis], path)


def plot_throughput(metrics: pd.DataFrame, period_s: float, warmup_s: float, path: Path) -> Path:
    figure, axis = _timeline(warmup_s)
    for name, frame in metrics.groupby("variant", sort=False):
        axis.plot(_minutes(frame), frame["Invocations"] / period_s, label=f"{name} invocations/s")
        errors = (frame["Invocation4XXErrors"] + frame["Invocation5XXErrors"]) / period_s
        if errors.any():
            axis.plot(_minutes(frame), errors, ":", label=f"{name} errors/s")
    axis.set(xlabel="time (min)", ylabel="requests per second", title="Throughput per variant")
    return grid_legend_save(figure, [axis], path)


def plot_instances(metrics: pd.DataFrame, warmup_s: float, path: Path) -> Path:
    figure, axes = subplots(2, 1, figsize=(9, 5), sharex=True)
    drawn = 0
    for name, frame in metrics.groupby("variant", sort=False):
        utilisation = frame.get("CPUUtilization", frame.get("GPUUtilization"))
        if not frame["InServiceInstances"].any() and (utilisation is None or not utilisation.fillna(0).any()):
            continue  # a serverless variant: no instances to draw
        drawn += 1
        axes[0].step(_minutes(frame), frame["InServiceInstances"], where="post", label=name)
        if utilisation is not None:
            axes[1].plot(_minutes(frame), utilisation, label=name)
    if not drawn:
        axes[0].text(
            0.5, 0.5, "no instances: serverless variants only", ha="center", transform=axes[0].transAxes
        )
    _shade_warmup(axes[0], warmup_s)
    axes[0].set(ylabel="InService instances", title="Capacity and utilisation")
    axes[1].set(xlabel="time (min)", ylabel="utilisation (% x cores)")
    return grid_legend_save(figure, list(axes), path)


def plot_cost(metrics: pd.DataFrame, warmup_s: float, path: Path) -> Path:
    """Cost summed from the end of the warm-up, as the summary's total is (the shaded warm-up is
    excluded from both): the curves end at the summary's figures."""
    figure, axis = _timeline(warmup_s)
    measured = metrics[metrics["time_s"] >= warmup_s]
    for name, frame in measured.groupby("variant", sort=False):
        axis.plot(_minutes(frame), frame["cost_usd"].cumsum(), label=name)
    total = measured.groupby("time_s")["cost_usd"].sum().cumsum()
    axis.plot(total.index / 60.0, total.to_numpy(), "k--", label="endpoint")
    axis.set(xlabel="time (min)", ylabel="cumulative cost (USD)", title="Instance cost")
    return grid_legend_save(figure, [axis], path)


def endpoint_plots(metrics: pd.DataFrame, period_s: float, warmup_s: float, directory: Path) -> list[Path]:
    """All endpoint figures into `directory`; returns their paths."""
    return draw_side_by_side(
        [
            (plot_latency, (metrics, warmup_s, directory / "latency.png")),
            (plot_throughput, (metrics, period_s, warmup_s, directory / "throughput.png")),
            (plot_instances, (metrics, warmup_s, directory / "instances.png")),
            (plot_cost, (metrics, warmup_s, directory / "cost.png")),
        ]
    )
