"""Predict a training job's completion time under a stop schedule from its training profile.

The job is replayed step by step: startup (or restore, once a checkpoint exists), steps of the
profiled mean time with a periodic checkpoint write every `checkpoint_every` steps. The job looks
at SIGTERM after each step (before the periodic write), so a stop requested `stop_after` seconds
into a run takes effect when the step running then ends (or the next one, during a write or the
startup); it then writes a checkpoint if the job does that on SIGTERM (otherwise progress falls back
to the last periodic checkpoint: lost work), and the container exits; its replacement starts after
the relaunch delay.

Lost work is a sawtooth of where a stop falls between two periodic checkpoints: a run 2% faster or
slower than the profile's mean can move a stop across a checkpoint and change the work redone by a
whole interval (1.25 s in the example job, 5% of its completion time per stop). With `replications`
the prediction is the expectation over that uncertainty: each replication draws every phase from the
profile's distributions and each run's step time from the run-to-run spread measured in calibration
(`run_speed_cv`), and the completion times are averaged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.calibrate.profiles import TRAIN_PHASES, TrainProfile, sample


@dataclass(frozen=True)
class Prediction:
    completion: float  # seconds from the first container start to the last exit
    runs: int
    lost_work: float  # seconds of steps done again after stops
    checkpoints: int


def predict_completion(
    profile: TrainProfile,
    stop_after: list[float],
    *,
    sigterm_checkpoint: bool | None = None,
    replications: int = 0,
    seed: int = 0,
) -> Prediction:
    """Completion time when run i is stopped stop_after[i] seconds after its start (then one last run).

    replications 0: one replay with every phase at its mean; otherwise the mean of that many replays
    with phases and per-run speeds drawn at random (runs, lost work and checkpoints averaged too).
    """
    on_sigterm = profile.sigterm_checkpoint if sigterm_checkpoint is None else sigterm_checkpoint
    if replications <= 0:
        means = {
            k: float(sample(getattr(profile, k), np.random.default_rng(0), 20_000).mean())
            for k in TRAIN_PHASES
        }
        return _replay(profile, stop_after, on_sigterm, lambda key: means[key], lambda: profile.step_time)
    rng = np.random.default_rng(seed)
    block = replications * (len(stop_after) + 2)
    draws = {k: sample(getattr(profile, k), rng, block) for k in TRAIN_PHASES}
    cursor = dict.fromkeys(TRAIN_PHASES, 0)

    def phase(key: str) -> float:
        if cursor[key] == len(draws[key]):  # drawn in blocks; checkpoint writes need many
            draws[key] = sample(getattr(profile, key), rng, block)
            cursor[key] = 0
        cursor[key] += 1
        return float(draws[key][cursor[key] - 1])

    def run_step_time() -> float:
        return profile.step_time * max(0.5, 1.0 + profile.run_speed_cv * float(rng.standard_normal()))

    runs = [_replay(profile, stop_after, on_sigterm, phase, run_step_time) for _ in range(replications)]
    return Prediction(
        float(np.mean([r.completion for r in runs])),
        round(float(np.mean([r.runs for r in runs]))),
        float(np.mean([r.lost_work for r in runs])),
        round(float(np.mean([r.checkpoints for r in runs]))),
    )


def _replay(
    profile: TrainProfile,
    stop_after: list[float],
    on_sigterm: bool,
    phase: Callable[[str], float],
    run_step_time: Callable[[], float],
) -> Prediction:
    """One replay of the schedule; phase(name) gives each phase's duration as it happens."""
    every = profile.checkpoint_every
    total = lost = 0.0
    saved = checkpoints = 0
    for runs, stop in enumerate([*stop_after, None], start=1):
        t = phase("restore") if saved else phase("startup")
        step_time = run_step_time()
        step = saved
        stopped = False
        while step < profile.steps:
            t += step_time
            step += 1
            if stop is not None and t >= stop:  # the job looks at SIGTERM after each step
                stopped = True
                break
            if step % every == 0 and step < profile.steps:
                t += phase("checkpoint_write")
                checkpoints += 1
        if not stopped:
            return Prediction(total + t + phase("exit"), runs, lost, checkpoints)
        if on_sigterm:
            t += phase("checkpoint_write")
            checkpoints += 1
            saved = step
        else:
            fallback = max(saved, (step - 1) // every * every)  # this step's periodic write never happened
            lost += (step - fallback) * step_time
            saved = fallback
        total += t + phase("exit") + phase("relaunch")
    raise AssertionError("unreachable: the last run has no stop")
