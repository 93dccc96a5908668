"""`sagesim crossover` outputs: crossover.csv, crossover.png and a report.html around them."""

from __future__ import annotations

from pathlib import Path

from simulator.compare import Crossover
from simulator.report.figures import subplots
from simulator.report.html import Document, Image, Section, Text, frame_table, render
from simulator.report.plots import save_png
from simulator.staging import staged_directory


def write_crossover_outputs(
    scenario_name: str, result: Crossover, slo_p99_s: float, line: str, out: Path
) -> Path:
    """Write the table, the plot and the report into out (staged: all or nothing); the report's path."""
    with staged_directory(out, "crossover") as staging:
        result.table.to_csv(staging / "crossover.csv", index=False)
        plot = plot_crossover(result, slo_p99_s, staging / "crossover.png")
        document = Document(
            f"crossover: {scenario_name}",
            f"Serverless vs real-time: {scenario_name}",
            [Text(line)],
            [Section("Cost per rate", [frame_table(result.table), Image.of(plot)])],
        )
        (staging / "report.html").write_text(render(document))
    return out / "report.html"


def plot_crossover(result: Crossover, slo_p99_s: float, path: Path) -> Path:
    table, rate, serverless = result.table, "rate_per_s", "serverless_usd_per_million_inferences"
    figure, axis = subplots(figsize=(8, 5))
    axis.plot(table[rate], table[serverless], "o-", label="serverless")
    missed = table[~table["serverless_meets_slo"]]
    if len(missed):
        axis.plot(missed[rate], missed[serverless], "rx", label="serverless misses SLO")
    axis.plot(
        table[rate], table["realtime_usd_per_million_inferences"], "s-", label="real-time (sized to SLO)"
    )
    if result.rate is not None:
        axis.axvline(result.rate, color="k", linestyle="--", label=f"crossover {result.rate:.3g} req/s")
    axis.set(
        xscale="log",
        yscale="log",
        xlabel="request rate (requests / s)",
        ylabel="cost per million inferences (USD)",
        title=f"Serverless vs real-time at p99 <= {slo_p99_s * 1000:g} ms",
    )
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)
    return save_png(figure, path)
