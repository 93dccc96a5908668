"""How much of the emulated instance's cores (and the load generator's) other processes took.

A measurement only describes the instance if the instance had its cores. /proc/stat gives each
core's busy time; subtracting what the container used (cgroup accounting) leaves the share taken by
anything else on the machine: another job, a noisy neighbour. For the load generator what matters is
whether it was delayed, which schedstat tells exactly (time runnable but waiting). Levels measured
under too much interference are repeated.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

_BUSY_FIELDS = (0, 1, 2, 5, 6, 7)  # user nice system irq softirq steal (idle=3, iowait=4 excluded)


def busy_ticks(cpus: tuple[int, ...]) -> int:
    """Clock ticks the given cores have spent busy since boot."""
    total = 0
    with open("/proc/stat") as fh:
        for line in fh:
            name, *fields = line.split()
            if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
                values = [int(v) for v in fields]
                total += sum(values[i] for i in _BUSY_FIELDS if i < len(values))
    return total


def tasks_run_delay(tasks_file: Path | None) -> float:
    """Seconds the threads listed in a cgroup's tasks file have spent runnable but waiting for a core.

    For an instance whose workers do not outnumber its cores this is exactly the time others kept
    it from running: its own requests queue in the listen backlog, not on the run queue.
    """
    if tasks_file is None:
        return math.nan
    try:
        tids = tasks_file.read_text().split()
    except OSError:
        return math.nan
    total = 0
    for tid in tids:
        try:
            total += int(Path(f"/proc/{tid}/schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # the thread exited between the listing and the read
    return total / 1e9


def run_queue_wait() -> float:
    """Seconds the calling thread has spent runnable but waiting for a core (schedstat)."""
    try:
        return int(open("/proc/thread-self/schedstat").read().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return math.nan


@dataclass(frozen=True)
class Snapshot:
    wall: float
    instance_ticks: int
    loadgen_ticks: int
    own_cpu: float  # this process's CPU seconds (all threads): the load generator
    own_wait: float  # seconds this thread waited on a run queue (nan where schedstat is missing)
    instance_wait: float = math.nan  # seconds the container's threads waited on a run queue


def snapshot(
    instance_cpus: tuple[int, ...], loadgen_cpus: tuple[int, ...], instance_tasks: Path | None = None
) -> Snapshot:
    return Snapshot(
        time.perf_counter(),
        busy_ticks(instance_cpus),
        busy_ticks(loadgen_cpus),
        time.process_time(),
        run_queue_wait(),
        tasks_run_delay(instance_tasks),
    )


@dataclass(frozen=True)
class Interference:
    instance: float  # share of the run the instance was kept off its cores (else: others' share of them)
    loadgen: float  # share of the run the load generator was kept waiting for its core

    def worst(self) -> float:
        return max(self.instance, self.loadgen)


def interference(
    before: Snapshot,
    after: Snapshot,
    container_cpu_s: float,
    instance_cpus: tuple[int, ...],
    loadgen_cpus: tuple[int, ...],
) -> Interference:
    """Foreign busy share of each core group over the interval between two snapshots."""
    tick = 1.0 / os.sysconf("SC_CLK_TCK")
    wall = max(after.wall - before.wall, 1e-9)
    inst_busy = (after.instance_ticks - before.instance_ticks) * tick
    gen_busy = (after.loadgen_ticks - before.loadgen_ticks) * tick
    own = after.own_cpu - before.own_cpu
    inst = max(0.0, inst_busy - container_cpu_s) / (wall * len(instance_cpus)) if instance_cpus else 0.0
    kept_waiting = after.instance_wait - before.instance_wait
    if math.isfinite(kept_waiting):  # what others took *from the instance*, not what it left idle
        inst = max(0.0, kept_waiting) / (wall * len(instance_cpus))
    waited = after.own_wait - before.own_wait
    if math.isfinite(waited):  # the load generator's own delay: runnable but kept off its core
        gen = max(0.0, waited) / wall
    else:  # fallback: what others used of its cores, an upper bound of what they took from it
        gen = max(0.0, gen_busy - own) / (wall * len(loadgen_cpus)) if loadgen_cpus else 0.0
    return Interference(min(inst, 1.0), min(gen, 1.0))


def foreign_share(ticks: int, own_cpu_s: float, wall_s: float, ncpus: int) -> float:
    """Share of ncpus cores' time over wall_s that was busy with something other than own_cpu_s."""
    if wall_s <= 0 or ncpus <= 0:
        return 0.0
    busy = ticks / os.sysconf("SC_CLK_TCK")
    return min(1.0, max(0.0, busy - own_cpu_s) / (wall_s * ncpus))
