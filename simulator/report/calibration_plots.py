"""Predicted-vs-measured figures of a calibration's validation (PNG files): the `figure` writers that
`sagesim validate` and `sagesim calibrate report` hand to simulator.calibrate, which draws nothing itself."""

from __future__ import annotations

from pathlib import Path

from simulator.calibrate.results import ServeValidation, TrainValidation
from simulator.report.figures import subplots
from simulator.report.plots import save_png
from simulator.wording import signed_percent

_COLOURS = {"p50_ms": "tab:blue", "p95_ms": "tab:orange", "p99_ms": "tab:red"}


def plot_serve_validation(report: ServeValidation, path: Path) -> Path:
    """Latency percentiles against offered load (open loop) and throughput per level (closed loop)."""
    open_rows = [r for r in report.rows if r.kind == "open"]
    closed_rows = [r for r in report.rows if r.kind == "closed"]
    fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 4.2), gridspec_kw={"width_ratios": [2, 1]})
    rates = [r.level for r in open_rows]
    for metric, colour in _COLOURS.items():
        for figures, style in (("measured", "o-"), ("predicted", "x--")):
            ys = [getattr(r, figures)[metric] for r in open_rows]
            ax1.plot(rates, ys, style, color=colour, label=f"{metric.removesuffix('_ms')} {figures}")
        spans = [(r.level, r.passes(metric)) for r in open_rows]
        lows, highs = [[min(v) for _, v in spans if v], [max(v) for _, v in spans if v]]
        if lows:  # the same rate measured twice: how far the host moved between the passes
            ax1.vlines([x for x, v in spans if v], lows, highs, color=colour, linewidth=4, alpha=0.35)
    ax1.set_xlabel("Poisson arrival rate (requests/s)")
    ax1.set_ylabel("latency (ms)")
    ax1.set_title("Open loop: measured (mean of two passes; bar: the passes) vs predicted", fontsize=10)
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8, ncol=3)
    labels = [r.load for r in closed_rows]
    xs = range(len(closed_rows))
    ax2.bar([x - 0.2 for x in xs], [r.measured["throughput"] for r in closed_rows], 0.4, label="measured")
    ax2.bar([x + 0.2 for x in xs], [r.predicted["throughput"] for r in closed_rows], 0.4, label="predicted")
    at_speed: list[tuple[int, float]] = []  # the host's drift between the runs taken out (CPU per request)
    for x, row in zip(xs, closed_rows, strict=True):
        text, top = (
            f"{signed_percent(row.error('throughput'))}",
            max(row.measured["throughput"], row.predicted["throughput"]),
        )
        if "throughput" in row.at_speed:
            at_speed.append((x, row.at_speed["throughput"]))
            text += f"\nat speed {signed_percent(row.error_at_speed('throughput'))}"
            top = max(top, row.at_speed["throughput"])
        ax2.annotate(
            text, (x, top), xytext=(0, 6), textcoords="offset points", ha="center", va="bottom", fontsize=8
        )
    if at_speed:
        ax2.plot(
            [x + 0.2 for x, _ in at_speed],
            [value for _, value in at_speed],
            "k_",
            markersize=22,
            markeredgewidth=2,
            label="predicted at measured speed",
        )
    ax2.set_xticks(list(xs), labels)
    ax2.set_ylabel("throughput (requests/s)")
    ax2.set_title("Closed loop throughput")
    ax2.margins(y=0.4)  # headroom: the legend sits above the bars instead of over them
    ax2.legend(fontsize=7, loc="upper center", ncols=2)
    fig.suptitle(f"{report.image}: {'PASS' if report.passed() else 'FAIL'}", fontsize=10)
    return save_png(fig, path)


def plot_train_validation(report: TrainValidation, path: Path) -> Path:
    """Measured vs predicted completion time per stop schedule."""
    fig, ax = subplots(figsize=(6, 3.8))
    names = [c.name for c in report.cases]
    xs = range(len(names))
    width = 0.27
    ax.bar([x - width for x in xs], [c.measured for c in report.cases], width, label="measured")
    ax.bar(list(xs), [c.predicted for c in report.cases], width, label="predicted")
    ax.bar(
        [x + width for x in xs],
        [c.predicted_at_speed for c in report.cases],
        width,
        label="predicted at the runs' step speed",
    )
    for x, case in zip(xs, report.cases, strict=True):
        for at, top, error in (
            (x, case.predicted, case.error()),
            (x + width, case.predicted_at_speed, case.error_at_speed()),
        ):
            ax.annotate(signed_percent(error), (at, top), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(xs), names, fontsize=8)
    ax.set_ylabel("completion time (s)")
    ax.set_title("Training under stop schedules: measured vs predicted")
    ax.margins(y=0.25)
    ax.legend(fontsize=7, loc="upper center", ncols=3)
    return save_png(fig, path)
