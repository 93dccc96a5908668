"""Whether a server that keeps one core busy one request at a time still serves its requests side by
side, and with how many slots: a thread pool behind Python's GIL does.

Its runnable threads average about one (threads waiting for the GIL sleep), so the parallelism probe
gives one slot, and one first-come-first-served slot put the FastAPI stack's p95 at 50-65% load
20-50% short. The completion gaps tell the two apart (`in_flight`): a server that runs requests one
after another starts the last one in flight when the one before it leaves, so the gap to the next
completion is a whole service time, as with two or three in flight (exactly so with constant
service). Pooled over calibration's streams, the one-in-flight gap over the two-to-three one was
0.95-1.05 for the one-worker servers (the example, nginx + gunicorn + Flask; 16 profiles) and
0.58-0.82 for FastAPI's thread pool (17 profiles): the event loop reads and parses a request while
it waits for a thread, so the one left has part of its work done. (Ideal processor sharing shortens
the gap less: 0.86-1.0 in the reference station at 72% load.) So the ratio only decides whether to
search. On a host the probe finds unsteady the ratio blurs: one FastAPI run of five (2026-12-03
16:04 UTC) pooled 0.91, its busiest stream's passes 0.92 and 1.22. The parallelism probe tells the
two servers apart with a wide margin: FastAPI's threads averaged 1.33-1.49 runnable (24 profiles; the
event loop reads the next request while a pool thread computes), the one-worker servers' 1.00-1.07
(18). So requests share the core when the ratio is below OVERLAP_RATIO, or below
OVERLAP_RATIO_WITH_THREADS while more than COMPETING_THREADS threads were runnable on average.

The count is fitted on the busiest stream: the one on SLOT_GRID above one with which the model, its
service time matched to each pass's median, gives the stream's p95 (as the wake-up slice is fitted),
a larger count kept only when clearly closer. One slot is left out of that search once the gaps have
said the requests share the core: in the same five runs a disturbed stream's p95 picked one slot in
one run, and that profile's time per completion by requests in flight missed by 28.8% (median over
bands), against 10.5-13.4% for the runs fitted with 8 or 16. (Three runs after this change, with
16, 16 and 2 slots, gave 24.3%, 16.0% and 20.4%: FastAPI finishes faster with one request in flight
and slower with many, which no count of slots at one speed gives.) Replaying validation's send times of 15
FastAPI runs at the measured speed, slots fitted by p95 met the p50 and p95 targets at 30-80% load
in 85 of 120 cases, the one-slot profile in 66; see the calibrate README.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from simulator.calibrate.profiles import ServeProfile
from simulator.calibrate.wakeup_fit import p95_error

if TYPE_CHECKING:  # measure needs the docker extra; fitting does not
    from simulator.calibrate.measure import Level

OVERLAP_RATIO = 0.90  # between the one-at-a-time servers' lowest (0.95) and FastAPI's usual highest (0.82)
OVERLAP_RATIO_WITH_THREADS = 0.95  # enough when threads compete for the core (FastAPI's highest: 0.91)
COMPETING_THREADS = 1.2  # runnable threads on average: one-worker servers 1.00-1.07, FastAPI 1.33-1.49
MIN_GAPS = 30  # per band, pooled: fewer and the band's mean gap is noise
SLOT_GRID = (1, 2, 4, 8, 16, 40)  # 40: anyio's default thread pool, which FastAPI runs sync endpoints in
CLEARLY_CLOSER = 0.02  # a larger count must bring the p95's mean |log error| down by this much


def overlap_ratio(in_flight: Mapping[str, Mapping[str, object]]) -> float | None:
    """Pooled over the passes: the mean gap with one request in flight over the mean gap with two or
    three (None when either band has fewer than MIN_GAPS gaps)."""
    sums = {"1": 0.0, "2-3": 0.0}
    counts = {"1": 0, "2-3": 0}
    for stream in in_flight.values():
        means, gaps = stream.get("mean_gap_ms"), stream.get("gaps")
        if not isinstance(means, Mapping) or not isinstance(gaps, Mapping):
            continue
        for band in sums:
            if band in means and band in gaps:
                sums[band] += float(means[band]) * int(gaps[band])
                counts[band] += int(gaps[band])
    if min(counts.values()) < MIN_GAPS:
        return None
    return (sums["1"] / counts["1"]) / (sums["2-3"] / counts["2-3"])


def shares_the_core(ratio: float, runnable_threads: float | None) -> bool:
    """Whether the completion gaps (and the threads competing for the core) say requests are served
    side by side rather than one after another."""
    if ratio < OVERLAP_RATIO:
        return True
    competing = runnable_threads is not None and runnable_threads >= COMPETING_THREADS
    return competing and ratio < OVERLAP_RATIO_WITH_THREADS


def fit_shared_slots(
    profile: ServeProfile,
    open_levels: list[Level],
    in_flight: Mapping[str, Mapping[str, object]],
    runnable_threads: float | None = None,
) -> ServeProfile:
    """The profile with the slots its requests really share the core in (`workers`), and why in
    `fitted.sharing`. Only a one-slot model on one core is examined: more slots or cores came from
    the parallelism probe or the user, and are kept. `runnable_threads` is the parallelism probe's
    mean (None when it had no samples)."""
    ratio = overlap_ratio(in_flight)
    record: dict[str, object] = {
        "overlap_ratio": None if ratio is None else round(ratio, 4),
        "threshold": OVERLAP_RATIO,
        "threshold_with_competing_threads": OVERLAP_RATIO_WITH_THREADS,
        "runnable_threads_mean": None if runnable_threads is None else round(runnable_threads, 3),
    }
    kept = None
    if profile.workers != 1 or profile.vcpus != 1:
        kept = "slots from the parallelism probe or --server-workers, kept"
    elif ratio is None or not open_levels:
        kept = f"too few completion gaps to tell (under {MIN_GAPS} with one, or two to three, in flight)"
    elif not shares_the_core(ratio, runnable_threads):
        kept = "one request at a time: the one-in-flight gap is a whole service time"
    if kept is not None:
        record["slots"] = profile.workers
        record["method"] = kept
        return replace(profile, fitted={**profile.fitted, "sharing": record})
    busiest = max(open_levels, key=lambda level: level.load.level).load
    passes = [level for level in open_levels if level.load == busiest]
    errors = {slots: abs(p95_error(replace(profile, workers=slots), passes)) for slots in SLOT_GRID}
    chosen = SLOT_GRID[1]  # the gaps said more than one; one slot's error is recorded, not chosen
    for slots in SLOT_GRID[2:]:
        if errors[slots] < errors[chosen] - CLEARLY_CLOSER:
            chosen = slots
    record["p95_log_error_by_slots"] = {
        str(slots): round(error, 4) if math.isfinite(error) else None for slots, error in errors.items()
    }
    record["slots"] = chosen
    record["method"] = (
        "requests share the core (the one-in-flight gap is short): of two or more slots, those whose"
        " model gives the busiest stream's p95 at its median-matching service time"
    )
    return replace(profile, workers=chosen, fitted={**profile.fitted, "sharing": record})
