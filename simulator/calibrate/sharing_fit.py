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
search; below OVERLAP_RATIO the slots are fitted: the count on SLOT_GRID with which the model, its
service time matched to each pass's median, gives the busiest stream's p95 (as the wake-up slice is
fitted), a larger count kept only when it is clearly closer. Replaying validation's send times of 15
FastAPI runs at the measured speed, slots fitted this way met the p50 and p95 targets at 30-80% load
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

OVERLAP_RATIO = 0.90  # between the one-at-a-time servers' lowest (0.95) and FastAPI's highest (0.82)
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


def fit_shared_slots(
    profile: ServeProfile, open_levels: list[Level], in_flight: Mapping[str, Mapping[str, object]]
) -> ServeProfile:
    """The profile with the slots its requests really share the core in (`workers`), and why in
    `fitted.sharing`. Only a one-slot model on one core is examined: more slots or cores came from
    the parallelism probe or the user, and are kept."""
    ratio = overlap_ratio(in_flight)
    record: dict[str, object] = {
        "overlap_ratio": None if ratio is None else round(ratio, 4),
        "threshold": OVERLAP_RATIO,
    }
    kept = None
    if profile.workers != 1 or profile.vcpus != 1:
        kept = "slots from the parallelism probe or --server-workers, kept"
    elif ratio is None or not open_levels:
        kept = f"too few completion gaps to tell (under {MIN_GAPS} with one, or two to three, in flight)"
    elif ratio >= OVERLAP_RATIO:
        kept = "one request at a time: the one-in-flight gap is a whole service time"
    if kept is not None:
        record["slots"] = profile.workers
        record["method"] = kept
        return replace(profile, fitted={**profile.fitted, "sharing": record})
    busiest = max(open_levels, key=lambda level: level.load.level).load
    passes = [level for level in open_levels if level.load == busiest]
    errors = {slots: abs(p95_error(replace(profile, workers=slots), passes)) for slots in SLOT_GRID}
    chosen = SLOT_GRID[0]
    for slots in SLOT_GRID[1:]:
        if errors[slots] < errors[chosen] - CLEARLY_CLOSER:
            chosen = slots
    record["p95_log_error_by_slots"] = {
        str(slots): round(error, 4) if math.isfinite(error) else None for slots, error in errors.items()
    }
    record["slots"] = chosen
    record["method"] = (
        "requests share the core (the one-in-flight gap is short): slots whose model gives the busiest"
        " stream's p95 at its median-matching service time"
    )
    return replace(profile, workers=chosen, fitted={**profile.fitted, "sharing": record})
