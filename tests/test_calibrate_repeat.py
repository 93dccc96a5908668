"""Validation measures every held-out open-loop rate twice (rising, then falling) and keeps how far the
two passes moved apart: the host's own noise floor under any model's error."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level
from simulator.calibrate.profiles import ServeProfile
from simulator.calibrate.results import ServeValidation, read_validation
from simulator.calibrate.validate import _rows, validation_loads
from simulator.calibrate.validation_table import format_table

SERVICE_S = 0.010
PROFILE = ServeProfile(
    {"distribution": "deterministic", "value": SERVICE_S},
    {"distribution": "deterministic", "value": 0.0},
    1,
    1,
)


def test_every_open_rate_is_measured_twice_in_mirrored_order() -> None:
    loads = validation_loads(100.0, 1)
    closed = [load for load in loads if load.kind == "closed"]
    rates = [load.level for load in loads if load.kind == "open"]
    assert loads[: len(closed)] == closed  # closed loops first
    assert rates == [30.0, 50.0, 65.0, 80.0, 80.0, 65.0, 50.0, 30.0]


def _pass(load: Load, latency_s: float) -> Level:
    """A pass of `load` whose every request took `latency_s`, one request every 0.1 s after warm-up."""
    sends = [1.0 + 0.1 * i for i in range(100)]
    records = [Record(t, t, t + latency_s, 200) for t in sends]
    return Level(LoadResult(load, records, elapsed=11.0), cpu_seconds=len(records) * SERVICE_S)


def _report(second_s: float = 0.012) -> ServeValidation:
    load = Load("open", 10.0, 1000, 12.0)
    measured = [("validate", _pass(load, 0.010)), ("validate repeat", _pass(load, second_s))]
    return ServeValidation("p.yaml", "img:1", _rows(PROFILE, Path("p.yaml"), measured, 1, "internal"))


def test_two_passes_are_one_row_with_their_mean_and_their_disagreement() -> None:
    (row,) = _report().rows
    assert row.measured["p50_ms"] == pytest.approx(11.0)  # the mean of 10 ms and 12 ms
    assert row.measured["requests"] == 200  # counts are summed
    assert row.repeat["p50_ms"] == pytest.approx(0.2) and row.repeat["p95_ms"] == pytest.approx(0.2)
    # requests 0.1 s apart never queue: the prediction is the service time, 10 ms, in both passes
    assert row.predicted["p50_ms"] == pytest.approx(10.0, rel=1e-6)
    assert row.error("p50_ms") == pytest.approx(10.0 / 11.0 - 1.0)


def test_the_floor_is_the_largest_disagreement_on_the_held_loads_and_is_shown() -> None:
    report = _report()
    assert report.repeatability() == pytest.approx({"p50_ms": 0.2, "p95_ms": 0.2})
    table = format_table(report)
    assert "repeat p50" in table and "+20.0%" in table
    assert "noise floor" in table and "p50 20.0%" in table
    assert "repeat verdict: the floor is over the p50 and p95 target(s) on this host" in table


def test_a_floor_under_the_targets_gives_no_verdict() -> None:
    """Passes 5% apart: under both targets (p50 10%, p95 15%), so the run can judge the model."""
    report = _report(second_s=0.0105)
    assert report.repeatability() == pytest.approx({"p50_ms": 0.05, "p95_ms": 0.05})
    assert "repeat verdict" not in format_table(report)


def test_one_pass_has_no_floor() -> None:
    load = Load("open", 10.0, 1000, 12.0)
    report = ServeValidation(
        "p.yaml", "img:1", _rows(PROFILE, Path("p.yaml"), [("v", _pass(load, 0.01))], 1, "internal")
    )
    assert report.rows[0].repeat == {} and report.repeatability() == {}
    assert "measured once" in format_table(report)


def test_the_disagreement_is_kept_in_validation_json(tmp_path: Path) -> None:
    report = _report()
    (tmp_path / "validation.json").write_text(report.to_json())
    back = read_validation(tmp_path / "validation.json")
    assert back.rows[0].repeat == pytest.approx(report.rows[0].repeat)
    assert back.repeatability() == pytest.approx({"p50_ms": 0.2, "p95_ms": 0.2})


def test_the_passes_come_back_from_the_mean_and_the_ratio() -> None:
    (row,) = _report().rows
    assert row.passes("p50_ms") == pytest.approx((10.0, 12.0))
    assert row.passes("p99_ms") is None  # only p50 and p95 keep their passes
