"""Write a training scenario's output directory: summary.json, runs.csv, CDF plots, report.html."""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from simulator.report.html import Document, Section, Table, Text, images, render, resolved_section
from simulator.report.staging import run_directory
from simulator.report.training_plots import plot_training
from simulator.scenario.kinds import TrainingScenario
from simulator.training import TrainingRun
from simulator.training.formulas import young_breakdown, young_table
from simulator.training_analysis.training_summary import Spread, TrainingSummary
from simulator.wording import replications_text

HEADLINE: list[tuple[str, str, str]] = [
    ("completion time h", "completion_time_s", "h"),
    ("training time h (TrainingTimeInSeconds)", "training_time_s", "h"),
    ("billable time h (BillableTimeInSeconds)", "billable_time_s", "h"),
    ("savings %", "savings_pct", ""),
    ("cost USD", "cost_usd", ""),
    ("interruptions", "interruptions", ""),
]


def training_rows(summary: TrainingSummary) -> tuple[list[str], list[list[str]]]:
    """Spot (mean [95% CI], p90) beside the same job on demand; an on-demand job's own figures are
    headed as such, without the spot-only rows (savings, MaxWait)."""
    spot_job = summary.spot
    header = ["figure", "spot: mean [95% CI]" if spot_job else "this job: mean [95% CI]", "p90", "on demand"]
    rows = []
    for label, name, unit in HEADLINE:
        if not spot_job and name == "savings_pct":
            continue
        spot: Spread = getattr(summary, name)
        scale = 3600.0 if unit == "h" else 1.0
        values = (spot.mean, spot.ci95_low, spot.ci95_high, spot.p90, getattr(summary.on_demand, name))
        mean, low, high, p90, on_demand = (f"{value / scale:,.3f}" for value in values)
        rows.append([label, f"{mean} [{low}, {high}]", p90, on_demand])
    if spot_job:
        rows.append(["MaxWait exceeded (fraction)", f"{summary.max_wait_exceeded_fraction:.3f}", "", ""])
    rows.append(["MaxRuntime exceeded (fraction)", f"{summary.max_runtime_exceeded_fraction:.3f}", "", ""])
    return header, rows


def young_section(scenario: TrainingScenario, summary: TrainingSummary) -> list[Section]:
    """Where Young's sqrt(2 delta M) stops being good enough, for this job's checkpoint cost."""
    checkpoint = scenario.training_job.checkpoint
    if checkpoint is None:
        return []
    delta = checkpoint.write_seconds()
    if delta <= 0:
        return []
    header = ["MTBF / delta", "Young s", "Daly s", "optimum s", "Young off optimum %", "extra time %"]
    formats = ("{:g}", "{:.0f}", "{:.0f}", "{:.0f}", "{:+.1f}", "{:.2f}")  # young_table's columns, in order
    rows = [
        [f.format(value) for f, value in zip(formats, row.values(), strict=True)]
        for row in young_table(delta)
    ]
    note = young_breakdown(delta, summary.job_mtbf_s or math.inf)
    return [Section("Checkpoint interval: Young vs Daly", [Text(note), Table(header, rows)])]


def write_training_outputs(
    scenario: TrainingScenario, runs: list[TrainingRun], summary: TrainingSummary, out_dir: Path
) -> None:
    """Everything for a training scenario, written to a staging directory and moved in at the end."""
    with run_directory(out_dir, scenario, summary.as_dict()) as (staging, resolved):
        rows = [{k: v for k, v in asdict(run).items() if not isinstance(v, list | tuple)} for run in runs]
        pd.DataFrame(rows).to_csv(staging / "runs.csv", index=False)
        plots = plot_training(runs, scenario.training_job, staging / "plots")
        header, table_rows = training_rows(summary)
        intro = [Text(f"{replications_text(len(runs))}; means with 95% confidence intervals.", note=True)]
        sections = [
            Section("Summary", [Table(header, table_rows)]),
            Section("Figures", images(plots)),
            *young_section(scenario, summary),
            resolved_section(resolved),
        ]
        (staging / "report.html").write_text(render(Document(scenario.name, scenario.name, intro, sections)))
