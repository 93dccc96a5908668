"""Figures of a recommender job: throughput-latency curves per candidate and the cost/latency Pareto front."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib import colormaps

from simulator.recommend.ranking import pareto_front
from simulator.report.figures import subplots
from simulator.report.plots import save_png
from simulator.scenario.recommend_spec import LatencyThreshold


def plot_curves(rows: list[dict[str, Any]], slo: LatencyThreshold, path: Path) -> Path:
    """ModelLatency percentile against throughput, one line per candidate, the threshold dashed."""
    figure, axis = subplots(figsize=(12, 6))
    names = list(dict.fromkeys(row["candidate"] for row in rows))
    colours = colormaps["tab20"]
    latency = f"{slo.key}_ms"  # the curve column of the SLO's percentile
    for number, name in enumerate(names):
        mine = [r for r in rows if r["candidate"] == name and r[latency] is not None]
        mine.sort(key=lambda r: r["invocations_per_minute"])
        axis.plot(
            [r["invocations_per_minute"] for r in mine],
            [r[latency] for r in mine],
            marker="o",
            markersize=3,
            linewidth=1,
            color=colours(number % 20),
            linestyle=("-", "--", ":")[number // 20 % 3],  # past 20 candidates the colours repeat
            label=name,
        )
    axis.axhline(slo.value * 1000.0, color="red", linestyle="--", label=f"{slo.percentile} threshold")
    measured = [r for r in rows if r[latency] is not None and r["invocations_per_minute"] > 0]
    if not measured:
        _nothing_measured(axis, "no load level was measured")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("throughput (invocations per minute, log)")
    axis.set_ylabel(f"{slo.percentile} ModelLatency (ms, log)")
    axis.set_title("Throughput vs latency per candidate")
    # beside the axes: inside, a legend of many candidates hides the curves it names
    axis.legend(fontsize=7, ncol=1 + len(names) // 24, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axis.grid(True, which="both", alpha=0.3)
    return save_png(figure, path)


def plot_pareto(rows: list[dict[str, Any]], path: Path) -> Path:
    """Every measured point as (USD per 1M inferences, p99); the non-dominated ones joined.

    The front's points are coloured by candidate and named in the legend: labels written beside
    the points collide where several candidates sit close together on the front."""
    points = [
        (r["cost_per_inference"] * 1e6, r["p99_ms"], r["candidate"])
        for r in rows
        if r["cost_per_inference"] is not None and r["p99_ms"] is not None and r["error_rate"] < 0.01
    ]
    figure, axis = subplots(figsize=(12, 6))
    axis.scatter(
        [p[0] for p in points], [p[1] for p in points], s=12, color="0.6", label="measured load levels"
    )
    front = pareto_front(points)
    axis.plot([p[0] for p in front], [p[1] for p in front], color="0.25", linewidth=1, label="Pareto front")
    colours = colormaps["tab10"]
    for number, name in enumerate(dict.fromkeys(p[2] for p in front)):
        mine = [p for p in front if p[2] == name]
        axis.scatter([p[0] for p in mine], [p[1] for p in mine], s=40, color=colours(number % 10), label=name)
    if not points:
        _nothing_measured(axis, "no load level served with under 1% errors")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("USD per 1M inferences (log)")
    axis.set_ylabel("p99 ModelLatency (ms, log)")
    axis.set_title("Cost per inference vs p99 latency (lower-left is better)")
    axis.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axis.grid(True, which="both", alpha=0.3)
    return save_png(figure, path)


def _nothing_measured(axis: Any, why: str) -> None:
    """Say so in the middle of an empty figure; the fixed limits let its log axes draw without data."""
    axis.set_xlim(1, 10)
    axis.set_ylim(1, 10)
    axis.text(0.5, 0.5, why, transform=axis.transAxes, ha="center", va="center", fontsize=12)


def plot_fleet(fleet: list[dict[str, Any]], path: Path) -> Path:
    """Cost per day of each sized fleet, autoscaled vs static, with 95% CIs."""
    figure, axis = subplots(figsize=(8, 4.5))
    names = [item["candidate"] for item in fleet]
    for offset, kind, colour in ((-0.2, "autoscaled", "C0"), (0.2, "static", "C7")):
        figures = [item[kind]["cost_per_day_usd"] for item in fleet]
        means = [f["mean"] for f in figures]
        errors = [(f["ci95_high"] - f["mean"]) if f["ci95_high"] is not None else 0.0 for f in figures]
        axis.bar(
            [i + offset for i in range(len(names))], means, width=0.4, yerr=errors, color=colour, label=kind
        )
    axis.set_xticks(range(len(names)), names)
    if len(names) > 4:  # long instance type names side by side overlap
        axis.tick_params(axis="x", labelrotation=30)
        for label in axis.get_xticklabels():
            label.set_horizontalalignment("right")
    axis.set_ylabel("cost per day (USD)")
    axis.set_title("Sized fleets on the expected traffic")
    axis.legend()
    return save_png(figure, path)
