"""What CI holds a serving validation to on every run, with no retry."""

from __future__ import annotations

from simulator.calibrate.results import COMPLETION_TARGET, TrainValidation
from simulator.calibrate.train import format_train_table
from simulator.calibrate.validate import ServeValidation, format_table

GUARD_P50 = 0.25  # mean |p50 error| over the 30% and 50% loads, predicted at the measured speed
GUARD_P50_LEVEL = 0.40  # |p50 error| at either of them
GUARD_THROUGHPUT = 0.30  # maximum throughput, predicted at the measured speed
GUARD_THROUGHPUT_PLAIN = 0.50  # maximum throughput, as predicted: calibration's maximum against validation's
GUARD_COMPLETION = 0.25  # training completion time, as predicted
GUARD_GAP = 0.25  # time per completion, most requests in flight, busiest rate, at the measured speed


def assert_within_testbed_noise(report: ServeValidation) -> None:
    """The guard CI holds on every run, with no retry: the targets themselves (p50 10%, p95 15%,
    throughput 10%) are judged and printed in the table, but this machine's speed drifts by up to
    +-11% between 5-second windows (closed-loop maximum 168-212/s back to back, nothing else in the
    VM), which alone moves latency at 65-80% load past them. What does not drift that far: light and
    moderate load, and the maximum throughput, each predicted at the speed the level ran at (its
    container CPU per request against calibration's). The predicted maximum is calibration's measured
    one by construction (the saturation factor is fitted to it), so its plain error is the host's
    drift between the two runs: on CI (2026-12-02) a calibration measured 239/s and the validation
    after it 170-180/s, nothing else running in the VM; in 15 matrix runs it was -13.2% .. +14.1%.
    At the measured speed it checks that validation's closed loop kept the instance's core as busy as
    calibration's did (within 1% in those 15 runs, recomputed from their validation.json files, which
    stay outside the repository; -2.2% .. +4.1% in the four runs of reports/calibration); a server
    that no longer does, by a third or more, fails it. The plain error is held too, wider: a
    calibration whose maximum is off by half fails whatever the speed says
    (tests/calibrate/test_closed_speed.py).

    The p50 guard averages the two light levels: one level's error at the measured speed is itself
    noisy, because the speed estimate (CPU per request against calibration's) moves with more than
    the machine. In five fresh runs per stack (reports/calibration/matrix.md) flask-nginx measured
    -0.8% .. +37.0% at 50% load (+37.0% in a run whose plain prediction was off by +0.1%: the level
    took 12% more CPU per request, the latency did not follow), and gunicorn-multiworker +12.8% ..
    +24.9%, a bias of the four-way processor-sharing model; the mean over the two levels stayed
    within 1.8% .. 22.6% and 6.9% .. 17.3%."""
    light = [r for r in report.rows if r.kind == "open" and r.utilisation <= 0.55]
    assert len(light) == 2
    errors = [abs(row.error_at_speed("p50_ms")) for row in light]
    assert sum(errors) / len(errors) <= GUARD_P50, format_table(report)
    assert max(errors) <= GUARD_P50_LEVEL, format_table(report)
    top = next(r for r in report.rows if "throughput" in r.checked)
    assert abs(top.error_at_speed("throughput")) <= GUARD_THROUGHPUT, format_table(report)
    assert abs(top.error("throughput")) <= GUARD_THROUGHPUT_PLAIN, format_table(report)


def assert_completion_rate_holds(report: ServeValidation) -> None:
    """At the busiest open-loop rate, the time per completion with the most requests in flight
    (validate.in_flight_gaps), measured against the model's at the measured speed. It checks the
    concurrency structure (slots sharing the core, no slow-down as requests pile up) where the queue
    is deepest, apart from the order requests are served in, which moves percentiles and not this.
    On 2026-12-02, in three runs of flask-nginx the model came within 9% of every band and within 3%
    of the busiest rate's deepest; in one run of gunicorn-multiworker within 4% there (19% at one in
    flight, where processor sharing leaves the next request part-served and the real core did not);
    the example image within 3% there (15% at one in flight at 30% load). A FastAPI thread pool,
    which CI leaves out, measured up to 1.96x its one-in-flight gap as its pool filled."""
    busiest = max((r for r in report.rows if r.kind == "open"), key=lambda r: r.level)
    assert busiest.in_flight, format_table(report)
    deepest = list(busiest.in_flight.values())[-1]
    change = deepest["model_ms"] / deepest["measured_ms"] - 1.0
    assert abs(change) <= GUARD_GAP, format_table(report)


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
