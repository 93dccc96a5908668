"""Calibration's test of whether requests share the core, on streams whose server is known: the
reference station serving one request at a time, or sharing its core among several, stands in for
the container. One at a time, the request left in flight starts when the one before it leaves, so the
gap to the next completion is a whole service time."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level
from simulator.calibrate.profiles import ServeProfile, sample
from simulator.calibrate.queue_sim import simulate_station
from simulator.calibrate.serve import busy_gaps
from simulator.calibrate.sharing_fit import fit_shared_slots, overlap_ratio

RATE = 60.0  # /s: 72% of one core at 12 ms a request
SECONDS = 16.0


def _profile(workers: int = 1, cv: float = 0.3) -> ServeProfile:
    return ServeProfile(
        {"distribution": "gamma", "mean": 0.012, "cv": cv},
        {"distribution": "deterministic", "value": 0.001},
        vcpus=1,
        workers=workers,
    )


def _stream(true_slots: int, seed: int, cv: float = 0.3) -> Level:
    """One pass of a Poisson stream served by the reference station with `true_slots` sharing a core."""
    profile = _profile(true_slots, cv)
    rng = np.random.default_rng(seed)
    sent = np.cumsum(rng.exponential(1.0 / RATE, int(RATE * SECONDS)))
    run = simulate_station(
        sample(profile.service_time, rng, len(sent)),
        sample(profile.overhead, rng, len(sent)),
        vcpus=1,
        workers=true_slots,
        arrival_times=sent,
        warmup_s=-1.0,
    )
    records = [Record(s, s, s + lat, 200) for s, lat in zip(run.sent, run.latency, strict=True)]
    load = Load("open", RATE, len(records), SECONDS)
    return Level(LoadResult(load, records, SECONDS), cpu_seconds=math.nan)


def test_one_request_at_a_time_gives_whole_service_gaps() -> None:
    """Constant service, one slot: a gap is the service time in every band (a request still on its way
    to the server, in the client's count, lengthens a few by its transit: 0.2% here)."""
    passes = [_stream(1, seed, cv=1e-9) for seed in (1, 2)]
    assert overlap_ratio(busy_gaps(passes)) == pytest.approx(1.0, abs=0.005)


def test_one_request_at_a_time_keeps_one_slot() -> None:
    passes = [_stream(1, seed) for seed in (1, 2)]
    in_flight = busy_gaps(passes)
    ratio = overlap_ratio(in_flight)
    assert ratio is not None and ratio == pytest.approx(1.0, abs=0.08)
    fitted = fit_shared_slots(_profile(), passes, in_flight)
    assert fitted.workers == 1 and fitted.fitted["sharing"]["slots"] == 1
    assert fitted.fitted["sharing"]["method"].startswith("one request at a time")
    assert "p95_log_error_by_slots" not in fitted.fitted["sharing"]  # not searched


SHORT_LAST_GAP = {  # FastAPI's pooled bands in one matrix run (ms): the one left had part of its work done
    "stream": {
        "mean_gap_ms": {"1": 8.6, "2-3": 11.8, "4-9": 13.5},
        "gaps": {"1": 478, "2-3": 546, "4-9": 596},
    }
}


def test_requests_sharing_the_core_get_the_slots_that_give_their_tail() -> None:
    """Streams from 16 slots sharing one core: the search finds many slots, not one."""
    passes = [_stream(16, seed) for seed in (1, 2)]
    assert overlap_ratio(SHORT_LAST_GAP) == pytest.approx(8.6 / 11.8)
    fitted = fit_shared_slots(_profile(), passes, SHORT_LAST_GAP)
    assert fitted.workers >= 8, fitted.fitted["sharing"]
    errors = fitted.fitted["sharing"]["p95_log_error_by_slots"]
    assert errors[str(fitted.workers)] < errors["1"] - 0.02


def test_only_a_one_slot_model_on_one_core_is_examined() -> None:
    """Slots from the parallelism probe (worker processes) or the user are kept as they are."""
    fitted = fit_shared_slots(_profile(4), [_stream(16, 1)], SHORT_LAST_GAP)
    assert fitted.workers == 4 and fitted.fitted["sharing"]["slots"] == 4
    assert fitted.fitted["sharing"]["method"].startswith("slots from the parallelism probe")


def test_too_few_gaps_decide_nothing() -> None:
    fitted = fit_shared_slots(_profile(), [_stream(16, 1)], {})
    assert fitted.workers == 1 and fitted.fitted["sharing"]["method"].startswith("too few completion gaps")
    assert overlap_ratio({}) is None
    thin = {"10.0/s": {"mean_gap_ms": {"1": 8.0, "2-3": 12.0}, "gaps": {"1": 200, "2-3": 29}}}
    assert overlap_ratio(thin) is None
    pooled = {
        "a": {"mean_gap_ms": {"1": 8.0, "2-3": 12.0}, "gaps": {"1": 100, "2-3": 20}},
        "b": {"mean_gap_ms": {"1": 10.0, "2-3": 10.0}, "gaps": {"1": 100, "2-3": 20}},
    }
    assert overlap_ratio(pooled) == pytest.approx(9.0 / 11.0)
