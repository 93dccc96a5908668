"""What CI holds a serving validation to on every run, with no retry."""

from __future__ import annotations

from simulator.calibrate.validate import ServeValidation, format_table

GUARD_P50 = 0.25  # p50 at 30% and 50% load, predicted at the measured speed
GUARD_THROUGHPUT = 0.20  # maximum throughput, as predicted


def assert_within_testbed_noise(report: ServeValidation) -> None:
    """The guard CI holds on every run, with no retry: the targets themselves (p50 10%, p95 15%,
    throughput 10%) are judged and printed in the table, but this machine's speed drifts by up to
    +-11% between 5-second windows (closed-loop maximum 168-212/s back to back, nothing else in the
    VM), which alone moves latency at 65-80% load past them. What does not drift that far: light and
    moderate load predicted at the speed the level ran at, and the maximum throughput."""
    light = [r for r in report.rows if r.kind == "open" and r.utilisation <= 0.55]
    assert len(light) == 2
    for row in light:
        assert abs(row.error_at_speed("p50_ms")) <= GUARD_P50, format_table(report)
    top = next(r for r in report.rows if "throughput" in r.checked)
    assert abs(top.error("throughput")) <= GUARD_THROUGHPUT, format_table(report)
