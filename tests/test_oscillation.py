"""Oscillation of autoscaled variants: direction flips counted by hand, flagged runs, the CLI warning."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simulator.engine import simulate
from simulator.metrics.oscillation import (
    OSCILLATION_FLIPS,
    busiest_span,
    flip_times,
    oscillation_figures,
    oscillation_warnings,
)
from simulator.metrics.summary_types import Oscillation
from simulator.scenario import load_scenario_dict
from tests.test_autoscaling import TARGET_TRACKING_600 as POLICY
from tests.test_autoscaling import document, even_trace


def activities(rows: list[tuple[float, int, int, str]], variant: str = "v") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"time_s": t, "variant": variant, "from": a, "to": b, "kind": kind, "cause": ""}
            for t, a, b, kind in rows
        ],
        columns=["time_s", "variant", "from", "to", "kind", "cause"],
    )


def test_flips_are_the_actions_that_reverse_the_previous_direction() -> None:
    # out, out, in (flip), out (flip), in (flip), in, out (flip)
    times = [0.0, 60.0, 900.0, 1080.0, 2000.0, 2300.0, 2500.0]
    changes = [1, 2, -1, 1, -3, -1, 4]
    assert flip_times(times, changes).tolist() == [900.0, 1080.0, 2000.0, 2500.0]
    assert flip_times([5.0], [1]).tolist() == []
    assert flip_times([], []).tolist() == []


def test_busiest_span_counts_flips_in_any_half_open_hour() -> None:
    assert busiest_span(np.array([])) == 0
    assert busiest_span(np.array([0.0, 100.0, 3500.0, 3600.0, 7300.0])) == 3  # 3600 is outside [0, 3600)
    assert busiest_span(np.array([7300.0, 100.0, 3500.0, 3599.0, 0.0])) == 4  # order does not matter


def test_figures_leave_out_warmup_scheduled_actions_and_other_variants() -> None:
    table = activities(
        [
            (100.0, 2, 1, "scale-in"),  # warm-up: left out
            (700.0, 1, 2, "scale-out"),
            (1000.0, 2, 4, "scheduled"),  # operator's action: left out
            (1600.0, 4, 3, "scale-in"),  # flip 1
            (2200.0, 3, 4, "step"),  # flip 2
            (2800.0, 4, 3, "scale-in"),  # flip 3
            (3400.0, 3, 4, "scale-out"),  # flip 4: four within [1600, 5200)
        ]
    )
    other = activities([(1900.0, 1, 2, "scale-out"), (2000.0, 2, 1, "scale-in")], variant="w")
    figures = oscillation_figures(pd.concat([table, other]), "v", (600.0, 7800.0))
    assert figures.as_dict() == {
        "scaling_actions": 5,
        "direction_flips": 4,
        "flips_per_hour": pytest.approx(4 / 2.0),
        "max_flips_in_an_hour": 4,
        "oscillating": True,
    }
    calm = oscillation_figures(table.iloc[:5], "v", (600.0, 7800.0))
    assert calm.direction_flips == 2 and calm.oscillating is False
    empty = oscillation_figures(table.iloc[0:0], "v", (0.0, 3600.0))
    assert empty.scaling_actions == 0 and empty.flips_per_hour == 0.0 and not empty.oscillating


def oscillating_document(tmp_path: Path) -> dict[str, Any]:
    """A load swinging every 22 minutes between 12/s for 5 minutes and 8/s for 17: at 12/s one instance
    sees 720 > 600 a minute and scales out; at 8/s two see 240 < 540 and ceil(2 x 240 / 600) = 1, so
    one is removed. Two flips every 22 minutes, about 5.5 an hour, for 3 hours."""
    cycle, high = 1320, 300
    segments = []
    for start in range(0, 3 * 3600, cycle):
        segments += [(start, start + high, 12), (start + high, min(start + cycle, 3 * 3600), 8)]
    trace = even_trace(tmp_path / "swing.csv", segments)
    return document(trace, 3 * 3600, POLICY, count=2)


def test_a_fleet_flipping_with_a_swinging_load_is_flagged(tmp_path: Path) -> None:
    result = simulate(load_scenario_dict(oscillating_document(tmp_path)))
    figures = result.summary.variants["v"].autoscaling.oscillation
    kinds = result.scaling["kind"].tolist()
    assert figures.scaling_actions == len(kinds)
    assert figures.direction_flips == sum(a != b for a, b in itertools.pairwise(kinds))
    assert figures.max_flips_in_an_hour >= OSCILLATION_FLIPS and figures.oscillating is True
    assert figures.flips_per_hour == pytest.approx(figures.direction_flips / 3.0)


def test_a_policy_following_one_load_step_is_not_flagged(tmp_path: Path) -> None:
    """The hand-computed log of tests/test_autoscaling.py: out at 780 s, out at 1380 s, in at 2700 s."""
    trace = even_trace(tmp_path / "t.csv", [(0, 600, 5), (600, 1200, 28), (1200, 1800, 70), (1800, 3600, 2)])
    result = simulate(load_scenario_dict(document(trace, 3600, POLICY)))
    assert result.summary.variants["v"].autoscaling.oscillation.as_dict() == {
        "scaling_actions": 3,
        "direction_flips": 1,
        "flips_per_hour": 1.0,
        "max_flips_in_an_hour": 1,
        "oscillating": False,
    }


def test_run_warns_once_per_oscillating_variant_and_reports_it(
    cli: Callable[..., tuple[int, str, str]], write_scenario: Callable[..., Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    code, _, stderr = cli("run", write_scenario(oscillating_document(tmp_path)), "--out", out)
    assert code == 0, stderr
    warnings = [line for line in stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "variant v oscillates: up to" in warnings[0]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["variants"]["v"]["autoscaling"]["oscillation"]["oscillating"] is True
    report = (out / "report.html").read_text()
    assert "Autoscaling stability" in report and "<td>yes</td>" in report


def test_replicated_warning_says_in_how_many_replications() -> None:
    def summary(oscillating: bool, flips: int) -> Any:
        block = Oscillation(flips + 1, flips, flips / 2.0, flips, oscillating)
        autoscaled = SimpleNamespace(autoscaling=SimpleNamespace(oscillation=block))
        return SimpleNamespace(variants={"v": autoscaled, "static": SimpleNamespace(autoscaling=None)})

    lines = oscillation_warnings([summary(True, 5), summary(False, 1), summary(True, 4)])
    assert len(lines) == 1
    assert lines[0].startswith("variant v oscillates in 2 of 3 replications: up to 5 ")
    assert "(1.67 per hour on average" in lines[0]
    assert oscillation_warnings([summary(False, 3)]) == []
