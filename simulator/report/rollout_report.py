"""`sagesim rollout` outputs: rollout.json, CSV tables, the timeline plot and report.html (atomically);
and the rollout section the `sagesim run` report gets for a scenario with a rollout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from simulator.engine.result import Result
from simulator.metrics.summary_types import combine
from simulator.report.html import Section, Table, Text, frame_table, render_report
from simulator.report.rollout_plots import plot_timeline
from simulator.rollout.abtest import Detection
from simulator.rollout.outcome import RolloutOutcome
from simulator.rollout.replications import INTERVAL_FIGURES, RolloutRuns, RolloutSummary
from simulator.scenario.loader import dump_resolved
from simulator.staging import staged_directory, write_json
from simulator.wording import replications_text

UNITS = {
    "alarm_s": "alarm fired (s)",
    "rollback_s": "rollback: traffic back on blue (s)",
    "green_terminated_s": "rollback complete: green terminated (s)",
    "exposure_s": "green exposure: first shift to rollback (s)",
    "green_requests": "requests sent to green",
    "hurt_requests": "requests hurt by green",
    "excess_hurt": "hurt beyond blue's baseline",
    "double_fleet_cost_usd": "cost of the double fleet (USD)",
    "total_cost_usd": "total cost (USD)",
}


def _number(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value == 0:
            return "0"  # not 0.0000: nothing hurt, nothing spent
        return f"{value:,.4f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def interval_rows(summary: RolloutSummary) -> list[list[str]]:
    """[figure, mean, 95% CI] rows of a replicated summary."""
    rows = []
    for name in INTERVAL_FIGURES:
        figure = summary.figure(name)
        low, high = figure["ci95_low"], figure["ci95_high"]
        interval = f"[{_number(low)}, {_number(high)}]" if low is not None else "-"
        rows.append([UNITS[name], _number(figure["mean"]), interval])
    return rows


def timeline_rows(result: Result) -> list[list[str]]:
    """[time, event, detail] rows of the deployment's timeline."""
    return [[f"{event['time_s']:.1f}", event["event"], event["detail"]] for event in result.rollout.events]


def rollout_sections(
    result: Result, outcome: RolloutOutcome | None, detection: Detection | None = None
) -> list[Section]:
    """Report sections for one run: the deployment timeline, the traffic steps and its figures."""
    if outcome is None:
        return []
    steps = pd.DataFrame(result.rollout.steps)
    sections = [
        Section("Rollout timeline", [Table(["time s", "event", "detail"], timeline_rows(result))]),
        Section("Traffic steps", [frame_table(steps, "{:.4g}".format)]),
        Section(
            "Rollout figures (this run)",
            [Table(["figure", "value"], [[k, _number(v)] for k, v in outcome.as_dict().items()])],
        ),
    ]
    if detection is not None:
        rows = [[key, _number(value)] for key, value in detection.as_dict().items()]
        sections.append(Section("A/B test: time to detect", [Table(["figure", "value"], rows)]))
    return sections


def rollout_document(runs: RolloutRuns, detection: Detection | None) -> dict[str, Any]:
    """rollout.json: replicated figures with CIs, every run's outcome, replication 0's timeline."""
    record = runs.first.rollout
    return {
        "scenario": runs.first.scenario.name,
        "summary": runs.summary.as_dict(),
        "runs": [outcome.as_dict() for outcome in runs.outcomes],
        "timeline": {"events": record.events, "steps": record.steps, "datapoints": record.datapoints},
        "ab_test": detection.as_dict() if detection is not None else None,
    }


def write_rollout_outputs(runs: RolloutRuns, out_dir: Path, detection: Detection | None = None) -> None:
    """rollout.json, steps.csv, datapoints.csv, plots/rollout-timeline.png, report.html (atomically)."""
    result, summary = runs.first, runs.summary
    with staged_directory(out_dir, "rollout") as staging:
        write_json(staging / "rollout.json", rollout_document(runs, detection))
        pd.DataFrame(result.rollout.steps).to_csv(staging / "steps.csv", index=False)
        pd.DataFrame(result.rollout.datapoints).to_csv(staging / "datapoints.csv", index=False)
        plot = plot_timeline(result, staging / "plots" / "rollout-timeline.png")
        replicated = (
            f"Over {replications_text(len(runs.outcomes))}: rolled back {summary.rolled_back}, "
            f"completed {summary.completed}, reached full traffic {summary.reached_full_traffic}."
        )
        sections = [
            Section(
                "Rollout over replications (mean, 95% CI)",
                [Text(replicated), Table(["figure", "mean", "95% CI"], interval_rows(summary))],
            ),
            *rollout_sections(result, runs.outcomes[0], detection),
        ]
        count = len(runs.summaries)
        report = render_report(
            f"{result.scenario.name}: rollout",
            result.summary,
            combine(runs.summaries) if count > 1 else None,
            count,
            [plot],
            dump_resolved(result.scenario),
            sections,
        )
        (staging / "report.html").write_text(report)
