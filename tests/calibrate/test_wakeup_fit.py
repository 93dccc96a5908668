"""Calibration's wake-up slice search on streams whose server is known: a reference station with
four workers on one core and a given slice stands in for the container, and the search must find
that slice again from the stream's median and p95 alone."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from simulator.calibrate.loads import LoadResult
from simulator.calibrate.measure import Level
from simulator.calibrate.profiles import ServeProfile
from simulator.calibrate.wakeup_fit import SLICES_S, fit_wakeup_slice
from tests.calibrate.station_streams import station_pass

RATE = 230.0  # /s: 69% of four workers' one core at 3 ms a request
SECONDS = 10.0


def _profile(workers: int) -> ServeProfile:
    return ServeProfile(
        {"distribution": "gamma", "mean": 0.003, "cv": 0.6},
        {"distribution": "deterministic", "value": 0.0005},
        vcpus=1,
        workers=workers,
    )


def _stream(profile: ServeProfile, true_slice: float, seed: int) -> Level:
    """One pass of a Poisson stream served by the reference station with `true_slice`."""
    return station_pass(profile, RATE, SECONDS, seed, wakeup_slice=true_slice)


@pytest.mark.slow  # eight searches: about 50 s each slice (make test runs it)
@pytest.mark.parametrize("true_slice", [0.0, 0.003])
def test_the_search_finds_the_slice_the_server_has(true_slice: float) -> None:
    """Over four pairs of 10-s passes: one pair's p95 moves the fitted slice by up to about 1 ms
    (0-1.01 ms for a true 0, 2.53-3.95 ms for a true 3 ms), their median lands within 0.5 ms."""
    profile = _profile(4)
    found = []
    for first in (1, 3, 5, 7):
        passes = [_stream(profile, true_slice, seed) for seed in (first, first + 1)]
        fitted = fit_wakeup_slice(profile, passes)
        assert fitted.wakeup_slice == pytest.approx(true_slice, abs=0.0011), fitted.fitted["wakeup_slice"]
        assert min(SLICES_S) <= fitted.wakeup_slice <= max(SLICES_S)
        assert fitted.fitted["wakeup_slice"]["stream"] == "230.0/s"
        found.append(fitted.wakeup_slice)
    assert float(np.median(found)) == pytest.approx(true_slice, abs=0.0005), found


def test_workers_with_a_core_each_share_nothing() -> None:
    profile = replace(_profile(1), wakeup_slice=0.002)
    fitted = fit_wakeup_slice(profile, [_stream(profile, 0.0, 1)])
    assert fitted.wakeup_slice == 0.0 and "wakeup_slice" not in fitted.fitted


def test_a_tail_no_slice_makes_leaves_equal_sharing() -> None:
    """A stream whose p95 is far beyond the longest slice's (a disturbed host) fits no slice."""
    profile = _profile(4)
    level = _stream(profile, 0.0, 1)
    records = level.result.records
    stretched = [  # every tenth request waited 60 ms more: a p95 no head start gives
        replace(r, done=r.done + (0.06 if i % 10 == 0 else 0.0)) for i, r in enumerate(records)
    ]
    disturbed = Level(LoadResult(level.load, stretched, SECONDS), cpu_seconds=math.nan)
    fitted = fit_wakeup_slice(profile, [disturbed])
    assert fitted.wakeup_slice == 0.0
    assert fitted.fitted["wakeup_slice"]["outcome"].startswith("no slice up to 8 ms")
