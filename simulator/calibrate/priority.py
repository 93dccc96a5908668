"""Keep the emulated instance and the load generator on their cores when the machine is shared.

On a shared machine every login session (autogroup) weighs as much as a container, so a background
job could take half of the emulated instance's core, or delay the load generator's sends. Our
containers get a parent cgroup, and the load generator's thread a cgroup, with the largest weight
cgroup v1 allows (256x a default task): a busy neighbour then gets the instance's core only while the
instance idles, as on a dedicated instance. The weight only matters while our processes are runnable
and they are pinned to the emulated instance's cores; on an idle machine (CI) it changes nothing.
Best effort: cgroup v1 cpu controller, root.
What others still take is measured (interference.py) and reported.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

CPU_ROOT = Path("/sys/fs/cgroup/cpu")
CONTAINER_GROUP = "sagesim"
LOADGEN_GROUP = "sagesim-loadgen"
RT_RUNTIME_US = 600_000  # of every second: the load generator never takes over 60% of a core in real time
SHARES = 262144  # cgroup v1's maximum: 256x a default task, so a competing task takes ~0.4% at most


def _group(name: str) -> Path | None:
    if not (CPU_ROOT / "cpu.shares").is_file():
        return None
    group = CPU_ROOT / name
    try:
        group.mkdir(exist_ok=True)
        (group / "cpu.shares").write_text(str(SHARES))
    except OSError:
        return None
    return group


def container_parent() -> str | None:
    """The cgroup parent for our containers, or None where a weighted one cannot be made."""
    return f"/{CONTAINER_GROUP}" if _group(CONTAINER_GROUP) is not None else None


def _cpu_cgroup_of_thread() -> str | None:
    try:
        lines = Path("/proc/thread-self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "cpu" in controllers.split(","):
            return path
    return None


@contextlib.contextmanager
def weighted_thread() -> Iterator[None]:
    """Run the body with this thread (and threads it starts) in the weighted load-generator group,
    and under the round-robin real-time policy where allowed (see realtime)."""
    group = _group(LOADGEN_GROUP)
    home = _cpu_cgroup_of_thread()
    tid = str(threading.get_native_id())
    moved = False
    if group is not None and home is not None:
        budget = group / "cpu.rt_runtime_us"  # kernels with RT group scheduling need one (default 0)
        if budget.is_file():
            with contextlib.suppress(OSError):
                budget.write_text(str(RT_RUNTIME_US))
        with contextlib.suppress(OSError):
            (group / "tasks").write_text(tid)
            moved = True
    try:
        with realtime():
            yield
    finally:
        if moved and home is not None:
            with contextlib.suppress(OSError):
                (CPU_ROOT / home.lstrip("/") / "tasks").write_text(tid)


@contextlib.contextmanager
def realtime() -> Iterator[None]:
    """Run the body with this thread at the lowest real-time priority (SCHED_RR 1), best effort.

    Even at the largest CFS weight a woken load generator waits for a busy neighbour's time slice:
    measured at 4-9% of a level's time on a shared 2-core machine, every wait a late send or a late
    read of a response. A real-time thread preempts at once. It is safe because the thread is bounded
    in requests and seconds, pinned to the load generator's cores, blocks on epoll between requests,
    and the kernel caps real-time tasks (RT_RUNTIME_US of each second in our group, 95% globally).
    """
    try:
        before = os.sched_getscheduler(0), os.sched_getparam(0)
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))
    except (OSError, AttributeError):
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, before[0], before[1])
