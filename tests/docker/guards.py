"""What CI holds a serving validation to on every run, with no retry."""

from __future__ import annotations

from simulator.calibrate.train import format_train_table
from simulator.calibrate.train_results import COMPLETION_TARGET, TrainValidation
from simulator.calibrate.validate import ServeValidation, format_table

GUARD_P50 = 0.25  # p50 at 30% and 50% load, predicted at the measured speed
GUARD_THROUGHPUT = 0.30  # maximum throughput, as predicted
GUARD_COMPLETION = 0.25  # training completion time, as predicted


def assert_within_testbed_noise(report: ServeValidation) -> None:
    """The guard CI holds on every run, with no retry: the targets themselves (p50 10%, p95 15%,
    throughput 10%) are judged and printed in the table, but this machine's speed drifts by up to
    +-11% between 5-second windows (closed-loop maximum 168-212/s back to back, nothing else in the
    VM), which alone moves latency at 65-80% load past them. What does not drift that far: light and
    moderate load predicted at the speed the level ran at, and the maximum throughput. The maximum
    moves too: flask-nginx's three saturating windows in one calibration measured 119, 140 and
    132/s, and a validation a minute later 100-104/s (+26.7% predicted, with other work on the
    machine); clean runs measured -13.4% .. +19.4%. A model off by a third or more still fails it."""
    light = [r for r in report.rows if r.kind == "open" and r.utilisation <= 0.55]
    assert len(light) == 2
    for row in light:
        assert abs(row.error_at_speed("p50_ms")) <= GUARD_P50, format_table(report)
    top = next(r for r in report.rows if "throughput" in r.checked)
    assert abs(top.error("throughput")) <= GUARD_THROUGHPUT, format_table(report)


def assert_training_within_testbed_noise(report: TrainValidation) -> None:
    """Completion time under stop schedules at the step speed the runs ran at is held to the 10%
    target: that checks the model of stops, checkpoint writes, restores, relaunches and lost work.
    The plain prediction moves with this machine's speed between calibration and validation (one
    schedule took 46.0 s in a CI run and 35.9 s in the report run, nothing else in the VM), so it
    is held to a guard wide enough for that and narrow enough to catch a wrong model (a lost
    checkpoint interval per stop is ~10% of the example's completion time)."""
    table = format_train_table(report)
    for case in report.cases:
        assert abs(case.error_at_speed()) <= COMPLETION_TARGET, table
        assert abs(case.error()) <= GUARD_COMPLETION, table
