"""The host's speed second by second inside a level (`speed_trace`), and the reference station
running its cores at it (`pace`): a slow spell must cost what the same work costs on slower cores."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level, write_cpu_samples
from simulator.calibrate.profiles import ServeProfile
from simulator.calibrate.queue_sim import simulate_station
from simulator.calibrate.results import Row, ServeValidation, read_validation
from simulator.calibrate.speed_trace import MIN_COMPLETIONS, NO_TRACE, SpeedTrace, speed_trace
from simulator.calibrate.validate import predict_at_measured_speed, speed_within
from simulator.calibrate.validation_table import format_table
from simulator.core.cpu_sharing import SharedCores, WakeupCores


def _samples(cpu_per_second: list[float], every: float = 0.1) -> list[tuple[float, float]]:
    """Cumulative CPU sampled every `every` s, using cpu_per_second[k] CPU-seconds in second k."""
    times = np.arange(0.0, len(cpu_per_second) + 1e-9, every)
    rates = np.array(cpu_per_second)
    cumulative = [
        float(np.sum(rates[: int(t)]) + rates[min(int(t), len(rates) - 1)] * (t - int(t))) for t in times
    ]
    return list(zip(times.tolist(), cumulative, strict=True))


def test_a_window_twice_as_costly_as_the_others_reads_twice_their_speed() -> None:
    done = np.concatenate([k + np.linspace(0.0, 0.99, 50) for k in range(4)])  # 50 completions a second
    trace = speed_trace(_samples([0.5, 0.5, 1.0, 0.5]), done)
    assert trace.starts.tolist() == pytest.approx([0.0, 1.0, 2.0, 3.0][: len(trace.starts)])
    factors = trace.factors / trace.factors[0]
    assert factors[2] == pytest.approx(2.0, rel=1e-6)
    assert factors[1] == pytest.approx(1.0, rel=1e-6)
    # completion-weighted, the windows average to the level's own speed
    assert float(np.mean(trace.factors)) == pytest.approx(1.0, rel=0.05)


def test_windows_with_few_completions_keep_the_level_speed() -> None:
    done = np.concatenate([np.linspace(0.0, 0.99, 50), 1.0 + np.linspace(0.0, 0.5, MIN_COMPLETIONS - 1)])
    trace = speed_trace(_samples([0.5, 3.0, 0.5]), np.concatenate([done, 2.0 + np.linspace(0, 0.99, 50)]))
    assert trace.factors[1] == 1.0


@pytest.mark.parametrize(
    "samples",
    [[], [(0.0, 1.0)], [(0.0, 1.0), (0.5, math.nan), (1.0, 2.0)], [(0.0, 1.0), (0.0, 1.5), (2.0, 2.0)]],
)
def test_samples_that_cannot_give_a_speed_give_no_trace(samples: list[tuple[float, float]]) -> None:
    assert speed_trace(samples, np.linspace(0.0, 2.0, 100)) is NO_TRACE


def test_requests_outside_the_traced_span_run_at_the_level_speed() -> None:
    trace = SpeedTrace(np.array([1.0, 2.0]), np.array([1.5, 0.8]))
    assert trace.at(np.array([0.5, 1.0, 1.9, 2.5, 3.0, 9.0])).tolist() == [1.0, 1.5, 1.5, 0.8, 1.0, 1.0]
    assert trace.changes() == [(1.0, 1.5), (2.0, 0.8), (3.0, 1.0)]


@pytest.mark.parametrize("cores", [SharedCores(1), WakeupCores(1, 1.0)])
def test_cores_at_half_pace_take_twice_as_long(cores: SharedCores | WakeupCores) -> None:
    cores.start(0, 0.010)
    cores.pace = 0.5
    assert cores.next_completion(0.0) == pytest.approx(0.020)


def test_a_slowed_span_matches_the_same_work_made_longer() -> None:
    """A pace of 1/f over the whole run is the same station as service times times f (an identity
    of processor sharing); a trace of 1.0 changes nothing but rounding."""
    rng = np.random.default_rng(3)
    arrivals = np.sort(rng.uniform(0.0, 20.0, 1500))
    service = rng.exponential(0.010, 1500)
    windows = np.arange(0.0, 30.0, 1.0)

    def latency(work: np.ndarray, speed: SpeedTrace = NO_TRACE) -> np.ndarray:
        run = simulate_station(
            work, np.full(1500, 0.001), vcpus=1, workers=4, arrival_times=arrivals, warmup_s=0.0, speed=speed
        )
        return run.latency

    slowed = latency(service, SpeedTrace(windows, np.full(len(windows), 1.3)))
    assert slowed == pytest.approx(latency(service * 1.3), rel=1e-9, abs=1e-12)
    unchanged = latency(service, SpeedTrace(windows, np.ones(len(windows))))
    assert unchanged == pytest.approx(latency(service), rel=1e-9, abs=1e-12)


def _level(cpu_per_second: list[float], rate: float = 70.0) -> Level:
    """An open-loop level at `rate`/s of 10 ms requests with the CPU trace given."""
    seconds = len(cpu_per_second)
    load = Load("open", rate, int(rate * seconds), float(seconds), warmup_s=1.0)
    sent = np.arange(0.0, seconds - 0.2, 1.0 / rate)
    records = [Record(t, t, t + 0.012, 200) for t in sent]
    samples = _samples(cpu_per_second)
    used = samples[-1][1] - samples[0][1]
    return Level(LoadResult(load, records, elapsed=float(seconds)), used, cpu_samples=tuple(samples))


def _profile() -> ServeProfile:
    return ServeProfile(
        service_time={"distribution": "deterministic", "value": 0.010},
        overhead={"distribution": "deterministic", "value": 0.001},
        vcpus=1,
        workers=1,
        fitted={
            "rate_scale": {"rates": [10.0, 100.0], "factors": [1.0, 1.0], "cpu_per_request": [0.010, 0.010]}
        },
    )


def test_a_slow_spell_in_the_trace_raises_the_predicted_tail_at_the_same_mean_speed() -> None:
    steady = _level([0.7] * 20)
    spell = _level([0.6] * 8 + [1.1] * 3 + [0.6] * 9)  # 3 s at 1.8x the others' cost: overloaded
    flat, speed_flat = predict_at_measured_speed(_profile(), replace_samples(spell), spell.sent_times(), 1)
    traced, speed = predict_at_measured_speed(_profile(), spell, spell.sent_times(), 1)
    assert speed == pytest.approx(speed_flat)
    assert traced["p95_ms"] > 1.5 * flat["p95_ms"]
    calm, _ = predict_at_measured_speed(_profile(), steady, steady.sent_times(), 1)
    assert calm["p95_ms"] == pytest.approx(
        predict_at_measured_speed(_profile(), replace_samples(steady), steady.sent_times(), 1)[0]["p95_ms"],
        rel=0.02,
    )
    spread = speed_within([spell])
    assert spread is not None
    low, high = spread
    assert low < 1.0 < 1.4 < high


def replace_samples(level: Level) -> Level:
    """The level without its CPU samples: the prediction falls back to the level's one speed."""
    from dataclasses import replace

    return replace(level, cpu_samples=())


FIGURES = {"p50_ms": 10.0, "p95_ms": 20.0, "p99_ms": 30.0, "throughput": 30.0}


def test_the_table_says_how_far_each_open_load_moved_and_the_json_keeps_it(tmp_path: Path) -> None:
    traced = Row(
        "30.0/s", "open", 30.0, 0.3, FIGURES, FIGURES, ("p50_ms",), speed=0.9, speed_within=(0.88, 1.24)
    )
    untraced = Row("15.0/s", "open", 15.0, 0.15, FIGURES, FIGURES, ("p50_ms",), speed=1.0)
    report = ServeValidation("p.yaml", "img:1", [untraced, traced])
    lines = format_table(report).splitlines()
    assert "speed within the level (1-s windows, p10-p90): 30.0/s 0.88-1.24" in lines
    (tmp_path / "v.json").write_text(report.to_json())
    assert read_validation(tmp_path / "v.json").rows == [untraced, traced]
    assert "speed within the level" not in format_table(ServeValidation("p.yaml", "img:1", [untraced]))


def test_the_cpu_samples_are_written_beside_the_requests(tmp_path: Path) -> None:
    level = _level([0.5, 0.7])
    path = write_cpu_samples([("validate", level), ("validate repeat", level)], tmp_path / "cpu.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "phase,kind,level,t,cpu_seconds"
    assert len(lines) == 1 + 2 * len(level.cpu_samples)
    assert lines[1] == "validate,open,70.0,0.000000,0.000000000"
    assert lines[-1].startswith("validate repeat,open,70.0,2.000000,1.2")
