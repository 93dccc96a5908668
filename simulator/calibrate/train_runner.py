"""Run a SageMaker training container on a host directory laid out as /opt/ml, stop and restart it.

`docker stop` sends SIGTERM and kills after a grace period, as a spot reclaim does (SageMaker gives
120 s). The container prints JSON-line events (start, restored, ready, step, checkpoint, sigterm,
done, failed) stamped with the wall clock it shares with the host, so every phase can be timed from
outside: container start -> ready is startup or restore, checkpoint events carry their write time.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from simulator.calibrate import _docker
from simulator.calibrate.interference import busy_ticks, foreign_share
from simulator.errors import ScenarioError

RUN_TIMEOUT_S = 900.0
STOP_GRACE_S = 10  # docker stop's grace between SIGTERM and SIGKILL


@dataclass(frozen=True)
class JobDir:
    """The host directory mounted as /opt/ml."""

    root: Path

    @classmethod
    def create(
        cls, root: Path, hyperparameters: dict[str, Any], *, rows: int = 4000, seed: int = 0
    ) -> JobDir:
        """Write hyperparameters.json (values as strings, as SageMaker does) and a synthetic channel:
        `rows` rows of 64 features in 10 classes."""
        for sub in ("input/config", "input/data/train", "model", "output", "checkpoints"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "input/config/hyperparameters.json").write_text(
            json.dumps({k: str(v) for k, v in hyperparameters.items()})
        )
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(rows, 64))
        y = (x @ rng.normal(size=(64, 10))).argmax(axis=1)
        np.savetxt(root / "input/data/train/train.csv", np.column_stack([y, x]), fmt="%.5g", delimiter=",")
        return cls(root)

    def reset_checkpoints(self) -> None:
        for path in [*(self.root / "checkpoints").glob("*"), *(self.root / "model").glob("*")]:
            path.unlink()

    def failure(self) -> str:
        path = self.root / "output/failure"
        return path.read_text()[:1024] if path.exists() else ""


@dataclass
class Run:
    """One container run: host times (time.time()) of its start, stop request and exit, and its events."""

    started: float
    exited: float
    exit_code: int
    stop_requested: float | None
    events: list[dict[str, Any]] = field(default_factory=list)
    interference: float = 0.0  # share of the container's cores other processes took while it ran

    def first(self, name: str) -> dict[str, Any] | None:
        return next((e for e in self.events if e["event"] == name), None)

    def last(self, name: str) -> dict[str, Any] | None:
        return next((e for e in reversed(self.events) if e["event"] == name), None)

    @property
    def completed(self) -> bool:
        return self.first("done") is not None

    @property
    def ready_s(self) -> float:
        """Container start -> first training step can begin (startup or restore)."""
        ready = self.first("ready")
        if ready is None:
            raise ScenarioError("train", "the training container never reported 'ready'")
        return float(ready["t"]) - self.started

    @property
    def start_step(self) -> int:
        ready = self.first("ready")
        return int(ready["step"]) if ready else 0

    @property
    def last_step(self) -> int:
        step = self.last("step")
        return int(step["step"]) if step else self.start_step

    def checkpoint_writes(self) -> list[float]:
        return [float(e["write_s"]) for e in self.events if e["event"] == "checkpoint"]

    def step_times(self) -> list[float]:
        """Durations of steps that contained no checkpoint write."""
        stamps = [(int(e["step"]), float(e["t"])) for e in self.events if e["event"] in ("ready", "step")]
        ckpt_steps = {int(e["step"]) for e in self.events if e["event"] == "checkpoint"}
        return [t1 - t0 for (s0, t0), (_, t1) in itertools.pairwise(stamps) if s0 not in ckpt_steps]


def run_container(
    image: str,
    job: JobDir,
    *,
    cpuset: str,
    memory: str | None = None,
    stop_after_s: float | None = None,
) -> Run:
    """`docker run IMAGE train` on job; `docker stop` it stop_after_s after start if still running."""
    with _docker.owned(
        image,
        "train",
        network_mode="none",
        cpuset_cpus=cpuset,
        mem_limit=memory,
        volumes={str(job.root.resolve()): {"bind": "/opt/ml", "mode": "rw"}},
        stop_signal="SIGTERM",
    ) as container:
        started = time.time()
        container.start()
        stop_requested = None
        deadline = started + RUN_TIMEOUT_S
        watch = _CpuWatch(tuple(int(c) for c in cpuset.split(",")))
        while True:
            container.reload()
            now = time.time()
            if container.status in ("exited", "dead"):
                break
            watch.poll(container)
            if stop_after_s is not None and stop_requested is None and now - started >= stop_after_s:
                stop_requested = time.time()
                container.stop(timeout=STOP_GRACE_S)
                continue
            if now > deadline:
                raise ScenarioError("train", f"training container still running after {RUN_TIMEOUT_S:g}s")
            time.sleep(0.02)
        exited = _exit_time(container, time.time())
        code = int(container.attrs.get("State", {}).get("ExitCode", -1))
        events = _events(container.logs(stdout=True, stderr=False).decode("utf-8", "replace"))
        run = Run(started, exited, code, stop_requested, events, watch.interference())
    failed = run.first("failed")
    if failed is not None or (code not in (0, 143) and stop_requested is None):
        reason = job.failure() or (failed or {}).get("reason", f"exit code {code}")
        raise ScenarioError("train", f"training container failed: {' '.join(str(reason).split())[:300]}")
    return run


class _CpuWatch:
    """Samples (wall, core busy ticks, container CPU) about twice a second while a container runs."""

    def __init__(self, cores: tuple[int, ...]) -> None:
        self.cores = cores
        self.samples: list[tuple[float, int, float]] = []

    def poll(self, container: Any) -> None:
        if self.samples and time.perf_counter() - self.samples[-1][0] < 0.5:
            return
        cpu = _docker.container_cpu_seconds(container)
        if not math.isfinite(cpu) or (self.samples and cpu < self.samples[-1][2]):
            return  # no reading, or the container is already gone (an exited one reads 0)
        self.samples.append((time.perf_counter(), busy_ticks(self.cores), cpu))

    def interference(self) -> float:
        if not self.samples or self.samples[-1][0] - self.samples[0][0] < 1.0:
            return 0.0
        wall, ticks, cpu = (b - a for a, b in zip(self.samples[0], self.samples[-1], strict=True))
        return foreign_share(int(ticks), cpu, wall, len(self.cores))


def _exit_time(container: Any, fallback: float) -> float:
    """The engine's FinishedAt timestamp (nanoseconds precision, RFC 3339), else when we saw it."""
    finished = str(container.attrs.get("State", {}).get("FinishedAt", ""))
    try:
        stamp, _, frac = finished.rstrip("Z").partition(".")
        base = dt.datetime.fromisoformat(stamp).replace(tzinfo=dt.UTC).timestamp()
        return base + (float(f"0.{frac}") if frac else 0.0)
    except ValueError:
        return fallback


def _events(text: str) -> list[dict[str, Any]]:
    events = []
    for line in text.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(event, dict) and "event" in event and "t" in event:
            events.append(event)
    return events
