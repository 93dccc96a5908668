"""The deployment timeline: traffic weights per variant, green's alarm datapoints against their
thresholds, and markers for green InService, each step, the alarm and the rollback."""

from __future__ import annotations

from pathlib import Path

from simulator.engine.result import Result
from simulator.report.figures import subplots
from simulator.report.plots import save_png
from simulator.scenario.rollout_spec import AlarmMetric

_MARKERS = {
    "provisioning": ("green launched", "0.5", "-."),
    "green_in_service": ("green InService", "tab:green", ":"),
    "rollback": ("rollback", "tab:red", "--"),
    "completed": ("completed", "tab:blue", "--"),
    "blue_terminated": ("blue terminated", "0.4", ":"),
}


def plot_timeline(result: Result, path: Path) -> Path:
    """Weights on top, then one panel per alarm; x runs to 10 minutes after the last rollout event."""
    spec = result.scenario.deployment()
    record = result.rollout
    assert spec is not None and record is not None
    last = max((event["time_s"] for event in record.events), default=0.0)
    end = min(result.scenario.duration, last + 600.0) / 60.0
    panels = 1 + len(spec.alarms)
    figure, axes = subplots(panels, 1, figsize=(10, 2.6 + 2.2 * panels), sharex=True, squeeze=False)
    top = axes[0][0]
    times = [0.0] + [step["time_s"] / 60.0 for step in record.steps] + [result.scenario.duration / 60.0]
    shares = [0.0] + [step["green_share"] * 100.0 for step in record.steps]
    shares.append(shares[-1])
    top.step(
        times, [100.0 - share for share in shares], where="post", color="tab:blue", label=f"blue: {spec.blue}"
    )
    top.step(times, shares, where="post", color="tab:orange", label=f"green: {spec.green}")
    top.set_ylabel("% of blue's traffic")
    top.set_ylim(-5, 105)
    top.set_title(
        f"{result.scenario.name}: {spec.traffic_routing.type.value} rollout, outcome: {record.outcome}"
    )
    for number, alarm in enumerate(spec.alarms, start=1):
        axis = axes[number][0]
        points = [point for point in record.datapoints if point["alarm"] == alarm.name]
        scale, unit = {
            AlarmMetric.MODEL_LATENCY: (1000.0, "ms"),
            AlarmMetric.ERROR_RATE_5XX: (1.0, "%"),
            AlarmMetric.ERRORS_5XX: (1.0, "errors"),
        }[alarm.metric]
        minutes = [point["time_s"] / 60.0 for point in points]
        values = [point["value"] * scale if point["value"] is not None else float("nan") for point in points]
        axis.plot(minutes, values, "o-", color="tab:orange", markersize=3, label="green datapoint")
        breaching = [(m, v) for m, v, p in zip(minutes, values, points, strict=True) if p["breaching"]]
        if breaching:
            axis.plot(*zip(*breaching, strict=True), "x", color="tab:red", markersize=8, label="breaching")
        axis.axhline(alarm.threshold * scale, color="tab:red", linestyle="--", linewidth=1, label="threshold")
        statistic = alarm.resolved_statistic()
        axis.set_ylabel(f"{alarm.metric.value}\n{statistic} ({unit})")
        axis.set_title(
            f"alarm {alarm.name}: {alarm.needed} of {alarm.evaluation_periods} datapoints"
            f" of {alarm.period:g} s",
            fontsize=9,
        )
        axis.legend(loc="upper right", fontsize=8)
    axes[-1][0].set_xlabel("minutes")
    for event in record.events:
        if event["event"] in _MARKERS:
            label, colour, style = _MARKERS[event["event"]]
            for row in axes:
                row[0].axvline(
                    event["time_s"] / 60.0, color=colour, linestyle=style, linewidth=1.2, label=label
                )
    for row in axes:
        row[0].set_xlim(0, end)
    top.legend(loc="center left", fontsize=8)
    return save_png(figure, path)
