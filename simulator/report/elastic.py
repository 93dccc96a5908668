"""Elastic-capacity figures and report sections: load vs capacity vs latency, scaling activities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simulator.engine.result import Result
from simulator.metrics.oscillation import OSCILLATION_FLIPS
from simulator.metrics.summary_types import Summary
from simulator.report.figures import subplots
from simulator.report.html import Block, Section, Table, Text, frame_table
from simulator.report.plots import grid_legend_save, log_if_wide
from simulator.report.tables import dig, format_figure


def has_elastic(metrics: pd.DataFrame) -> bool:
    return "DesiredInstances" in metrics.columns or "ColdStarts" in metrics.columns


def plot_load_capacity_latency(metrics: pd.DataFrame, period_s: float, warmup_s: float, path: Path) -> Path:
    """Three panels sharing time: requests/s, instances (desired and InService) or warm starts, p99."""
    figure, axes = subplots(3, 1, figsize=(9, 8), sharex=True)
    cold_starts_drawn = False
    for name, frame in metrics.groupby("variant", sort=False):
        minutes = frame["time_s"] / 60.0
        axes[0].plot(minutes, frame["Invocations"] / period_s, label=f"{name}")
        errors = (frame["Invocation4XXErrors"] + frame["Invocation5XXErrors"]) / period_s
        if errors.any():
            axes[0].plot(minutes, errors, ":", label=f"{name} errors/s")
        line = axes[1].step(minutes, frame["InServiceInstances"], where="post", label=f"{name} InService")[0]
        if "DesiredInstances" in frame and frame["DesiredInstances"].notna().any():
            axes[1].step(
                minutes,
                frame["DesiredInstances"],
                "--",
                where="post",
                color=line.get_color(),
                label=f"{name} desired",
            )
        if "ColdStarts" in frame and frame["ColdStarts"].notna().any():
            cold_starts_drawn = True
            axes[1].bar(  # each bar spans its period, from the period's start
                minutes,
                frame["ColdStarts"],
                width=period_s / 60.0,
                align="edge",
                alpha=0.4,
                label=f"{name} cold starts",
            )
        axes[2].plot(minutes, frame["ModelLatency_p99"] / 1000.0, label=f"{name} p99")
    if warmup_s > 0:
        for axis in axes:
            axis.axvspan(0, warmup_s / 60.0, color="0.9")
    axes[0].set(ylabel="requests / s", title="Load, capacity and latency")
    axes[1].set(ylabel="instances / cold starts" if cold_starts_drawn else "instances")
    axes[2].set(xlabel="time (min)", ylabel="model latency p99 (ms)")
    log_if_wide(axes[2])
    return grid_legend_save(figure, list(axes), path)


def elastic_sections(result: Result, limit: int = 200) -> list[Section]:
    """Scaling activity log and serverless figures, for the HTML report (empty for static endpoints)."""
    sections = []
    if len(result.scaling):
        shown = result.scaling.head(limit)
        more = len(result.scaling) - len(shown)
        blocks: list[Block] = [frame_table(shown)]
        if more > 0:
            blocks.append(Text(f"{more} more in scaling.csv", note=True))
        sections.append(Section("Scaling activities", blocks))
    rows = []
    for name, block in result.summary.variants.items():
        serverless = block.serverless
        if serverless:
            rows.append(
                {
                    "variant": name,
                    "memory MB": serverless.memory_mb,
                    "cold starts": serverless.cold_starts,
                    "cold-start fraction": serverless.cold_start_fraction,
                    "ModelSetupTime mean ms": serverless.model_setup_time_ms.mean,
                    "throttled": serverless.throttled,
                    "max in flight": serverless.max_in_flight,
                    "compute GB-s": serverless.billing.compute_gb_seconds,
                    "cost USD": serverless.billing.total_cost_usd,
                }
            )
    if rows:
        sections.append(Section("Serverless", [frame_table(pd.DataFrame(rows))]))
    return sections


STABILITY_ROWS: list[tuple[str, str, str]] = [
    ("scaling actions (policies, measured window)", "scaling_actions", "{:,.0f}"),
    ("direction flips", "direction_flips", "{:,.0f}"),
    ("flips per hour", "flips_per_hour", "{:,.2f}"),
    ("most flips in one hour", "max_flips_in_an_hour", "{:,.0f}"),
]


def stability_section(summary: Summary, combined: dict[str, Any] | None) -> list[Section]:
    """Scaling actions and direction flips per autoscaled variant, with the oscillation verdict."""
    names = [name for name, block in summary.variants.items() if block.autoscaling is not None]
    if not names:
        return []
    source = combined if combined is not None else summary
    figures = [dig(source, ("variants", name, "autoscaling", "oscillation")) for name in names]
    rows = []
    for label, key, pattern in STABILITY_ROWS:
        rows.append([label, *(format_figure(dig(figure, (key,)), pattern) for figure in figures)])
    verdict = ["oscillating"]
    for figure in figures:
        value = dig(figure, ("oscillating",))
        if isinstance(value, dict):  # replicated: the fraction of replications that oscillate
            verdict.append(f"{value['mean']:.0%} of replications")
        else:
            verdict.append("yes" if value else "no")
    rows.append(verdict)
    note = (
        "A flip is a policy scaling action in the opposite direction to the previous one."
        f" A variant oscillates when some hour of the measured window holds {OSCILLATION_FLIPS} or more"
        " flips (two out-in round trips); flips per hour is the average over the whole window."
    )
    return [Section("Autoscaling stability", [Table(["figure", *names], rows), Text(note, note=True)])]
