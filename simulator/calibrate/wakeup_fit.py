"""The wake-up slice of a server whose worker processes outnumber its cores, from its busiest stream.

Ideal processor sharing held gunicorn-multiworker's median but put its p95 15-24% short at 50-80% load:
the kernel lets a worker woken by a new request run ahead of the busy ones. The slice is the one with
which the model, its service time matched to each pass's median (`matching_factor`), also gives the
pass's p95; a longer slice spreads latency more at the same median, so the search bisects a grid
and interpolates between the two slices that bracket the measured p95. A p95 beyond what the longest
slice gives is not the kernel's doing (a matrix run's 72% stream, disturbed, had 3.9x the model's p95
with an 8 ms slice, and the 8 ms profile then put the closed loops' p99 4-5x too high): the slice is
left at 0 and the profile says so.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from simulator.calibrate.matching import matching_factor
from simulator.calibrate.predict import predict
from simulator.calibrate.profiles import ServeProfile
from simulator.calibrate.rate_scale import scaled_service

if TYPE_CHECKING:  # measure needs the docker extra; fitting does not
    from simulator.calibrate.measure import Level

SLICES_S = (0.0, 0.0005, 0.001, 0.0015, 0.002, 0.0025, 0.003, 0.004, 0.005, 0.006, 0.008)
SEARCH_REPLICATIONS = 4  # replays per prediction while searching (8 for the rate table)


def p95_error(profile: ServeProfile, passes: list[Level]) -> float:
    """Mean log ratio, predicted / measured p95, over the passes, each at its median-matching factor
    and at the host's pace second by second as the pass measured it."""
    errors = []
    for level in passes:
        factor = matching_factor(profile, level, "p50_ms", replications=SEARCH_REPLICATIONS)
        predicted = predict(
            scaled_service(profile, factor),
            level.load,
            backend="internal",
            arrivals=level.sent_times(),
            replications=SEARCH_REPLICATIONS,
            speed=level.speed_trace,  # the host's slow spells are not the kernel's slice
        )["p95_ms"]
        errors.append(math.log(predicted / level.summary()["p95_ms"]))
    return float(np.mean(errors))


def fit_wakeup_slice(profile: ServeProfile, open_levels: list[Level]) -> ServeProfile:
    """The profile with the slice that best gives its busiest stream's p95 (0 when the workers have
    a core each: nothing is shared), and the search in `fitted.wakeup_slice`."""
    if profile.workers <= profile.vcpus or not open_levels:
        return replace(profile, wakeup_slice=0.0)
    busiest = max(open_levels, key=lambda level: level.load.level).load
    passes = [level for level in open_levels if level.load == busiest]
    tried: dict[float, float] = {}

    def error_at(index: int) -> float:
        slice_s = SLICES_S[index]
        if slice_s not in tried:
            tried[slice_s] = p95_error(replace(profile, wakeup_slice=slice_s), passes)
        return tried[slice_s]

    low, high = 0, len(SLICES_S) - 1
    if error_at(low) < 0 < error_at(high):  # p95 grows with the slice: bisect for the sign change
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if error_at(middle) < 0 else (low, middle)
        below, above = error_at(low), error_at(high)  # interpolated between the bracketing slices
        chosen = SLICES_S[low] + (SLICES_S[high] - SLICES_S[low]) * -below / (above - below)
        outcome = "fitted"
    elif error_at(0) >= 0:
        chosen, outcome = 0.0, "equal sharing already gives the stream's p95"
    else:  # a tail no slice makes: a disturbed stream (seen: p95 3.9x the model's at 8 ms), not the kernel
        chosen, outcome = 0.0, "no slice up to 8 ms gives the stream's p95: left at 0 (equal sharing)"
    fitted = {
        **profile.fitted,
        "wakeup_slice": {
            "stream": passes[0].load.label(),
            "p95_log_error_by_slice_ms": {f"{s * 1e3:g}": round(e, 4) for s, e in sorted(tried.items())},
            "outcome": outcome,
            "method": "the slice whose model gives the busiest stream's p95 at its median-matching speed",
        },
    }
    return replace(profile, wakeup_slice=round(chosen, 6), fitted=fitted)
