"""`sagesim crossover` outputs: crossover.csv, crossover.png and a report.html around them."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from simulator.compare import Crossover
from simulator.figures import subplots
from simulator.report.staging import staged_directory


def write_crossover_outputs(
    scenario_name: str, result: Crossover, slo_p99_s: float, line: str, out: Path
) -> Path:
    """Write the table, the plot and the report into out (staged: all or nothing); the report's path."""
    with staged_directory(out, "crossover") as staging:
        result.table.to_csv(staging / "crossover.csv", index=False)
        plot = plot_crossover(result, slo_p99_s, staging / "crossover.png")
        image = base64.b64encode(plot.read_bytes()).decode("ascii")
        (staging / "report.html").write_text(
            "<!doctype html><html><head><meta charset=utf-8><title>crossover</title></head><body>"
            f"<h1>Serverless vs real-time: {html.escape(scenario_name)}</h1><p>{html.escape(line)}</p>"
            + result.table.to_html(index=False, float_format=lambda value: f"{value:.6g}")
            + f'<img alt="crossover" src="data:image/png;base64,{image}"></body></html>'
        )
    return out / "report.html"


def plot_crossover(result: Crossover, slo_p99_s: float, path: Path) -> Path:
    table = result.table
    figure, axis = subplots(figsize=(8, 5))
    axis.plot(table["rate_per_s"], table["serverless_usd_per_million_inferences"], "o-", label="serverless")
    missed = table[~table["serverless_meets_slo"]]
    if len(missed):
        axis.plot(
            missed["rate_per_s"],
            missed["serverless_usd_per_million_inferences"],
            "rx",
            label="serverless misses SLO",
        )
    axis.plot(
        table["rate_per_s"],
        table["realtime_usd_per_million_inferences"],
        "s-",
        label="real-time (sized to SLO)",
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
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path
