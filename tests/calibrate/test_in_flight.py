"""The time per completion while a server stays busy, by requests in flight, against queueing theory:
inside an M/M/1 busy period the gaps between completions are the exponential service times,
whatever the queue; in M/M/2 with two or more in flight they are exponential with half the mean.
A server that slows down as requests pile up shows a growth the model does not have, and validation's
table says so; a profile records the growth calibration measured."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator.calibrate.in_flight import (
    MIN_GAPS,
    by_band,
    compared,
    completion_gaps,
    gaps_of,
    growth,
    pooled_gaps,
)
from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level
from simulator.calibrate.predict import simulated_completions
from simulator.calibrate.queue_sim import simulate_station
from simulator.calibrate.results import Row, ServeValidation, read_validation
from simulator.calibrate.serve import busy_gaps
from simulator.calibrate.validate import in_flight_gaps
from simulator.calibrate.validation_table import format_in_flight
from tests.calibrate.one_worker import one_worker_profile, rate_table

SERVICE_S = 0.010


def _poisson_run(
    rate: float, vcpus: int, workers: int, n: int = 40_000, seed: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1.0 / rate, n))
    run = simulate_station(
        rng.exponential(SERVICE_S, n),
        np.zeros(n),
        vcpus=vcpus,
        workers=workers,
        arrival_times=arrivals,
        warmup_s=0.0,
    )
    return run.sent, run.sent + run.latency


def test_mm1_gaps_while_busy_are_the_service_times_at_any_queue_length() -> None:
    gaps = gaps_of(*_poisson_run(80.0, 1, 1))
    bands = by_band(gaps)
    assert list(bands) == ["1", "2-3", "4-9", "10+"]
    for band in bands.values():
        assert band["mean_ms"] == pytest.approx(SERVICE_S * 1e3, rel=0.04)
    assert stats.kstest(gaps[0], "expon", args=(0, SERVICE_S)).pvalue > 0.01
    assert growth(bands, "mean_ms") == pytest.approx(1.0, abs=0.05)


def test_processor_sharing_on_one_core_keeps_the_completion_rate() -> None:
    """Four worker slots sharing one core: a completion every S, as with one slot."""
    bands = by_band(gaps_of(*_poisson_run(80.0, 1, 4)))
    for band in bands.values():
        assert band["mean_ms"] == pytest.approx(SERVICE_S * 1e3, rel=0.05)


def test_two_cores_finish_twice_as_often_once_two_are_in_flight() -> None:
    bands = by_band(gaps_of(*_poisson_run(160.0, 2, 2)))
    assert bands["2-3"]["mean_ms"] == pytest.approx(SERVICE_S * 1e3 / 2, rel=0.04)
    assert bands["4-9"]["mean_ms"] == pytest.approx(SERVICE_S * 1e3 / 2, rel=0.04)
    assert bands["1"]["mean_ms"] < 0.8 * SERVICE_S * 1e3  # an arrival meanwhile ends it sooner
    assert growth(bands, "mean_ms") < 0.8


def _slowing_server(rate: float, slowdown: float, n: int = 6000, seed: int = 5) -> list[Record]:
    """One FCFS worker whose service time grows by `slowdown` per request waiting when it starts (up to
    ten): a server that thrashes as requests pile up."""
    rng = np.random.default_rng(seed)
    sent = np.cumsum(rng.exponential(1.0 / rate, n))
    done = np.empty(n)
    free_at = 0.0
    for i in range(n):
        start = max(sent[i], free_at)
        waiting = int(np.searchsorted(sent, start, side="right")) - i - 1
        free_at = start + rng.exponential(SERVICE_S) * (1.0 + slowdown * min(waiting, 10))
        done[i] = free_at
    return [Record(s, s, d, 200) for s, d in zip(sent, done, strict=True)]


def test_a_server_that_slows_as_requests_pile_up_shows_growth_the_model_lacks() -> None:
    records = _slowing_server(55.0, 0.08)
    measured = completion_gaps(records)
    model = gaps_of(*_poisson_run(55.0, 1, 1))
    bands = compared(measured, model)
    assert growth(bands, "measured_ms") > 1.4
    assert growth(bands, "model_ms") == pytest.approx(1.0, abs=0.15)  # its 10+ band: ~100 gaps
    steady = compared(completion_gaps(_slowing_server(55.0, 0.0)), model)
    assert growth(steady, "measured_ms") == pytest.approx(1.0, abs=0.08)


def test_gaps_skip_idle_periods_warm_up_and_failed_requests() -> None:
    records = [Record(0.0, 0.0, 0.01, 200), Record(1.0, 1.0, 1.01, 200), Record(1.005, 1.005, 1.02, 200)]
    gaps, in_flight = completion_gaps([*records, Record(1.006, 1.006, 1.5, 0)])
    assert gaps == pytest.approx([0.01]) and list(in_flight) == [1]  # the idle second is not a gap
    assert len(completion_gaps(records, warmup_s=1.015)[0]) == 0


def test_bands_with_too_few_gaps_are_left_out_and_growth_needs_two() -> None:
    gaps = (np.full(MIN_GAPS - 1, 0.01), np.full(MIN_GAPS - 1, 5))
    assert by_band(gaps) == {}
    one = by_band((np.full(MIN_GAPS, 0.01), np.ones(MIN_GAPS, dtype=int)))
    assert list(one) == ["1"] and math.isnan(growth(one, "mean_ms"))
    both = pooled_gaps([(np.full(MIN_GAPS, 0.01), np.ones(MIN_GAPS, dtype=int)), gaps])
    assert by_band(both)["1"]["gaps"] == MIN_GAPS


# calibration's CPU per request: SERVICE_S at every rate, so a level's speed is its own
RATE_TABLE = rate_table([20.0, 80.0], [SERVICE_S, SERVICE_S], 100.0)
PROFILE = one_worker_profile({"distribution": "exponential", "mean": SERVICE_S}, RATE_TABLE)


def _level(records: list[Record], rate: float, speed: float = 1.0, kind: str = "open") -> Level:
    """A measured level whose container CPU per request is `speed` times calibration's."""
    load = Load(kind, rate, len(records), records[-1].sent, warmup_s=1.0)  # type: ignore[arg-type]
    ok = sum(1 for r in records if r.ok)
    return Level(LoadResult(load, records, records[-1].done), cpu_seconds=ok * SERVICE_S * speed)


def test_validation_rows_compare_the_measured_gaps_with_the_models_own() -> None:
    slowing = in_flight_gaps(PROFILE, [_level(_slowing_server(55.0, 0.08), 55.0)], seed=1)
    steady = in_flight_gaps(PROFILE, [_level(_slowing_server(55.0, 0.0), 55.0)], seed=1)
    assert growth(slowing, "measured_ms") > 1.3 > 1.15 > growth(slowing, "model_ms")
    for band in steady.values():
        assert band["measured_ms"] == pytest.approx(band["model_ms"], rel=0.12)


def test_the_model_runs_at_the_speed_the_level_measured_and_not_at_all_without_one() -> None:
    records = _slowing_server(55.0, 0.0)
    plain = in_flight_gaps(PROFILE, [_level(records, 55.0)], seed=1)
    slower = in_flight_gaps(PROFILE, [_level(records, 55.0, speed=1.5)], seed=1)
    for band in plain:
        assert slower[band]["model_ms"] / plain[band]["model_ms"] == pytest.approx(1.5, rel=0.05)
        assert slower[band]["measured_ms"] == plain[band]["measured_ms"]
    unknown = Level(_level(records, 55.0).result, cpu_seconds=math.nan)
    assert in_flight_gaps(PROFILE, [unknown], seed=1) == {}


def test_a_server_with_two_cores_is_not_the_one_core_model() -> None:
    """Two cores where the profile says one: with two or more in flight the server finishes twice as
    often as the model."""
    sent, done = _poisson_run(120.0, 2, 2, n=8000)
    records = [Record(s, s, d, 200) for s, d in zip(sent, done, strict=True)]
    bands = in_flight_gaps(PROFILE, [_level(records, 120.0)], seed=1)
    assert bands["4-9"]["model_ms"] / bands["4-9"]["measured_ms"] > 1.7


def test_a_closed_loop_is_compared_with_the_model_under_the_same_users() -> None:
    sent, done = simulated_completions(PROFILE, Load("closed", 3, 3000, 30.0), requests=3000, seed=9)
    records = [Record(s, s, d, 200) for s, d in zip(sent, done, strict=True)]
    bands = in_flight_gaps(PROFILE, [_level(records, 3, kind="closed")], seed=1)
    assert list(bands) == ["2-3"]  # three users, the one just completed not yet sent again
    assert bands["2-3"]["model_ms"] == pytest.approx(bands["2-3"]["measured_ms"], rel=0.05)


def test_the_model_side_replays_the_levels_send_times_one_for_one() -> None:
    fixed = replace(PROFILE, service_time={"distribution": "deterministic", "value": SERVICE_S}, fitted={})
    sends = np.arange(1, 200) * 0.02  # one every 20 ms, each served in 10: no queue
    sent, done = simulated_completions(fixed, Load("open", 50.0, 199, 4.0, 1.0), arrivals=sends)
    assert sent == pytest.approx(sends) and done - sent == pytest.approx(np.full(len(sends), SERVICE_S))


def test_the_table_and_json_carry_the_bands() -> None:
    bands = {
        "1": {"measured_ms": 9.0, "model_ms": 9.1, "gaps": 100},
        "10+": {"measured_ms": 18.0, "model_ms": 9.0, "gaps": 50},
    }
    row = Row("55.0/s", "open", 55.0, 0.5, {"p50_ms": 1.0}, {"p50_ms": 1.0}, (), in_flight=bands)
    report = ServeValidation("p.yaml", "img", [row])
    text = "\n".join(format_in_flight(report))
    assert "9.00/9.10" in text and "18.00/9.00" in text and "2.00/0.99" in text
    assert text.count(" - ") == 2  # the two bands without enough gaps


def test_a_validation_json_round_trips_the_bands(tmp_path: Path) -> None:
    bands = {"1": {"measured_ms": 9.0, "model_ms": 9.1, "gaps": 100}}
    row = Row("55.0/s", "open", 55.0, 0.5, {"p50_ms": 1.0}, {"p50_ms": 1.0}, (), in_flight=bands)
    path = tmp_path / "validation.json"
    path.write_text(ServeValidation("p.yaml", "img", [row]).to_json())
    assert read_validation(path).rows[0].in_flight == bands
    older = ServeValidation("p.yaml", "img", [replace(row, in_flight={})])
    path.write_text(older.to_json())
    assert read_validation(path).rows[0].in_flight == {}


def test_calibration_records_each_passs_growth_apart() -> None:
    """Passes are kept apart, labelled as in fitted.levels: pooled, the slower one would fill the
    deep bands and pass its speed off as growth."""
    recorded = busy_gaps(
        [_level(_slowing_server(55.0, 0.08), 55.0), _level(_slowing_server(55.0, 0.08, seed=6), 55.0)]
    )
    assert list(recorded) == ["55.0/s", "55.0/s #2"]
    for per_pass in recorded.values():
        assert per_pass["growth"] > 1.3
        assert set(per_pass["mean_gap_ms"]) == set(per_pass["gaps"]) and "1" in per_pass["gaps"]
    steady = busy_gaps([_level(_slowing_server(55.0, 0.0), 55.0)])
    assert steady["55.0/s"]["growth"] == pytest.approx(1.0, abs=0.1)


def _with_bands(errors: list[float]) -> ServeValidation:
    """Open-loop rows whose bands' model gaps are off by `errors`, plus a closed loop off by far more
    (closed loops are not held)."""

    def row(kind: str, level: float, bands: dict[str, dict[str, float]]) -> Row:
        figures = {"p50_ms": 1.0, "p95_ms": 2.0, "p99_ms": 3.0, "throughput": level}
        return Row(f"{level}", kind, level, level / 100, figures, figures, (), in_flight=bands)

    def bands(offs: list[float]) -> dict[str, dict[str, float]]:
        labels = ["1", "2-3", "4-9", "10+"]
        return {
            labels[k]: {"measured_ms": 10.0, "model_ms": 10.0 * (1 + e), "gaps": 100}
            for k, e in enumerate(offs)
        }

    closed = row("closed", 8.0, {"4-9": {"measured_ms": 10.0, "model_ms": 30.0, "gaps": 900}})
    return ServeValidation(
        "p.yaml", "img", [closed, row("open", 30.0, bands(errors[:2])), row("open", 80.0, bands(errors[2:]))]
    )


def test_ci_holds_the_median_band_to_the_model_not_the_worst() -> None:
    from tests.docker.guards import GUARD_GAP, assert_completion_rate_holds

    inside, outside = GUARD_GAP - 0.02, GUARD_GAP + 0.05
    assert_completion_rate_holds(_with_bands([0.02, -0.03, 0.01, -0.4, 0.6]))  # one congested band
    assert_completion_rate_holds(_with_bands([inside, -inside, inside, 0.0, -inside]))
    with pytest.raises(AssertionError):
        assert_completion_rate_holds(_with_bands([outside, -outside, outside, 0.0, outside]))
    with pytest.raises(AssertionError):  # a model whose service time is twice the server's
        assert_completion_rate_holds(_with_bands([1.0] * 5))
    with pytest.raises(AssertionError):
        assert_completion_rate_holds(_with_bands([]))
