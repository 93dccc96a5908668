"""Write a run's output directory atomically (the contract: README, docs/summary.schema.json).

Everything is written into a hidden sibling directory first and moved into place only when complete,
so a failure never leaves a half-written result behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulator.execution.replications import Replicated
from simulator.report.elastic import (
    elastic_sections,
    has_elastic,
    plot_load_capacity_latency,
    stability_section,
)
from simulator.report.html import render_report
from simulator.report.plots import endpoint_plots
from simulator.report.rollout_plots import plot_timeline
from simulator.report.rollout_report import rollout_sections
from simulator.report.serving import serving_sections
from simulator.report.staging import run_directory
from simulator.rollout.outcome import RolloutOutcome


def write_endpoint_outputs(
    replicated: Replicated, out_dir: Path, rollout: RolloutOutcome | None = None
) -> dict[str, Any]:
    """summary.json, metrics.csv, scenario.resolved.yaml, plots/*.png, report.html; returns the summary."""
    result = replicated.first
    scenario = result.scenario
    summary = replicated.document()
    timing = (scenario.metrics.period, scenario.warmup)
    with run_directory(out_dir, scenario, summary) as (staging, resolved):
        result.metrics.to_csv(staging / "metrics.csv", index=False, float_format="%.6g")
        result.instances.to_csv(staging / "instances.csv", index=False)
        if not result.updates.empty:
            result.updates.to_csv(staging / "updates.csv", index=False)
        plots_dir = staging / "plots"
        plots = endpoint_plots(result.metrics, *timing, plots_dir)
        if has_elastic(result.metrics):
            plots.append(plot_load_capacity_latency(result.metrics, *timing, plots_dir / "elastic.png"))
        if result.rollout is not None:
            plots.append(plot_timeline(result, plots_dir / "rollout-timeline.png"))
        variants = scenario.endpoint.variants
        autoscaled = any(variant.autoscaling is not None for variant in variants)
        serverless = any(variant.serverless is not None for variant in variants)
        # written whenever the scenario has autoscaling (serverless variants): no row is an answer too
        for name, table, applies in (
            ("scaling", result.scaling, autoscaled),
            ("cold_starts", result.cold_starts, serverless),
        ):
            if applies or len(table):
                table.to_csv(staging / f"{name}.csv", index=False)
        combined = replicated.combined if len(replicated.summaries) > 1 else None
        report = render_report(
            scenario.name,
            result.summary,
            combined,
            len(replicated.summaries),
            plots,
            resolved,
            stability_section(result.summary, combined)
            + elastic_sections(result)
            + rollout_sections(result, rollout)
            + serving_sections(result.summary, plots_dir),
        )
        (staging / "report.html").write_text(report)
    return summary
