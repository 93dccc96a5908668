"""Ask glibc to keep freed memory for reuse: a process-wide setting, made by the CLI and pool workers.

A whole run allocates its numpy columns afresh at every step (a 300,000-request run about 100 MB,
freed within the run). By default glibc maps each large block from the kernel and hands it back on
free, so the kernel zeroes every page again on first touch: about 30,000 page faults a run, 40% of
a 2-variant endpoint's whole simulate(). Kept below a bound, the same blocks are reused instead.
Nothing a run computes depends on it; only wall time and how much freed memory stays mapped.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_ABOVE_BYTES = 64 * 2**20
"""Blocks larger than this are still mapped and unmapped on their own (a long run's columns)."""
KEEP_FREE_BYTES = 256 * 2**20
"""At most this much freed memory at the top of the heap stays with the process."""


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds (mallopt); False where there is no glibc (not Linux,
    or a libc without mallopt), which changes nothing but speed."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_ABOVE_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, KEEP_FREE_BYTES)
    )
