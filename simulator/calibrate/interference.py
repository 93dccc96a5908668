"""How much of the emulated instance's cores (and the load generator's) other processes took.

A measurement only describes the instance if the instance had its cores. /proc/stat gives each
core's busy time; subtracting what the container used (its cgroup's CPU accounting) leaves the time
taken by anything else on the machine: another job, a noisy neighbour, the hypervisor (steal).

The container's own threads never count: a server running eight prediction threads on one core keeps
most of them waiting for it, and that wait is the server's queueing, which the profile models, not a
disturbance (an earlier harness counted it and measured every level of such a server three times).
Interrupt time is left out too: on loopback it is mostly the load's own packets.

For the load generator what matters is whether it was delayed, which schedstat tells exactly (time
its thread was runnable but waiting). Levels measured under too much interference are repeated.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

MAX_INTERFERENCE = 0.05  # a measurement is disturbed when others took more than this share of its cores
_BUSY_FIELDS = (0, 1, 2, 7)  # user nice system steal (idle=3, iowait=4, irq=5, softirq=6 excluded)


def busy_ticks(cpus: tuple[int, ...]) -> int:
    """Clock ticks the given cores have spent busy (user, nice, system, steal) since boot."""
    total = 0
    with open("/proc/stat") as fh:
        for line in fh:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
                values = [int(v) for v in fields]
                total += sum(values[i] for i in _BUSY_FIELDS if i < len(values))
    return total


def run_queue_wait() -> float:
    """Seconds the calling thread has spent runnable but waiting for a core (schedstat)."""
    try:
        with open("/proc/thread-self/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return math.nan


@dataclass(frozen=True)
class Snapshot:
    wall: float
    instance_ticks: int
    loadgen_ticks: int
    own_cpu: float  # this process's CPU seconds (all threads): the load generator
    own_wait: float  # seconds this thread waited on a run queue (nan where schedstat is missing)


def snapshot(instance_cpus: tuple[int, ...], loadgen_cpus: tuple[int, ...]) -> Snapshot:
    return Snapshot(
        time.perf_counter(),
        busy_ticks(instance_cpus),
        busy_ticks(loadgen_cpus),
        time.process_time(),
        run_queue_wait(),
    )


@dataclass(frozen=True)
class Interference:
    instance: float  # share of the instance's core time used by processes outside the container
    loadgen: float  # share of the run the load generator was kept waiting for its core


def interference(
    before: Snapshot,
    after: Snapshot,
    container_cpu_s: float,
    instance_cpus: tuple[int, ...],
    loadgen_cpus: tuple[int, ...],
) -> Interference:
    """Foreign busy share of the instance's cores, and the load generator's wait, between snapshots."""
    wall = max(after.wall - before.wall, 1e-9)
    inst = foreign_share(
        after.instance_ticks - before.instance_ticks, container_cpu_s, wall, len(instance_cpus)
    )
    waited = after.own_wait - before.own_wait
    if math.isfinite(waited):  # the load generator's own delay: runnable but kept off its core
        gen = min(1.0, max(0.0, waited) / wall)
    else:  # fallback: what others used of its cores, an upper bound of what they took from it
        own = after.own_cpu - before.own_cpu
        gen = foreign_share(after.loadgen_ticks - before.loadgen_ticks, own, wall, len(loadgen_cpus))
    return Interference(inst, gen)


def foreign_share(ticks: int, own_cpu_s: float, wall_s: float, ncpus: int) -> float:
    """Share of ncpus cores' time over wall_s that was busy with something other than own_cpu_s."""
    if wall_s <= 0 or ncpus <= 0:
        return 0.0
    busy = ticks / os.sysconf("SC_CLK_TCK")
    own = own_cpu_s if math.isfinite(own_cpu_s) else 0.0
    return min(1.0, max(0.0, busy - own) / (wall_s * ncpus))


T = TypeVar("T")


def least_disturbed(
    attempt: Callable[[], T], disturbance: Callable[[T], float], attempts: int
) -> tuple[T, int]:
    """Measure with attempt() again (up to `attempts` times) while others disturb the cores (over
    MAX_INTERFERENCE); the least disturbed measurement and how many were made."""
    best, made = attempt(), 1
    while made < attempts and disturbance(best) > MAX_INTERFERENCE:
        again = attempt()
        made += 1
        if disturbance(again) < disturbance(best):
            best = again
    return best, made


STALL_WEIGHT = 10.0  # a share of requests sent late counts 10x a share of time lost


def summary_disturbance(summary: dict[str, float]) -> float:
    """How far a level (its summary: Level.summary, a profile's `fitted.levels`, a validation row) is
    from a fair reading: the larger of the share of time others kept the instance or the load
    generator off its cores, and 10x the share of requests sent in a burst after the client was
    frozen (0.5% of them count as much as 5% of the time)."""
    return max(
        summary.get("interference_instance", 0.0),
        summary.get("interference_loadgen", 0.0),
        STALL_WEIGHT * summary.get("client_stalled_share", 0.0),
    )
