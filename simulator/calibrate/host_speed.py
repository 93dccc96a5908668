"""How steady the cores a container gets run: a fixed block of interpreter work, timed in CPU seconds.

Calibration's accounting (`interference`) sees CPU that other processes take from the container's
cores. It cannot see the core itself running slower: a busy hyperthread sibling, another virtual
machine on the same physical core, a lower clock. Those show only as more CPU time for the same
work, and they move latency tails more than any model's error: on a shared 2-core VM (2026-12-03)
a block of 200,000 loop iterations (twice the probe's) took 24-25 ms in most 1-second windows and 29-37 ms in
others, and one block in twenty took twice the median, while the interference figure stayed at
0%. Validation's second pass of the same load then moved p95 by up to 60%.

The probe runs the block in a child process pinned to the cores, before the container starts, and
reports the median block time, the share of blocks that ran well slower than it, and how far the
1-second medians moved. `steady()` is the bar a host must clear for the accuracy targets to mean
something at 65-80% load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np

from simulator.errors import ScenarioError

SLOW_RATIO = 1.25  # a block this much over the median ran on a core at under 80% of its speed
# Steady: the slowest 1-s window within MAX_WINDOW_SPREAD of the fastest. A core slower by s raises
# utilisation u to u(1 + s), and M/M/1's time in system by (1 - u) / (1 - u(1 + s)); held to the
# 15% p95 target at 65% load that allows s = 7% (at 80%, 3%). And at most MAX_SLOW_SHARE of blocks
# slow: p95 is set by the slowest 5% of requests, which slow spells over 2% of the time reach.
MAX_WINDOW_SPREAD = 0.07
MAX_SLOW_SHARE = 0.02
WINDOW_S = 1.0
MIN_WINDOW_BLOCKS = 5  # a window's median of fewer blocks is noise
BLOCK_ITERATIONS = 100_000  # ~10 ms of CPython on this machine: fine enough to see 1-s windows

_PROBE = """
import json, os, sys, time
cpus, seconds, iterations = json.loads(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
os.sched_setaffinity(0, cpus)
blocks = []
start = time.monotonic()
while time.monotonic() - start < seconds:
    began, cpu = time.monotonic() - start, time.thread_time()
    total = 0
    for i in range(iterations):
        total += i * i
    blocks.append((began, time.thread_time() - cpu))
print(json.dumps(blocks))
"""


@dataclass(frozen=True)
class HostSpeed:
    """What the probe saw on the cores (times in ms of CPU); with several cores, the worst core's
    slow share and spread."""

    cores: str  # the cpuset probed, e.g. "1"
    seconds: float
    blocks: int
    block_ms: float  # median CPU time of one block
    slow_share: float  # share of blocks over SLOW_RATIO x the median
    window_spread: float  # slowest full 1-s window's median block / fastest's - 1

    def steady(self) -> bool:
        return self.slow_share <= MAX_SLOW_SHARE and self.window_spread <= MAX_WINDOW_SPREAD

    def describe(self) -> str:
        """One line for tables and warnings."""
        verdict = "steady" if self.steady() else "unsteady"
        return (
            f"{verdict}: core(s) {self.cores}, {self.blocks} blocks of {self.block_ms:.1f} ms CPU "
            f"(median), {self.slow_share:.1%} ran over {SLOW_RATIO:g}x that, 1-s medians moved "
            f"{self.window_spread:.1%} (steady: at most {MAX_SLOW_SHARE:.0%} and {MAX_WINDOW_SPREAD:.0%})"
        )

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "steady": self.steady()}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> HostSpeed | None:
        """Back from `to_dict` (a profile or validation.json); None when the figures are not there or
        not numbers (files written before the probe existed, a probe that failed, a hand edit)."""
        values = {f.name: data.get(f.name) for f in fields(cls)}
        numbers = [values[name] for name in ("seconds", "blocks", "block_ms", "slow_share", "window_spread")]
        if not isinstance(values["cores"], str) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
        ):
            return None
        return cls(**values)  # type: ignore[arg-type]


def host_speed_from(cores: str, began: np.ndarray, cpu_s: np.ndarray, seconds: float) -> HostSpeed:
    """The figures of one core from each block's start (s into the probe) and CPU time (s). Only
    whole 1-s windows (inside the probe's time, with MIN_WINDOW_BLOCKS blocks or more) count for
    the spread: the last, cut-off one would add noise. A window in which other processes shared the
    core ran fewer blocks, but each block's CPU time still says how fast the core was: it counts."""
    if len(cpu_s) < 10:
        raise ScenarioError(
            "host speed", f"only {len(cpu_s)} blocks ran in {seconds:g} s; the cores are starved"
        )
    median = float(np.median(cpu_s))
    window = np.floor(began / WINDOW_S).astype(int)
    counts = np.bincount(window, minlength=int(seconds / WINDOW_S + 1e-9))
    full = [w for w in range(int(seconds / WINDOW_S + 1e-9)) if counts[w] >= MIN_WINDOW_BLOCKS]
    if len(full) < 2:
        raise ScenarioError(
            "host speed", f"fewer than 2 full {WINDOW_S:g}-s windows in {seconds:g} s; probe for longer"
        )
    medians = [float(np.median(cpu_s[window == w])) for w in full]
    return HostSpeed(
        cores=cores,
        seconds=seconds,
        blocks=len(cpu_s),
        block_ms=round(median * 1e3, 4),
        slow_share=round(float(np.mean(cpu_s > SLOW_RATIO * median)), 4),
        window_spread=round(max(medians) / min(medians) - 1.0, 4),
    )


def worst_of(speeds: list[HostSpeed]) -> HostSpeed:
    """Several cores as one: the median of their median blocks, the worst slow share and spread."""
    return HostSpeed(
        cores=",".join(speed.cores for speed in speeds),
        seconds=speeds[0].seconds,
        blocks=sum(speed.blocks for speed in speeds),
        block_ms=round(float(np.median([speed.block_ms for speed in speeds])), 4),
        slow_share=max(speed.slow_share for speed in speeds),
        window_spread=max(speed.window_spread for speed in speeds),
    )


def probe_speed(cpus: tuple[int, ...], seconds: float) -> HostSpeed:
    """Time the block for `seconds` on each of `cpus` at once, one child process pinned to each."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _PROBE, json.dumps([cpu]), str(seconds), str(BLOCK_ITERATIONS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cpu in cpus
    ]
    speeds = []
    try:
        for cpu, child in zip(cpus, children, strict=True):
            out, err = child.communicate(timeout=seconds + 60)
            if child.returncode != 0:
                reason = " ".join(err.split())[-200:]
                raise ScenarioError("host speed", f"the probe failed on core {cpu}: {reason}")
            blocks = np.array(json.loads(out), dtype=float).reshape(-1, 2)
            speeds.append(host_speed_from(str(cpu), blocks[:, 0], blocks[:, 1], seconds))
    except (subprocess.SubprocessError, ValueError) as exc:
        raise ScenarioError("host speed", f"the probe failed: {' '.join(str(exc).split())[-200:]}") from None
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    return worst_of(speeds)


def probe_record(cpus: tuple[int, ...], seconds: float) -> dict[str, object]:
    """`probe_speed` as a profile or validation.json keeps it; a probe that fails is recorded with
    its reason instead of stopping the run (it fits nothing, it only warns)."""
    try:
        return probe_speed(cpus, seconds).to_dict()
    except ScenarioError as exc:
        return {"cores": ",".join(str(c) for c in cpus), "error": exc.reason}


def describe_record(data: object) -> str | None:
    """A recorded probe (`probe_record`) in words: its description, "not probed (why)" when it failed,
    None in files written before the probe existed. The one wording of the table, the CLI's warning
    and progress lines."""
    speed = HostSpeed.from_dict(data) if isinstance(data, Mapping) else None
    if speed is not None:
        return speed.describe()
    if isinstance(data, Mapping) and "error" in data:
        return f"not probed ({data['error']})"
    return None
