"""The fitted rate table on synthetic recordings: a single FCFS server whose cost per request moves
with the traffic, as measured containers' did (dearer at 72% of the maximum than at 40%, cheapest
back to back). The fitted profile must give back what each stream was fitted to."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level
from simulator.calibrate.predict import predict
from simulator.calibrate.serve import fit_profile, fit_rate_scale

OVERHEAD_S = 0.001
MAX_RATE = 200.0  # back to back at 5 ms
COSTS = {0.4: 0.0054, 0.72: 0.0056}  # CPU per request in each open-loop stream
SERVICE = {0.4: 0.0054, 0.72: 0.0050}  # mean time in service: the 72% stream's CPU is partly off the queue


def _level(load: Load, sent: np.ndarray, service: np.ndarray, cost: float) -> Level:
    """Requests served first come, first served by one server; the container's CPU is `cost` each."""
    done, free = [], 0.0
    for t, s in zip(sent, service, strict=True):
        free = max(free, t) + s
        done.append(free + OVERHEAD_S)
    records = [Record(t, t, d, 200) for t, d in zip(sent, done, strict=True)]
    return Level(LoadResult(load, records, float(max(done))), cost * len(records))


def _one_user(rng: np.random.Generator) -> Level:
    service = rng.exponential(0.005, 2000)
    sent = np.concatenate([[0.0], np.cumsum(service + OVERHEAD_S)[:-1]])
    return _level(Load("closed", 1, 2000, 12.0), sent, service, 0.005)


def _saturated(users: int) -> Level:
    sent = np.arange(1600) / MAX_RATE
    return _level(Load("closed", users, 1600, 8.0), sent, np.full(1600, 1 / MAX_RATE), 1 / MAX_RATE)


def _stream(fraction: float, rng: np.random.Generator) -> Level:
    rate = fraction * MAX_RATE
    sent = np.cumsum(rng.exponential(1 / rate, int(rate * 16)))
    return _level(
        Load("open", rate, len(sent), 16.0),
        sent,
        rng.exponential(SERVICE[fraction], len(sent)),
        COSTS[fraction],
    )


def test_each_stream_is_given_back_and_the_busiest_is_the_reference() -> None:
    rng = np.random.default_rng(7)
    streams = [_stream(f, rng) for f in COSTS]
    saturated = [_saturated(u) for u in (4, 8, 8)]
    profile = fit_profile(_one_user(rng), streams, saturated, vcpus=1, workers=1)
    fitted = fit_rate_scale(profile, streams, saturated, MAX_RATE)
    table = fitted.fitted["rate_scale"]

    assert table["rates"] == [80.0, 144.0, MAX_RATE]
    assert table["cpu_per_request"] == pytest.approx([*COSTS.values(), 1 / MAX_RATE])
    factor = dict(zip(table["rates"], table["factors"], strict=True))
    assert factor[144.0] == 1.0  # the stored service time is the 72% stream's
    assert factor[80.0] == pytest.approx(SERVICE[0.4] / SERVICE[0.72], rel=0.05)  # the queue's, not the CPU's
    assert factor[MAX_RATE] < 1.0  # back to back is cheaper
    for stream, statistic in zip(streams, ("mean_ms", "p50_ms"), strict=True):  # what each was fitted to
        replayed = predict(fitted, stream.load, backend="internal", arrivals=stream.sent_times())
        assert replayed[statistic] == pytest.approx(stream.summary()[statistic], rel=0.05)
    assert fitted.fitted["service"]["mean"] == pytest.approx(
        profile.fitted["service"]["mean"] * table["one_user_factor"] ** -1
    )


def test_a_stream_measured_in_two_passes_is_fitted_to_both() -> None:
    """Calibration measures each stream rising, then falling; the passes' factors are combined, so a
    pass run while the machine was slow and one while it was fast give the stream's middle."""
    rng = np.random.default_rng(11)
    saturated = [_saturated(u) for u in (4, 8, 8)]
    slow, fast = _stream(0.72, rng), _stream(0.72, rng)
    fast = _level(
        fast.load, fast.sent_times(), rng.exponential(SERVICE[0.72] * 0.8, len(fast.sent_times())), 0.0048
    )
    light = _stream(0.4, rng)
    streams = [light, slow, fast, _stream(0.4, rng)]  # 40%, 72%, 72%, 40%: the order calibration runs them
    profile = fit_profile(_one_user(rng), streams, saturated, vcpus=1, workers=1)
    table = fit_rate_scale(profile, streams, saturated, MAX_RATE).fitted["rate_scale"]

    assert table["rates"] == [80.0, 144.0, MAX_RATE]  # one entry per stream, not per pass
    assert table["cpu_per_request"][1] == pytest.approx((COSTS[0.72] + 0.0048) / 2)
    assert list(profile.fitted["cpu_per_request"]) == [
        "single_user",
        "open 80.0/s",
        "open 144.0/s",
        "saturated",
    ]
    one_pass = fit_rate_scale(profile, [light, slow], saturated, MAX_RATE).fitted["rate_scale"]
    other_pass = fit_rate_scale(profile, [light, fast], saturated, MAX_RATE).fitted["rate_scale"]
    # the stored service time is the 72% stream's: with both passes it lies between the two passes'
    both = 1 / table["one_user_factor"]
    assert 1 / other_pass["one_user_factor"] < both < 1 / one_pass["one_user_factor"]
