"""Write a batch transform scenario's output directory: summary.json, report.html, the resolved scenario."""

from __future__ import annotations

from pathlib import Path

from simulator.metrics.parts import Interval
from simulator.report.figures import subplots
from simulator.report.html import Document, Image, Section, Table, render, resolved_section
from simulator.report.plots import save_png
from simulator.report.staging import run_directory
from simulator.scenario.kinds import TransformScenario
from simulator.training_analysis.transform_summary import TransformSummary

HEADLINE: list[tuple[str, str, str]] = [
    ("records", "records", "{:,.0f}"),
    ("records per invocation", "records_per_invocation", "{:,.0f}"),
    ("invocations", "invocations", "{:,.0f}"),
    ("job duration s", "duration_s", "{:,.1f}"),
    ("throughput records/s", "throughput_records_per_s", "{:,.1f}"),
    ("cost USD", "cost_usd", "{:,.4f}"),
    ("USD per 1M records", "usd_per_million_records", "{:,.4f}"),
]


def transform_rows(summary: TransformSummary) -> tuple[list[str], list[list[str]]]:
    """Headline figures (with 95% CIs when replicated) and each instance's utilisation."""
    job, ci = summary.batch_transform, summary.replications
    rows = []
    for label, name, pattern in HEADLINE:
        cell = pattern.format(getattr(job, name))
        interval: Interval | None = None if ci is None else getattr(ci, name)
        if interval is not None and interval.ci95_low != interval.ci95_high:
            cell += f" [{pattern.format(interval.ci95_low)}, {pattern.format(interval.ci95_high)}]"
        rows.append([label, cell])
    for name, use in job.instances.items():
        shares = f"{use.utilisation:.1%} / {use.processing_utilisation:.1%}"
        rows.append([f"{name} utilisation (billed / processing)", shares])
    return ["figure", "value (95% CI)"], rows


def _plot_utilisation(summary: TransformSummary, path: Path) -> Path:
    instances = summary.batch_transform.instances
    fig, ax = subplots(figsize=(7, 3.5))
    names = list(instances)
    positions = range(len(names))
    billed = [instances[n].utilisation * 100 for n in names]
    processing = [instances[n].processing_utilisation * 100 for n in names]
    ax.bar([p - 0.2 for p in positions], billed, width=0.4, label="of billed time (start-up included)")
    ax.bar([p + 0.2 for p in positions], processing, width=0.4, label="while processing")
    ax.set_xticks(list(positions), names)
    fig.legend(loc="outside lower center", ncol=2, fontsize=8)  # below the axes: the bars reach 100%
    ax.set_ylabel("device utilisation %")
    ax.set_ylim(0, 100)
    ax.set_title("batch transform: device utilisation per instance")
    return save_png(fig, path, dpi=100)


def write_transform_outputs(scenario: TransformScenario, summary: TransformSummary, out_dir: Path) -> None:
    """Everything into a staging directory first, then moved into place."""
    with run_directory(out_dir, scenario, summary.as_dict()) as (staging, resolved):
        plot = _plot_utilisation(summary, staging / "plots" / "utilisation.png")
        header, rows = transform_rows(summary)
        sections = [
            Section("Batch transform", [Table(header, rows), Image.of(plot)]),
            resolved_section(resolved),
        ]
        (staging / "report.html").write_text(render(Document(scenario.name, scenario.name, (), sections)))
