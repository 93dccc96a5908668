"""keep_freed_memory against the kernel's own count of page faults: a block freed and allocated again
is reused (no fresh pages to zero) once glibc is told to keep it, and mapped afresh each time before.
Each case runs in its own interpreter: the setting is process-wide."""

from __future__ import annotations

import subprocess
import sys

import pytest

CYCLES = 8
PROGRAM = f"""
import resource, sys
import numpy as np
from simulator.core.allocator import keep_freed_memory
tuned = sys.argv[1] == "tuned" and keep_freed_memory()
np.ones(6_000_000).sum()  # 48 MB: above glibc's largest automatic mmap threshold (32 MB)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range({CYCLES}):
    np.ones(6_000_000).sum()
print(tuned, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> tuple[bool, int]:
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM, mode], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="mallopt is glibc's")
def test_freed_blocks_are_reused_instead_of_faulted_in_again() -> None:
    tuned, faults_tuned = _faults("tuned")
    _, faults_default = _faults("default")
    assert tuned
    # every cycle faults its block in afresh (numpy asks for huge pages, so 24 or more faults a cycle)
    assert faults_default >= CYCLES * 24
    assert faults_tuned * 20 < faults_default  # the block is reused
