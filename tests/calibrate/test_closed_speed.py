"""A closed loop's maximum throughput is predicted at the speed the machine had while it ran too:
the container's CPU per request in the level over what calibration's saturating levels took. The
predicted maximum is calibration's measured one, so CI's guard holds throughput there: a host that
slowed between calibration and validation is taken out, a server that stopped keeping its core busy
(blocked, fewer workers than fitted) is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level
from simulator.calibrate.profiles import ServeProfile
from simulator.calibrate.rate_scale import saturated_cpu
from simulator.calibrate.results import ServeValidation
from simulator.calibrate.validate import _rows, format_table
from tests.docker.guards import assert_within_testbed_noise

SERVICE_S = 0.010  # calibration: 10 ms of CPU per request, 100/s back to back on one worker
TABLE = {
    "rates": [40.0, 72.0, 100.0],
    "factors": [1.0, 1.0, 1.0],
    "cpu_per_request": [SERVICE_S, SERVICE_S, SERVICE_S],
    "saturation_factor": 1.0,
    "measured_max_throughput": 100.0,
}
PROFILE = ServeProfile(
    {"distribution": "deterministic", "value": SERVICE_S},
    {"distribution": "deterministic", "value": 0.0},
    1,
    1,
    {"rate_scale": TABLE},
)


def _closed(users: int, service_s: float, cpu_s: float, seconds: float = 11.0) -> Level:
    """One user's back-to-back requests, each `service_s` long and taking `cpu_s` of container CPU."""
    count = int(seconds / service_s)
    sends = [i * service_s for i in range(count)]
    records = [Record(t, t, t + service_s, 200) for t in sends]
    load = Load("closed", users, count, seconds)
    return Level(LoadResult(load, records, elapsed=seconds), cpu_seconds=count * cpu_s)


def _open(rate: float, latency_s: float) -> Level:
    sends = [1.0 + i / rate for i in range(int(10 * rate))]
    records = [Record(t, t, t + latency_s, 200) for t in sends]
    return Level(LoadResult(Load("open", rate, len(sends), 11.0), records, 11.0), len(sends) * SERVICE_S)


def _report(closed: Level) -> ServeValidation:
    measured = [
        ("validate", closed),
        ("validate", _open(30.0, SERVICE_S)),
        ("validate", _open(50.0, SERVICE_S)),
    ]
    return ServeValidation("p.yaml", "img:1", _rows(PROFILE, Path("p.yaml"), measured, 1, "internal"))


def test_saturated_cpu_is_the_rate_tables_last_point() -> None:
    assert saturated_cpu(PROFILE) == SERVICE_S
    bare = ServeProfile(PROFILE.service_time, PROFILE.overhead, 1, 1)
    assert saturated_cpu(bare) != saturated_cpu(bare)  # nan: no table, no speed


def test_a_host_that_slowed_is_seen_in_the_cpu_and_taken_out() -> None:
    """The machine ran 25% slower (12.5 ms of CPU a request): 80/s measured against 100/s predicted.
    The plain error is the host's, +25%; at the measured speed the model is right."""
    (closed, *_) = _report(_closed(1, 0.0125, 0.0125)).rows
    assert closed.checked == ("throughput",)
    assert closed.measured["throughput"] == pytest.approx(80.0, rel=0.01)
    assert closed.error("throughput") == pytest.approx(0.25, abs=0.01)
    assert closed.speed == pytest.approx(1.25)
    assert closed.error_at_speed("throughput") == pytest.approx(0.0, abs=0.01)


def test_a_server_that_leaves_its_core_idle_is_not_excused_by_the_speed() -> None:
    """The server does 80/s but takes the CPU per request calibration measured (its core idles a
    fifth of the time): nothing to take out, the error stays +25% at the measured speed, and the
    table says so."""
    report = _report(_closed(1, 0.0125, SERVICE_S))
    (closed, *_) = report.rows
    assert closed.speed == pytest.approx(1.0)
    assert closed.error_at_speed("throughput") == pytest.approx(0.25, abs=0.01)
    assert not report.passed_at_speed()
    line = format_table(report).splitlines()[2]
    assert line.startswith("     1 users") and line.split("|")[5].split() == [
        "1.00",
        "-20.0%",
        "-20.0%",
        "+24.8%*",
    ]


def test_the_ci_guard_holds_throughput_at_the_measured_speed() -> None:
    assert_within_testbed_noise(_report(_closed(1, 0.0125, 0.0125)))  # slowed host: passes
    idle_core = _report(_closed(1, 0.016, SERVICE_S))  # 62/s on 10 ms a request: +60% at any speed
    with pytest.raises(AssertionError):
        assert_within_testbed_noise(idle_core)
