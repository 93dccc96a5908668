"""One pass of a Poisson stream served by the reference station, wrapped as the `Level` calibration
measures from a container: tests of the fits use it where the server's structure must be known."""

from __future__ import annotations

import math

import numpy as np

from simulator.calibrate.loads import Load, LoadResult, Record
from simulator.calibrate.measure import Level
from simulator.calibrate.profiles import ServeProfile, sample
from simulator.calibrate.queue_sim import simulate_station


def station_pass(
    profile: ServeProfile, rate: float, seconds: float, seed: int, wakeup_slice: float = 0.0
) -> Level:
    """`rate`/s for `seconds`, served by `profile`'s workers on its vCPUs with `wakeup_slice`; no
    warm-up dropped, and no CPU reading (the station has no container)."""
    rng = np.random.default_rng(seed)
    sent = np.cumsum(rng.exponential(1.0 / rate, int(rate * seconds)))
    run = simulate_station(
        sample(profile.service_time, rng, len(sent)),
        sample(profile.overhead, rng, len(sent)),
        vcpus=profile.vcpus,
        workers=profile.workers,
        arrival_times=sent,
        warmup_s=-1.0,
        wakeup_slice=wakeup_slice,
    )
    records = [Record(s, s, s + lat, 200) for s, lat in zip(run.sent, run.latency, strict=True)]
    load = Load("open", rate, len(records), seconds)
    return Level(LoadResult(load, records, seconds), cpu_seconds=math.nan)
