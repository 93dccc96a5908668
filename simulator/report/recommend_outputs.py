"""Writers of a recommender job: recommendations.json (the DescribeInferenceRecommendationsJob response),
recommendations-detail.json and .csv (sagesim's own figures), candidates.csv, curves.csv, plots and
report.html."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from simulator.core.stats import format_figure
from simulator.recommend.aws_response import JobIdentity, describe_job, recommendation_details
from simulator.recommend.job import JobResult
from simulator.recommend.ranking import Recommendation, curve_points
from simulator.report.drawing import Drawing, draw_side_by_side
from simulator.report.html import Document, Section, Table, Text, images, render, resolved_section
from simulator.report.recommend_plots import plot_curves, plot_fleet, plot_pareto
from simulator.scenario.loader import dump_resolved
from simulator.staging import write_json
from simulator.wording import counted


def recommendation_rows(recommendations: list[Recommendation]) -> list[dict[str, Any]]:
    """The recommendations flattened for CSV and tables."""
    rows = []
    for item in recommendations:
        config, best = item.candidate.endpoint_configuration(), item.best
        serverless = config["ServerlessConfig"] or {}
        rows.append(
            {
                "rank": item.rank,
                "RecommendationId": item.candidate.id,
                "candidate": item.candidate.id,
                "InstanceType": config["InstanceType"],
                "InitialInstanceCount": config["InitialInstanceCount"],
                "AcceleratorType": config.get("AcceleratorType"),
                "ServerlessMemorySizeInMB": serverless.get("MemorySizeInMB"),
                "ServerlessMaxConcurrency": serverless.get("MaxConcurrency"),
                **item.metrics,
                "ModelLatency_ci95_low": best.slo_ci95[0],
                "ModelLatency_ci95_high": best.slo_ci95[1],
                "ErrorRate": best.error_rate,
            }
        )
    return rows


def candidate_rows(result: JobResult) -> list[dict[str, Any]]:
    """Every candidate, meeting the SLO or not, and the catalog types left out."""
    ranked = {o.candidate.id: position for position, o in enumerate(result.ranked, start=1)}
    rows = [
        {
            "candidate": o.candidate.id,
            "rank": ranked.get(o.candidate.id),
            "max_invocations_per_minute": o.max_invocations,
            "trials": len(o.trials),
            "note": o.reason or "",
        }
        for o in result.outcomes
    ]
    rows += [
        {"candidate": n, "rank": None, "max_invocations_per_minute": None, "trials": 0, "note": r}
        for n, r in result.excluded
    ]
    return rows


def write_job_outputs(
    result: JobResult, out: Path, wall_seconds: float, identity: JobIdentity, created: datetime
) -> None:
    """Write every output of the job into `out` (candidates/ already holds the per-candidate files).

    `identity` names the job in recommendations.json; `created` is when the job started."""
    slo = result.scenario.recommend.slo()
    assert slo is not None
    out.mkdir(parents=True, exist_ok=True)
    plots = out / "plots"
    write_json(out / "recommendations.json", describe_job(result, identity, created, datetime.now(UTC)))
    write_json(out / "recommendations-detail.json", recommendation_details(result))
    table = pd.DataFrame(recommendation_rows(result.recommendations))
    for column in ("InitialInstanceCount", "ServerlessMemorySizeInMB", "ServerlessMaxConcurrency"):
        if column in table:
            table[column] = table[column].astype("Int64")  # whole numbers, blank when not applicable
    table.to_csv(out / "recommendations.csv", index=False)
    pd.DataFrame(candidate_rows(result)).to_csv(out / "candidates.csv", index=False)
    curves = curve_points(result.outcomes)
    pd.DataFrame(curves).to_csv(out / "curves.csv", index=False)
    drawings: list[Drawing] = [
        (plot_curves, (curves, slo, plots / "throughput_latency.png")),
        (plot_pareto, (curves, plots / "pareto.png")),
    ]
    if result.fleet:
        (out / "fleet_sizing.json").write_text(json.dumps(result.fleet, indent=2))
        drawings.append((plot_fleet, (result.fleet, plots / "fleet_cost.png")))
    figures = draw_side_by_side(drawings)
    (out / "scenario.resolved.yaml").write_text(dump_resolved(result.scenario))
    (out / "report.html").write_text(render_job(result, figures, wall_seconds))


def _number(value: Any, digits: int = 3) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e-2 else f"{value:,.{digits}f}"
    return str(value)


def fleet_rows(fleet: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for item in fleet:
        policy = item["policy"]
        for kind in ("autoscaled", "static"):
            figures = item[kind]
            rows.append(
                [
                    item["candidate"],
                    kind,
                    f"{policy['target_value']:.0f}/min, {policy['min_capacity']}-{policy['max_capacity']}"
                    if kind == "autoscaled"
                    else counted(item["static_instance_count"], "instance"),
                    format_figure(figures["cost_per_day_usd"], "{:,.2f}"),
                    f"{figures['requests_within_slo']['mean'] * 100:.2f}%",
                    f"{figures['minutes_p99_within_slo']['mean'] * 100:.1f}%",
                    f"{figures['error_rate']['mean'] * 100:.3f}%",
                    f"{figures['instances_mean']['mean']:.2f}",
                ]
            )
    return rows


FLEET_HEADER = [
    "candidate",
    "fleet",
    "policy / size",
    "USD/day (95% CI)",
    "requests within SLO",
    "minutes p99 within SLO",
    "errors",
    "mean instances",
]


def render_job(result: JobResult, figures: list[Path], wall_seconds: float) -> str:
    spec = result.scenario.recommend
    slo = spec.slo()
    assert slo is not None
    columns: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("rank", lambda r: str(r["rank"])),
        ("configuration", lambda r: r["candidate"]),
        ("USD/hour (CostPerHour)", lambda r: f"{r['CostPerHour']:.4f}"),
        ("USD per 1M inferences (CostPerInference x 1M)", lambda r: f"{r['CostPerInference'] * 1e6:.2f}"),
        ("MaxInvocations", lambda r: str(r["MaxInvocations"])),
        (
            f"ModelLatency {slo.percentile} ms (95% CI)",
            lambda r: (
                f"{r['ModelLatency']:.1f} [{_number(r['ModelLatency_ci95_low'], 1)}, "
                f"{_number(r['ModelLatency_ci95_high'], 1)}]"
            ),
        ),
        ("CpuUtilization", lambda r: _number(r["CpuUtilization"], 1)),
        ("MemoryUtilization", lambda r: _number(r["MemoryUtilization"], 1)),
        ("ModelSetupTime", lambda r: _number(r["ModelSetupTime"], 0)),
    ]
    rows = [[cell(row) for _, cell in columns] for row in recommendation_rows(result.recommendations)]
    others = [[c["candidate"], c["note"]] for c in candidate_rows(result) if c["rank"] is None]
    timing = f" Job wall time {wall_seconds:.1f} s."
    intro = Text(
        f"{spec.job_type.value} job, {len(result.outcomes)} candidates; SLO {slo.percentile} "
        f"ModelLatency \u2264 {slo.value * 1000:.0f} ms with under {spec.max_error_rate:.0%} errors; "
        f"ranked by cost per inference (CostPerHour / (MaxInvocations x 60)).{timing}",
        note=True,
    )
    sections = [Section("Recommendations", [Table([name for name, _ in columns], rows)])]
    if others:
        sections.append(Section("Not recommended", [Table(["candidate", "why"], others)]))
    if result.fleet:
        sections.append(
            Section("Fleet sizing on the expected traffic", [Table(FLEET_HEADER, fleet_rows(result.fleet))])
        )
    sections += [Section("Figures", images(figures)), resolved_section(dump_resolved(result.scenario))]
    name = result.scenario.name
    return render(
        Document(f"sagesim recommend: {name}", f"Inference recommendations: {name}", [intro], sections)
    )
