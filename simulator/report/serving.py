"""Report sections for pipelines (latency breakdown per stage), batching and Elastic Inference variants."""

from __future__ import annotations

from pathlib import Path

from matplotlib import colormaps

from simulator.metrics.serving import LEGACY_NOTE
from simulator.metrics.summary_types import StageLatency, Summary
from simulator.report.figures import subplots
from simulator.report.html import Image, Section, Table, Text
from simulator.report.plots import save_png


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def plot_stage_breakdown(summary: Summary, path: Path) -> Path | None:
    """Stacked bar per pipeline variant: queue wait, each container, hops (mean ms)."""
    variants = {n: b.pipeline for n, b in summary.variants.items() if b.pipeline is not None}
    if not variants:
        return None
    fig, ax = subplots(figsize=(9, 1.6 + 0.8 * len(variants)))
    for row, (name, pipeline) in enumerate(variants.items()):
        parts = [("queue wait", summary.variants[name].queue_wait_ms.mean or 0.0)]
        parts += [(c, v.latency_ms.mean or 0.0) for c, v in pipeline.containers.items()]
        parts.append(("hops", pipeline.hops_ms.mean or 0.0))
        left = 0.0
        for index, (label, width) in enumerate(parts):
            ax.barh(row, width, left=left, color=colormaps["tab10"](index), label=label if row == 0 else None)
            left += width
    ax.set_yticks(range(len(variants)), list(variants))
    ax.set_xlabel("mean latency (ms)")
    ax.set_title("latency breakdown per stage")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return save_png(fig, path, dpi=100)


def stage_table(
    stages: list[tuple[str, StageLatency]], figures: tuple[str, ...] = ("mean", "p50", "p99")
) -> Table:
    """Each stage's latency `figures` in ms."""
    rows = [[stage, *(_fmt(getattr(latency, name)) for name in figures)] for stage, latency in stages]
    return Table(["stage", *(f"{name} ms" for name in figures)], rows)


def serving_sections(summary: Summary, plots_dir: Path) -> list[Section]:
    """Report sections; empty when no variant uses a pipeline, batching or an accelerator."""
    sections = []
    plot = plot_stage_breakdown(summary, plots_dir / "stage_breakdown.png")
    for name, block in summary.variants.items():
        pipeline = block.pipeline
        if pipeline:
            stages = [(stage, v.latency_ms) for stage, v in pipeline.containers.items()]
            stages += [("hops", pipeline.hops_ms), ("ModelLatency", pipeline.model_latency_ms)]
            sections.append(Section(f"{name}: latency per stage (ContainerLatency)", [stage_table(stages)]))
        if block.batching is not None:
            size = _fmt(block.batching.mean_batch_size)
            text = f"{block.batching.batches:,} batches, mean batch size {size}"
            sections.append(Section(f"{name}: dynamic batching", [Text(text)]))
        if block.elastic_inference is not None:
            price = block.elastic_inference.accelerator_price_per_hour
            text = Text(f"accelerator {price:.3f} USD/hour included in cost. {LEGACY_NOTE}.")
            sections.append(Section(f"{name}: Elastic Inference", [text]))
    if plot is not None:
        sections.insert(0, Section("Latency breakdown per stage", [Image.of(plot)]))
    return sections
