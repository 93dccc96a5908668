"""Which host cores the container gets (the emulated instance) and which the load generator gets.

Kept apart from the Docker runner so that `calibrate host-check`, which probes the container's
cores without a container, runs on a base install.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from simulator.errors import ScenarioError


@dataclass(frozen=True)
class Placement:
    """Which host cores the container gets (the emulated instance) and which the load generator gets."""

    container_cpus: tuple[int, ...]
    loadgen_cpus: tuple[int, ...]

    @property
    def cpuset(self) -> str:
        return ",".join(str(c) for c in self.container_cpus)


def place(vcpus: int) -> Placement:
    """Pin the container to the last `vcpus` cores and keep the rest for the load generator."""
    cores = sorted(os.sched_getaffinity(0))
    if vcpus < 1:
        raise ScenarioError("--vcpus", f"must be >= 1, got {vcpus}")
    if vcpus >= len(cores):
        raise ScenarioError(
            "--vcpus",
            f"{vcpus} vCPU(s) leave no core for the load generator on this "
            f"machine ({len(cores)} usable cores); use at most {len(cores) - 1}",
        )
    return Placement(tuple(cores[-vcpus:]), tuple(cores[:-vcpus]))
