"""Run load levels against a serving container and keep what fitting and validation need.

Besides client-side records, each level notes the container's CPU seconds (from the engine's cgroup
accounting): CPU per request is the instance's real cost of a request, model time plus the
framework's share (HTTP parsing, accept, write) that the model's own timer cannot see.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import docker.errors
import numpy as np
from docker.models.containers import Container

from simulator.calibrate.loadgen import Load, LoadResult, run_load
from simulator.calibrate.payloads import PayloadPool
from simulator.calibrate.runner import Placement, Server
from simulator.errors import ScenarioError


@dataclass(frozen=True)
class Level:
    """One measured load level."""

    result: LoadResult
    cpu_seconds: float  # container CPU used during the level (nan if unknown)

    @property
    def load(self) -> Load:
        return self.result.load

    def cpu_per_request(self) -> float:
        n = sum(1 for r in self.result.records if r.ok)
        return self.cpu_seconds / n if n else math.nan

    def summary(self) -> dict[str, float]:
        lat = self.result.latencies()
        p50, p95, p99 = np.percentile(lat, [50, 95, 99]) * 1e3 if lat.size else (math.nan,) * 3
        return {
            "p50_ms": float(p50),
            "p95_ms": float(p95),
            "p99_ms": float(p99),
            "mean_ms": float(lat.mean() * 1e3) if lat.size else math.nan,
            "throughput": self.result.throughput(),
            "requests": len(self.result.records),
            "failed": sum(1 for r in self.result.records if not r.ok),
            "cpu_per_request_ms": self.cpu_per_request() * 1e3,
            "client_lag_p99_ms": self.result.lag_p99() * 1e3,
        }


def container_cpu_seconds(container: Container) -> float:
    """Total CPU seconds the container has used so far."""
    try:
        stats = container.stats(stream=False, one_shot=True)
        return float(stats["cpu_stats"]["cpu_usage"]["total_usage"]) / 1e9
    except (docker.errors.DockerException, KeyError, TypeError, ValueError):
        return math.nan


def measure(server: Server, placement: Placement, load: Load, payloads: PayloadPool, seed: int) -> Level:
    """Run one load level against the server, checking the container survived it."""
    before = container_cpu_seconds(server.container)
    result = run_load(
        f"{server.url}/invocations", load, payloads, seed=seed, cpus=set(placement.loadgen_cpus)
    )
    after = container_cpu_seconds(server.container)
    server.container.reload()
    if server.container.status != "running":
        raise ScenarioError(
            "--image", f"container stopped during load {load.label()} (status {server.container.status})"
        )
    failed = sum(1 for r in result.records if not r.ok)
    if failed > 0.01 * len(result.records):
        example = next(r for r in result.records if not r.ok)
        raise ScenarioError(
            "--image",
            f"{failed}/{len(result.records)} requests failed at {load.label()} "
            f"(e.g. status {example.status} {example.error})",
        )
    return Level(result, after - before)


def write_records(levels: list[tuple[str, Level]], path: Path) -> Path:
    """Every request of every level, one CSV row each."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "phase",
                "kind",
                "level",
                "scheduled",
                "sent",
                "done",
                "status",
                "model_time",
                "cpu_time",
                "error",
            ]
        )
        for phase, level in levels:
            for r in level.result.records:
                out.writerow(
                    [
                        phase,
                        level.load.kind,
                        level.load.level,
                        f"{r.scheduled:.6f}",
                        f"{r.sent:.6f}",
                        f"{r.done:.6f}",
                        r.status,
                        f"{r.model_time:.9f}",
                        f"{r.cpu_time:.9f}",
                        r.error,
                    ]
                )
    return path
