"""The endpoint figures say what their labels say: read back from the drawn matplotlib objects."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot

from simulator.report import plots


def _metrics(variants: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """Per-minute rows of each variant, as metrics.csv has them."""
    frames = []
    for name, columns in variants.items():
        count = len(next(iter(columns.values())))
        frames.append(pd.DataFrame({"time_s": 60.0 * np.arange(count), "variant": name, **columns}))
    return pd.concat(frames, ignore_index=True)


def _drawn(monkeypatch: pytest.MonkeyPatch, draw: Callable[..., Path], *arguments: object) -> pyplot.Figure:
    """The figure a plot function drew, kept open instead of closed after saving."""
    kept: list[pyplot.Figure] = []
    monkeypatch.setattr(plots, "save_png", lambda figure, path: kept.append(figure) or path)
    draw(*arguments)
    return kept[0]


def test_the_cost_curve_ends_at_the_summarys_total(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A new user's trial: the curve included the warm-up that its own legend says is excluded."""
    metrics = _metrics({"prod": {"cost_usd": [0.01] * 10}})
    figure = _drawn(monkeypatch, plots.plot_cost, metrics, 180.0, tmp_path / "cost.png")
    endpoint = next(line for line in figure.axes[0].get_lines() if line.get_label() == "endpoint")
    assert endpoint.get_xdata()[0] == 3.0 and endpoint.get_ydata()[-1] == np.float64(0.01) * 0 + np.sum(
        [0.01] * 7
    )


def test_a_serverless_only_endpoint_has_no_instance_lines_and_no_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    metrics = _metrics({"sl": {"InServiceInstances": [0.0] * 5, "CPUUtilization": [np.nan] * 5}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "No artists with labels found to put in legend" reached stderr
        figure = _drawn(monkeypatch, plots.plot_instances, metrics, 60.0, tmp_path / "instances.png")
    assert not figure.axes[0].get_lines()
    assert [text.get_text() for text in figure.axes[0].texts] == ["no instances: serverless variants only"]


def test_a_flat_latency_gets_a_readable_range(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A deterministic p99 at 10 ms with float noise: ticks read "1e-11+1e1" before."""
    p99 = [10_000.0, 10_000.00000001, 9_999.99999999, 10_000.0]
    metrics = _metrics({"prod": {"ModelLatency_p99": p99, "ModelLatency_p50": p99}})
    figure = _drawn(monkeypatch, plots.plot_latency, metrics, 0.0, tmp_path / "latency.png")
    low, high = figure.axes[0].get_ylim()
    assert low < 9.6 and high > 10.4


def test_recommend_figures_with_nothing_measured_say_so(tmp_path: Path) -> None:
    """Every load level failed (or none ran): the log axes used to raise 'Data cannot be log-scaled'."""
    from simulator.report.recommend_plots import plot_curves, plot_pareto
    from simulator.scenario.recommend_spec import LatencyThreshold

    row = {
        "candidate": "ml.c5.large",
        "cost_per_inference": None,
        "p95_ms": None,
        "p99_ms": None,
        "error_rate": 1.0,
        "invocations_per_minute": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pareto = plot_pareto([row], tmp_path / "pareto.png")
        curves = plot_curves([row], LatencyThreshold(percentile="P95", value=0.15), tmp_path / "curves.png")
    assert pareto.stat().st_size > 10_000 and curves.stat().st_size > 10_000


@pytest.mark.parametrize(("cold_starts", "label"), [(None, "instances"), (1.0, "instances / cold starts")])
def test_the_capacity_panel_names_cold_starts_only_when_there_are_some(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cold_starts: float | None, label: str
) -> None:
    from simulator.report import elastic

    columns = {
        "Invocations": [60.0] * 4,
        "Invocation4XXErrors": [0.0] * 4,
        "Invocation5XXErrors": [0.0] * 4,
        "InServiceInstances": [1.0] * 4,
        "ModelLatency_p99": [20_000.0] * 4,
        "DesiredInstances" if cold_starts is None else "ColdStarts": [cold_starts or 1.0] * 4,
    }
    kept: list[pyplot.Figure] = []
    monkeypatch.setattr(elastic, "grid_legend_save", lambda figure, axes, path: kept.append(figure) or path)
    elastic.plot_load_capacity_latency(_metrics({"v": columns}), 60.0, 0.0, tmp_path / "elastic.png")
    assert kept[0].axes[1].get_ylabel() == label
