"""Report sections for pipelines (latency breakdown per stage), batching and Elastic Inference variants."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib import colormaps

from simulator.figures import subplots
from simulator.metrics.serving import LEGACY_NOTE
from simulator.report.html import Image, Section, Table, Text


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def plot_stage_breakdown(summary: dict[str, Any], path: Path) -> Path | None:
    """Stacked bar per pipeline variant: queue wait, each container, hops (mean ms)."""
    variants = {n: b for n, b in summary["variants"].items() if "pipeline" in b}
    if not variants:
        return None
    fig, ax = subplots(figsize=(9, 1.6 + 0.8 * len(variants)))
    for row, block in enumerate(variants.values()):
        parts = [("queue wait", block["queue_wait_ms"]["mean"] or 0.0)]
        parts += [(c, v["latency_ms"]["mean"] or 0.0) for c, v in block["pipeline"]["containers"].items()]
        parts.append(("hops", block["pipeline"]["hops_ms"]["mean"] or 0.0))
        left = 0.0
        for index, (label, width) in enumerate(parts):
            ax.barh(row, width, left=left, color=colormaps["tab10"](index), label=label if row == 0 else None)
            left += width
    ax.set_yticks(range(len(variants)), list(variants))
    ax.set_xlabel("mean latency (ms)")
    ax.set_title("latency breakdown per stage")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


def serving_sections(summary: dict[str, Any], plots_dir: Path) -> list[Section]:
    """Report sections; empty when no variant uses a pipeline, batching or an accelerator."""
    sections = []
    plot = plot_stage_breakdown(summary, plots_dir / "stage_breakdown.png")
    for name, block in summary["variants"].items():
        pipeline = block.get("pipeline")
        if pipeline:
            rows = [
                [
                    stage,
                    _fmt(v["latency_ms"]["mean"]),
                    _fmt(v["latency_ms"]["p50"]),
                    _fmt(v["latency_ms"]["p99"]),
                ]
                for stage, v in pipeline["containers"].items()
            ]
            rows.append(["hops", *(_fmt(pipeline["hops_ms"][k]) for k in ("mean", "p50", "p99"))])
            rows.append(
                ["ModelLatency", *(_fmt(pipeline["model_latency_ms"][k]) for k in ("mean", "p50", "p99"))]
            )
            sections.append(
                Section(
                    f"{name}: latency per stage (ContainerLatency)",
                    [Table(["stage", "mean ms", "p50 ms", "p99 ms"], rows)],
                )
            )
        if "batching" in block:
            batching = block["batching"]
            size = batching["mean_batch_size"]
            text = (
                f"{batching['batches']:,} batches, mean batch size {'-' if size is None else f'{size:.2f}'}"
            )
            sections.append(Section(f"{name}: dynamic batching", [Text(text)]))
        if "elastic_inference" in block:
            price = block["elastic_inference"]["accelerator_price_per_hour"]
            sections.append(
                Section(
                    f"{name}: Elastic Inference",
                    [Text(f"accelerator {price:.3f} USD/hour included in cost. {LEGACY_NOTE}.")],
                )
            )
    if plot is not None:
        sections.insert(0, Section("Latency breakdown per stage", [Image.of(plot)]))
    return sections
