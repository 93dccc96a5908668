"""Run load levels against a serving container and keep what fitting and validation need.

Besides client-side records, each level notes the container's CPU seconds (from the engine's cgroup
accounting): CPU per request is the instance's real cost of a request, model time plus the
framework's share (HTTP parsing, accept, write) that the model's own timer cannot see. A level
disturbed by other processes on the instance's or the load generator's cores is measured again,
keeping the least disturbed attempt.
"""

from __future__ import annotations

import contextlib
import csv
import math
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from simulator.calibrate import _docker
from simulator.calibrate.interference import (
    MAX_INTERFERENCE,
    Interference,
    interference,
    least_disturbed,
    snapshot,
    summary_disturbance,
)
from simulator.calibrate.loadgen import run_load
from simulator.calibrate.loads import Load, LoadResult, Record, summarise
from simulator.calibrate.payloads import PayloadPool
from simulator.calibrate.placement import Placement
from simulator.calibrate.runner import Server, exit_reason
from simulator.calibrate.sampling import sampling
from simulator.calibrate.speed_trace import SpeedTrace, speed_trace
from simulator.errors import ScenarioError

MAX_ATTEMPTS = 3
CPU_SAMPLE_EVERY_S = 0.1  # ten reads of one cgroup file a second: nothing next to the load generator
NO_INTERFERENCE = Interference(0.0, 0.0)


@dataclass(frozen=True)
class Level:
    """One measured load level."""

    result: LoadResult
    cpu_seconds: float  # container CPU used during the level (nan if unknown)
    interference: Interference = NO_INTERFERENCE
    attempts: int = 1
    cpu_samples: tuple[tuple[float, float], ...] = ()  # (s from the level's start, container CPU s)

    @property
    def load(self) -> Load:
        return self.result.load

    def sent_times(self) -> np.ndarray:
        """When each request left the client: the arrival process the container really saw, which
        predictions replay."""
        return np.array([r.sent for r in self.result.records])

    @cached_property
    def speed_trace(self) -> SpeedTrace:
        """The container's speed window by window within the level (NO_TRACE when not sampled); kept
        once computed: calibration's searches replay each pass dozens of times."""
        done = np.array([r.done for r in self.result.records if r.ok])
        return speed_trace(self.cpu_samples, done)

    def cpu_per_request(self) -> float:
        n = sum(1 for r in self.result.records if r.ok)
        return self.cpu_seconds / n if n else math.nan

    def summary(self) -> dict[str, float]:
        return {
            **summarise(self.result.latencies(), self.result.throughput()),
            "requests": len(self.result.records),
            "failed": sum(1 for r in self.result.records if not r.ok),
            "cpu_per_request_ms": self.cpu_per_request() * 1e3,
            "client_lag_p99_ms": self.result.lag_p99() * 1e3,
            "client_stalled_share": self.result.stalled_share(),
            "interference_instance": self.interference.instance,
            "interference_loadgen": self.interference.loadgen,
            "attempts": self.attempts,
        }


Progress = Callable[[str], None]
"""Where a long run reports each level as it finishes (the CLI: one line on stderr)."""


def progress_line(step: str, done: int, total: int, level: Level, pass_number: int = 1) -> str:
    """One line for a finished level: a user watching a 2-4 minute run sees it move, and what it saw.
    A load measured again says which pass it is, so two equal lines never look like a repeated print."""
    figures = level.summary()
    users = int(level.load.level)
    what = (
        f"closed loop of {users} user{'' if users == 1 else 's'}"
        if level.load.kind == "closed"
        else f"Poisson {level.load.level:.1f}/s"
    ) + (f" #{pass_number}" if pass_number > 1 else "")
    line = (
        f"{step} {done}/{total}: {what}: {figures['throughput']:.1f}/s,"
        f" p50 {figures['p50_ms']:.1f} ms, p95 {figures['p95_ms']:.1f} ms"
    )
    if level.attempts == 1:
        return line
    kept = summary_disturbance(figures)
    verdict = f"still disturbed, {kept:.1%}" if kept > MAX_INTERFERENCE else f"kept at {kept:.1%}"
    return line + f" (measured {level.attempts} times: disturbed; {verdict})"


def pass_number(earlier: list[Level], load: Load) -> int:
    """Which pass over `load` the next level is, counting the levels measured before it."""
    return 1 + sum(level.load == load for level in earlier)


def by_load(levels: list[Level]) -> dict[Load, list[Level]]:
    """The passes of each load (a load measured more than once), loads in the order first measured."""
    passes: dict[Load, list[Level]] = {}
    for level in levels:
        passes.setdefault(level.load, []).append(level)
    return passes


def measure(
    server: Server,
    placement: Placement,
    load: Load,
    payloads: PayloadPool,
    seed: int,
    attempts: int = MAX_ATTEMPTS,
) -> Level:
    """Measure one level, again (up to `attempts` times) while others disturb the cores."""
    best, made = least_disturbed(
        lambda: _measure_once(server, placement, load, payloads, seed),
        lambda level: summary_disturbance(level.summary()),
        attempts,
    )
    return replace(best, attempts=made)


def _measure_once(
    server: Server, placement: Placement, load: Load, payloads: PayloadPool, seed: int
) -> Level:
    """Run one load level against the server, checking the container survived it."""
    cores = (placement.container_cpus, placement.loadgen_cpus)
    before = _docker.container_cpu_seconds(server.container)
    snap = snapshot(*cores)
    url = f"{server.url}/invocations"
    try:
        with sampling_cpu(server, placement.loadgen_cpus) as samples:
            result = run_load(url, load, payloads, seed=seed, cpus=set(placement.loadgen_cpus))
    except ScenarioError:
        _raise_if_stopped(server, load)  # a dead container is the cause, not the refused requests
        raise
    snap_after = snapshot(*cores)
    after = _docker.container_cpu_seconds(server.container)
    _raise_if_stopped(server, load)
    failed = sum(1 for r in result.records if not r.ok)
    if failed > 0.01 * len(result.records):
        example = next(r for r in result.records if not r.ok)
        raise ScenarioError(
            "--image",
            f"{failed}/{len(result.records)} requests failed at {load.label()} "
            f"(e.g. status {example.status} {example.error})",
        )
    used = after - before
    return Level(result, used, interference(snap, snap_after, used, *cores), cpu_samples=tuple(samples))


def sampling_cpu(
    server: Server, cpus: tuple[int, ...]
) -> contextlib.AbstractContextManager[list[tuple[float, float]]]:
    """Read the container's CPU seconds every CPU_SAMPLE_EVERY_S while the body runs a load, from a
    thread on the load generator's cores (never the instance's); the list yielded fills with (seconds
    since the body started, CPU seconds). The load's own clock starts as its event loop does, a few
    milliseconds later: well inside a speed window."""
    start = time.perf_counter()
    return sampling(
        lambda: (time.perf_counter() - start, _docker.container_cpu_seconds(server.container)),
        CPU_SAMPLE_EVERY_S,
        cpus=cpus,
        at_edges=True,
    )


def _raise_if_stopped(server: Server, load: Load) -> None:
    server.container.reload()
    if server.container.status != "running":
        raise ScenarioError("--image", exit_reason(server.container, f"during load {load.label()}"))


@contextlib.contextmanager
def kept_on_failure(levels: list[tuple[str, Level]], path: Path, shown: Path) -> Iterator[None]:
    """If measuring fails or is interrupted, write the levels measured so far to `path` in the staging
    directory, and name `shown`, where the staged write puts them (simulator/staging.py, keep_partial)."""
    try:
        yield
    except (ScenarioError, KeyboardInterrupt) as exc:
        if not levels:
            raise
        write_records(levels, path)
        kept = f"the {len(levels)} level(s) measured before are kept in {shown}"
        if isinstance(exc, KeyboardInterrupt):
            print(f"interrupted: {kept}", file=sys.stderr)
            raise
        raise ScenarioError(exc.path, f"{exc.reason}; {kept}") from None


def write_cpu_samples(levels: list[tuple[str, Level]], path: Path) -> Path:
    """The container's CPU seconds as sampled during every level (`sampling_cpu`), one CSV row per
    sample, the levels in the order of the requests file: what the speed traces were computed from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["phase", "kind", "level", "t", "cpu_seconds"])
        for phase, level in levels:
            for t, cpu in level.cpu_samples:
                out.writerow([phase, level.load.kind, level.load.level, f"{t:.6f}", f"{cpu:.9f}"])
    return path


def write_records(levels: list[tuple[str, Level]], path: Path) -> Path:
    """Every request of every level, one CSV row each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["phase", "kind", "level", *(column.name for column in fields(Record))])
        for phase, level in levels:
            for r in level.result.records:
                times = [f"{t:.6f}" for t in (r.scheduled, r.sent, r.done)]
                server = [f"{t:.9f}" for t in (r.model_time, r.cpu_time)]
                out.writerow([phase, level.load.kind, level.load.level, *times, r.status, *server, r.error])
    return path
