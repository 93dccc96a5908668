"""Calibrate and validate a training image against spot-style stops.

Calibration runs the job once without interruption (work, step and checkpoint-write times, startup),
then once more stopped at random moments with `docker stop` and restarted on the same checkpoint
directory (restore time, exit and relaunch delays, lost work). Validation replays other stop schedules
on the container and compares the measured completion time with `predict_completion`.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from simulator.calibrate.fitting import fit_distribution
from simulator.calibrate.interference import least_disturbed
from simulator.calibrate.placement import place
from simulator.calibrate.profiles import TrainProfile, read_train_profile, write_profile
from simulator.calibrate.results import COMPLETION_TARGET, TrainCase, TrainValidation
from simulator.calibrate.train_predict import predict_completion
from simulator.calibrate.train_runner import JobDir, Run, run_container
from simulator.errors import ScenarioError
from simulator.staging import check_out, staged_directory
from simulator.wording import signed_percent

STOP_WINDOW_S = (2.5, 7.0)  # each run is stopped uniformly this long after its start
DEFAULT_HYPERPARAMETERS: dict[str, Any] = {
    "steps": 800,
    "checkpoint_every": 50,
    "hidden": 1024,
    "batch_size": 256,
}
PREDICTIONS = 400  # replays averaged per predicted completion time (train_predict)
TRAIN_PROFILE_FILE = "train-profile.yaml"
MAX_ATTEMPTS = 2


@dataclass(frozen=True)
class TrainPlan:
    hyperparameters: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_HYPERPARAMETERS))
    stops: int = 3  # random stops in the interrupted calibration run
    stop_window_s: tuple[float, float] = STOP_WINDOW_S  # stop this long after each container start


def random_schedule(n: int, window: tuple[float, float], seed: int) -> list[float]:
    """n stop moments, each uniform in window seconds after its run starts."""
    return [round(float(x), 3) for x in np.random.default_rng(seed).uniform(*window, n)]


def run_schedule(
    image: str, job: JobDir, stop_after: list[float], *, cpuset: str, memory: str | None
) -> list[Run]:
    """Fresh job, stopped per schedule and relaunched on the same checkpoints until it completes.

    Repeated (up to MAX_ATTEMPTS times) while other processes take more than MAX_INTERFERENCE of the
    container's cores; the least disturbed attempt is returned.
    """

    def attempt() -> list[Run]:
        job.reset_checkpoints()
        runs: list[Run] = []
        for stop in [*stop_after, None]:
            runs.append(run_container(image, job, cpuset=cpuset, memory=memory, stop_after_s=stop))
            if runs[-1].completed:
                return runs
        raise ScenarioError("train", "the job did not complete after its last relaunch")

    return least_disturbed(attempt, schedule_interference, MAX_ATTEMPTS)[0]


def schedule_interference(runs: list[Run]) -> float:
    """Wall-time weighted share of the cores others took during the runs."""
    walls = [max(r.exited - r.started, 1e-9) for r in runs]
    return float(np.average([r.interference for r in runs], weights=walls))


def completion_time(runs: list[Run]) -> float:
    return runs[-1].exited - runs[0].started


def calibrate_train(
    image: str,
    *,
    out: Path,
    vcpus: int = 1,
    memory: str | None = None,
    plan: TrainPlan | None = None,
    seed: int = 0,
) -> Path:
    """Measure the training image and write out/train-profile.yaml (returned) and out/train-runs.json
    (staged: --out is checked before the runs and changes only once they all finished)."""
    check_out(out, "calibrate train")
    plan = plan or TrainPlan()
    cpuset = place(vcpus).cpuset
    with tempfile.TemporaryDirectory(prefix="sagesim-train-") as tmp:
        job = JobDir.create(Path(tmp), plan.hyperparameters, seed=seed)
        clean = run_schedule(image, job, [], cpuset=cpuset, memory=memory)
        schedule = random_schedule(plan.stops, plan.stop_window_s, seed)
        stopped = run_schedule(image, job, schedule, cpuset=cpuset, memory=memory)
    steps = int(clean[0].last_step)
    step_times = np.array([t for run in clean + stopped for t in run.step_times()])
    writes = np.array([w for run in clean + stopped for w in run.checkpoint_writes()])
    restores = np.array([r.ready_s for r in stopped[1:]])
    exits = np.array([r.exited - float(r.events[-1]["t"]) for r in clean + stopped])
    relaunch = np.array([b.started - a.exited for a, b in itertools.pairwise(stopped)])
    startups = np.array([clean[0].ready_s, stopped[0].ready_s])
    lost = [(a.last_step - b.start_step) * float(np.mean(step_times)) for a, b in itertools.pairwise(stopped)]
    hp = {**DEFAULT_HYPERPARAMETERS, **plan.hyperparameters}
    sigterm = str(hp.get("sigterm_checkpoint", "true")).lower() == "true"
    # each run's mean step time, where it had enough steps to say: its spread between runs (fresh containers)
    means = [float(np.mean(r.step_times())) for r in clean + stopped if len(r.step_times()) >= 20]
    profile = TrainProfile(
        work=float(step_times.mean() * steps),
        steps=steps,
        checkpoint_every=int(hp["checkpoint_every"]),
        startup=_dist(startups),
        restore=_dist(restores),
        checkpoint_write=_dist(writes),
        exit=_dist(exits),
        relaunch=_dist(relaunch),
        sigterm_checkpoint=sigterm,
        vcpus=vcpus,
        run_speed_cv=float(np.std(means, ddof=1) / np.mean(means)) if len(means) >= 2 else 0.0,
        fitted={
            "image": image,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "cpuset": cpuset,
            "hyperparameters": {k: str(v) for k, v in hp.items()},
            "step_time": {
                "mean": float(step_times.mean()),
                "cv": float(step_times.std() / step_times.mean()),
                "samples": len(step_times),
            },
            "samples": {"checkpoint_writes": len(writes), "restores": len(restores), "stops": len(schedule)},
            "calibration_schedule": schedule,
            "interference": {
                "uninterrupted": schedule_interference(clean),
                "stopped": schedule_interference(stopped),
            },
            "lost_work_per_stop": lost,
            "completion": {"uninterrupted": completion_time(clean), "stopped": completion_time(stopped)},
            "training_job": {  # the same figures as a scenario's training_job fragment
                "work": float(step_times.mean() * steps),
                "startup_time": float(startups.mean()),
                "checkpoint": {
                    "interval": float(step_times.mean() * int(hp["checkpoint_every"])),
                    "write_time": float(writes.mean()),
                    "restore_time": max(float(restores.mean() - startups.mean()), 0.0),
                },
            },
        },
    )
    with staged_directory(out, "calibrate train") as staging:
        (staging / "train-runs.json").write_text(
            json.dumps({"uninterrupted": [asdict(r) for r in clean], "stopped": [asdict(r) for r in stopped]})
        )
        write_profile(profile, staging / TRAIN_PROFILE_FILE)
    return out / TRAIN_PROFILE_FILE


def _dist(samples: np.ndarray) -> dict[str, Any]:
    """A small-sample fit: deterministic for one sample, gamma by moments below 200 samples."""
    x = np.asarray(samples, dtype=float)
    if x.size == 0:
        raise ScenarioError("train", "a phase was never observed; increase stops")
    if x.size < 200:
        mean = float(max(x.mean(), 1e-6))
        cv = float(x.std() / mean) if x.size > 1 else 0.0
        if cv < 1e-3:
            return {"distribution": "deterministic", "value": mean}
        return {"distribution": "gamma", "mean": mean, "cv": min(cv, 10.0)}
    return fit_distribution(x).distribution


def validate_train(
    image: str,
    profile_path: Path,
    *,
    out: Path,
    memory: str | None = None,
    seed: int = 100,
    figure: Callable[[TrainValidation, Path], object] | None = None,
) -> TrainValidation:
    """Run the container under stop schedules not used in calibration; compare completion times. The
    files (and the figure, if given a writer for it) go beside the profile's when --out is its
    directory, staged like calibrate train's."""
    check_out(out, "validate", joins=("calibrate train",))
    profile = read_train_profile(profile_path)
    placement = place(profile.vcpus)
    schedules = {
        "3 stops, checkpoint on SIGTERM": (random_schedule(3, STOP_WINDOW_S, seed), True),
        "3 stops, periodic checkpoints only": (random_schedule(3, STOP_WINDOW_S, seed + 1), False),
    }
    hp = dict(profile.fitted.get("hyperparameters", DEFAULT_HYPERPARAMETERS))
    report = TrainValidation(str(profile_path), image)
    with tempfile.TemporaryDirectory(prefix="sagesim-train-") as tmp:
        for name, (stops, sigterm) in schedules.items():
            job = JobDir.create(
                Path(tmp) / f"case{len(report.cases)}",
                {**hp, "sigterm_checkpoint": str(sigterm).lower()},
                seed=seed,
            )
            runs = run_schedule(image, job, stops, cpuset=placement.cpuset, memory=memory)
            steps = [t for run in runs for t in run.step_times()]  # steps without a checkpoint write
            speed = (
                float(np.mean(steps)) / profile.step_time if steps else 1.0
            )  # the runs' over the profile's
            pred, at_speed = (  # at the profile's step time, and at the one the runs had
                predict_completion(model, stops, sigterm_checkpoint=sigterm, replications=PREDICTIONS)
                for model in (profile, replace(profile, work=profile.work * speed))
            )
            report.cases.append(
                TrainCase(
                    name,
                    stops,
                    sigterm,
                    completion_time(runs),
                    pred.completion,
                    len(runs),
                    pred.runs,
                    schedule_interference(runs),
                    speed,
                    at_speed.completion,
                )
            )
    with staged_directory(out, "validate", joins=("calibrate train",)) as staging:
        (staging / "train-validation.json").write_text(
            json.dumps(
                {
                    "profile": report.profile,
                    "image": image,
                    "passed": report.passed(),
                    "passed_at_speed": report.passed_at_speed(),
                    "target": COMPLETION_TARGET,
                    "cases": [
                        {**asdict(c), "error": c.error(), "error_at_speed": c.error_at_speed()}
                        for c in report.cases
                    ],
                },
                indent=2,
            )
        )
        (staging / "train-validation.txt").write_text(format_train_table(report) + "\n")
        if figure is not None:
            figure(report, staging / "train-validation.png")
    return report


def format_train_table(report: TrainValidation) -> str:
    head = (
        f"{'schedule':<36} {'stops (s after start)':<22} {'measured s':>10} {'predicted s':>11} {'err':>7}"
        f" | {'speed':>5} {'at speed s':>10} {'err':>7} | {'others':>6}"
    )
    lines = [head, "-" * len(head)]
    for c in report.cases:
        stops = ",".join(f"{s:.1f}" for s in c.stop_after)
        lines.append(
            f"{c.name:<36} {stops:<22} {c.measured:>10.2f} {c.predicted:>11.2f} "
            f"{signed_percent(c.error(), 7)}"
            f" | {c.speed:>5.2f} {c.predicted_at_speed:>10.2f} {signed_percent(c.error_at_speed(), 7)} |"
            f" {c.interference:>6.1%}"
        )
    lines += [
        f"completion time held to |error| <= {COMPLETION_TARGET:.0%}: "
        f"{'PASS' if report.passed() else 'FAIL'}; at the measured speed: "
        f"{'PASS' if report.passed_at_speed() else 'FAIL'}",
        "speed: the runs' mean step time / calibration's (this testbed's drift between runs);"
        " at speed: predicted with the step time scaled by it",
        "others: share of the instance's cores other processes took",
    ]
    return "\n".join(lines)
