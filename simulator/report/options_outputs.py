"""Write an options scenario's output directory: summary.json, plots, report.html, the resolved scenario."""

from __future__ import annotations

from pathlib import Path

from simulator.options import OptionsResult, options_rows, verdict
from simulator.options.batching import BatchingSweep
from simulator.options.options_summary import OptionsSummary
from simulator.report.batching import plot_batching_curves
from simulator.report.figures import subplots
from simulator.report.html import Document, Section, Table, Text, images, render, resolved_section
from simulator.report.plots import save_png
from simulator.report.serving import stage_table
from simulator.report.staging import run_directory
from simulator.scenario.kinds import OptionsScenario


def _plot_options(summary: OptionsSummary, path: Path) -> Path:
    """Cost per 1M inferences against the SLO percentile, the SLO drawn as a line."""
    percentile = summary.slo.percentile
    fig, ax = subplots(figsize=(8, 4.5))
    for name, row in summary.options.items():
        cost, latency = row.usd_per_million_inferences.mean, row.latency_ms.mean
        if cost is None or latency is None:
            continue
        ax.scatter(cost, latency, s=60, color="tab:green" if row.meets_slo else "tab:red")
        ax.annotate(name, (cost, latency), textcoords="offset points", xytext=(6, 4))
    ax.axhline(summary.slo.latency_ms, color="grey", linestyle="--", label="SLO")
    ax.margins(x=0.15, y=0.15)  # room for the names written right of and above the points
    ax.set_xlabel("USD per 1M inferences")
    ax.set_ylabel(f"{percentile} latency (ms)")
    ax.set_yscale("log")
    ax.set_title("options at the same traffic (green: meets the SLO)")
    ax.legend()
    return save_png(fig, path, dpi=100)


def write_options_outputs(
    scenario: OptionsScenario, result: OptionsResult, out_dir: Path, batching: BatchingSweep | None = None
) -> None:
    """Everything into a staging directory first, then moved into place (nothing is simulated here)."""
    summary = result.summary
    with run_directory(out_dir, scenario, summary.as_dict()) as (staging, resolved):
        plots = [_plot_options(summary, staging / "plots" / "options.png")]
        if batching is not None:  # its curves and their p99 vs throughput plot
            batching.curves.to_csv(staging / "batching_curves.csv", index=False)
            title = f"dynamic batching on {batching.instance_type} ({batching.variant}): p99 vs throughput"
            path = staging / "plots" / "batching_p99_vs_throughput.png"
            plots.append(plot_batching_curves(batching.curves, path, title))
        header, rows = options_rows(summary)
        intro = [Text(verdict(summary)), *(Text(note, note=True) for note in summary.notes or [])]
        sections = [Section("Options", [Table(header, rows)]), Section("Figures", images(plots))]
        for name, first in result.first_summaries.items():
            pipeline = first.variants[name].pipeline
            if pipeline:
                stages = [(stage, block.latency_ms) for stage, block in pipeline.containers.items()]
                table = stage_table(stages, ("mean", "p99"))
                sections.append(Section(f"{name}: latency per stage (replication 1)", [table]))
        sections.append(resolved_section(resolved))
        (staging / "report.html").write_text(render(Document(scenario.name, scenario.name, intro, sections)))
