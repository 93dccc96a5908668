"""Predict a training job's completion time under a stop schedule from its training profile.

The job is replayed step by step: startup (or restore, once a checkpoint exists), steps of the
profiled mean time with a periodic checkpoint write every `checkpoint_every` steps. The job looks
at SIGTERM after each step (before the periodic write), so a stop requested `stop_after` seconds
into a run takes effect when the step running then ends (or the next one, during a write or the
startup); it then writes a checkpoint if the job does that on SIGTERM (otherwise progress falls back
to the last periodic checkpoint: lost work), and the container exits; its replacement starts after
the relaunch delay.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.calibrate.profiles import TrainProfile, sample


def _mean(dist: dict[str, object]) -> float:
    return float(sample(dist, np.random.default_rng(0), 20_000).mean())  # type: ignore[arg-type]


@dataclass(frozen=True)
class Prediction:
    completion: float  # seconds from the first container start to the last exit
    runs: int
    lost_work: float  # seconds of steps done again after stops
    checkpoints: int


def predict_completion(
    profile: TrainProfile, stop_after: list[float], *, sigterm_checkpoint: bool | None = None
) -> Prediction:
    """Completion time when run i is stopped stop_after[i] seconds after its start (then one last run)."""
    on_sigterm = profile.sigterm_checkpoint if sigterm_checkpoint is None else sigterm_checkpoint
    step_time = profile.step_time
    startup, restore = _mean(profile.startup), _mean(profile.restore)
    write, exit_s, relaunch = _mean(profile.checkpoint_write), _mean(profile.exit), _mean(profile.relaunch)
    every = profile.checkpoint_every
    total = lost = 0.0
    saved = checkpoints = 0
    for runs, stop in enumerate([*stop_after, None], start=1):
        t = restore if saved else startup
        step = saved
        stopped = False
        while step < profile.steps:
            t += step_time
            step += 1
            if stop is not None and t >= stop:  # the job looks at SIGTERM after each step
                stopped = True
                break
            if step % every == 0 and step < profile.steps:
                t += write
                checkpoints += 1
        if not stopped:
            return Prediction(total + t + exit_s, runs, lost, checkpoints)
        if on_sigterm:
            t += write
            checkpoints += 1
            saved = step
        else:
            fallback = max(saved, (step - 1) // every * every)  # this step's periodic write never happened
            lost += (step - fallback) * step_time
            saved = fallback
        total += t + exit_s + relaunch
    raise AssertionError("unreachable: the last run has no stop")
