"""What CI holds a serving validation to on every run, with no retry."""

from __future__ import annotations

import numpy as np

from simulator.calibrate.in_flight import MIN_GAPS, band_errors
from simulator.calibrate.results import COMPLETION_TARGET, ServeValidation, TrainValidation
from simulator.calibrate.train import format_train_table
from simulator.calibrate.validation_table import format_table

GUARD_P50 = 0.25  # mean |p50 error| over the 30% and 50% loads, predicted at the measured speed
GUARD_P50_LEVEL = 0.40  # |p50 error| at either of them
GUARD_THROUGHPUT = 0.30  # maximum throughput, predicted at the measured speed
GUARD_THROUGHPUT_PLAIN = 0.50  # maximum throughput, as predicted: calibration's maximum against validation's
GUARD_COMPLETION = 0.25  # training completion time, as predicted
GUARD_GAP = 0.20  # median |error| of the time per completion by requests in flight, at the measured speed


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
    the machine. In five fresh runs per stack (the matrix of 2026-12-02 13:12 UTC) flask-nginx measured
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
    """The server's time per completion while requests stayed in flight (validate.in_flight_gaps),
    per open-loop level and band of requests in flight, against the model's at the measured speed:
    the median |error| over them all. It checks the concurrency structure (slots sharing the core,
    the service time at each rate) apart from the order requests are served in, which moves
    percentiles and not this; a wrong number of cores or a service time off by a third fails it.

    The median, not the worst band: a congested pass can slow a server down where the queue is
    deepest. In a report run of 2026-12-02 (22:13 UTC) gunicorn-multiworker at 80% load (its second
    pass's p50 4.8x the first's) held 10 or more requests in flight for 3,650 gaps over both passes
    and took 6.8 ms per completion there, against 4.3 ms with one in flight (the model: 4.9); its
    other bands at that load came within 3-8% of the model. Medians in that run: the example image 3.2%,
    flask-nginx 3.6%, gunicorn-multiworker 7.1%; in the one committed to reports/calibration
    (23:00 UTC) 3.8%, 6.6% and 7.8%. A FastAPI thread pool, which CI leaves out, 18.6% and 37.0%
    in those two runs: at 23:00 it finished one request every 6.1-6.8 ms with one in flight against
    the model's 9.2-10.2, and in two CLI runs its gaps grew up to 1.98x as its pool filled."""
    errors = band_errors(row.in_flight for row in report.rows if row.kind == "open")
    assert errors, format_table(report)
    assert float(np.median(errors)) <= GUARD_GAP, format_table(report)


def assert_open_levels_traced(report: ServeValidation) -> None:
    """Every open-loop load ran with the container's CPU sampled second by second (`speed_trace`),
    so its at-speed figures replay the host's slow spells; a trace that says the speed never moved
    at all is a sampler reading a stale counter."""
    for row in report.rows:
        if row.kind == "open":
            assert row.speed_within is not None, row.load
            low, high = row.speed_within
            assert 0.0 < low <= 1.0 <= high < 10.0 and high > low, (row.load, row.speed_within)


def assert_passes_measured_one_in_flight(profile: dict[str, object]) -> None:
    """Calibration's fitting streams each measured the time per completion with one request in
    flight, pass by pass (serve.busy_gaps keeps a level's passes apart): at least MIN_GAPS gaps in
    every pass, else the profile's `in_flight` block says nothing a reader can check."""
    passes = profile["fitted"]["in_flight"]  # type: ignore[index]
    assert passes, profile["fitted"]  # type: ignore[index]
    for label, measured in passes.items():
        assert measured["gaps"]["1"] >= MIN_GAPS, (label, measured)


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
