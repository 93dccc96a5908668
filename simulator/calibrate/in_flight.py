"""How long the server takes per completion while it stays busy, by how many requests are in flight.

A server's concurrency structure shows in its completion rate: with n requests in it, one busy core
finishes one every S seconds on average whether it serves them one at a time (a sync worker) or
shares itself among them (worker processes, a thread pool), and c cores working on n >= c requests
finish one every S / c. (Per band it is exact only for exponential service: under processor sharing
the request left after a departure has had part of its service, so the next gap is shorter.)
A server that slows down as requests pile up (thrashing caches, lock contention, a proxy in front
competing for the core) takes longer per completion the more are in flight.

The gaps between successive completions, counted only while requests stayed in flight, measure
that directly from the client's records, with nothing fitted: the one queueing fact any model of
the server must reproduce (for M/M/1 the gaps inside a busy period are the exponential service
times). Validation takes the profile's model's own completions, replaying the same load, through
the same estimator (`compared`), and shows both side by side.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from simulator.calibrate.loads import Record

BANDS: tuple[tuple[int, int | None], ...] = ((1, 1), (2, 3), (4, 9), (10, None))
MIN_GAPS = 30  # fewer gaps in a band say nothing about it
Gaps = tuple[np.ndarray, np.ndarray]  # (gap s, requests in flight after the earlier completion)


def band_label(band: tuple[int, int | None]) -> str:
    """'1', '2-3', '10+': how a band is named in tables, profiles and validation.json."""
    low, high = band
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}-{high}"


def completion_gaps(records: Iterable[Record], warmup_s: float = 0.0) -> Gaps:
    """The time from each completion to the next while requests stayed in flight (s), and how many
    were in flight just after the earlier one; completions before `warmup_s` are left out."""
    ok = [r for r in records if r.ok]
    return gaps_of(np.array([r.sent for r in ok]), np.array([r.done for r in ok]), warmup_s)


def gaps_of(sent: np.ndarray, done: np.ndarray, warmup_s: float = 0.0) -> Gaps:
    """`completion_gaps` from send and completion times (s), measured or simulated."""
    if len(done) < 2:
        return np.empty(0), np.empty(0, dtype=int)
    sent, done = np.sort(sent), np.sort(done)
    earlier = done[:-1]
    # "left": a request sent at the very instant of a completion (a simulated closed loop's next one)
    # is not yet in flight, as a real client's, sent just after, is not
    in_flight = np.searchsorted(sent, earlier, side="left") - np.arange(1, len(done))
    busy = (in_flight >= 1) & (earlier >= warmup_s)
    return np.diff(done)[busy], in_flight[busy]


def by_band(gaps: Gaps) -> dict[str, dict[str, float]]:
    """Per band of requests in flight with at least MIN_GAPS gaps: the mean gap (ms) and how many."""
    values, in_flight = gaps
    out: dict[str, dict[str, float]] = {}
    for band in BANDS:
        low, high = band
        chosen = (in_flight >= low) & (in_flight <= (high if high is not None else np.iinfo(np.int64).max))
        if int(chosen.sum()) >= MIN_GAPS:
            out[band_label(band)] = {"mean_ms": float(values[chosen].mean() * 1e3), "gaps": int(chosen.sum())}
    return out


def compared(measured: Gaps, model: Gaps) -> dict[str, dict[str, float]]:
    """The measured and the model's mean gap per band both have: the model's completions taken
    through the same estimator, since with more than one slot a gap that starts with one request in
    flight can end with two (an arrival meanwhile), so no closed formula per band is exact."""
    mine, theirs = by_band(measured), by_band(model)
    return {
        band: {
            "measured_ms": mine[band]["mean_ms"],
            "model_ms": theirs[band]["mean_ms"],
            "gaps": mine[band]["gaps"],
        }
        for band in mine
        if band in theirs
    }


def growth(bands: dict[str, dict[str, float]], key: str) -> float:
    """The mean gap in the deepest band (bands are kept in BANDS order) over the one with one in
    flight (nan without both): about 1.0 for a server whose completion rate holds as requests pile
    up on one core. Gaps pooled from passes at different speeds fill the deep bands mostly from the
    slower pass, so compare it with the model's, pooled the same way, not with 1.0 alone."""
    first = band_label(BANDS[0])
    if first not in bands or len(bands) < 2:
        return math.nan
    return bands[list(bands)[-1]][key] / bands[first][key]


def pooled_gaps(parts: Sequence[Gaps]) -> Gaps:
    """Several levels' (or passes') gaps as one sample: each is measured on its own records, so no
    gap spans two levels."""
    if not parts:
        return np.empty(0), np.empty(0, dtype=int)
    return np.concatenate([g for g, _ in parts]), np.concatenate([n for _, n in parts])


def band_errors(bands_per_level: Iterable[Mapping[str, Mapping[str, float]]]) -> list[float]:
    """|model / measured - 1| of every band of the given levels (validate.in_flight_gaps' rows): the
    figures CI's guard and `calibrate summarise` take the median of."""
    return [
        abs(band["model_ms"] / band["measured_ms"] - 1.0)
        for bands in bands_per_level
        for band in bands.values()
    ]
