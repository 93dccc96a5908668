"""Request bodies for the load generator.

The example model takes CSV rows of 64 pixel values. Real traffic carries payloads of varying size,
which is what makes service times vary, so the default pool mixes batch sizes drawn from a
log-normal (median 200 rows): the service-time distribution the calibration fits is then a property
of the model *and* its traffic, as it is for a real endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import ScenarioError


@dataclass(frozen=True)
class PayloadPool:
    """Bodies sent round the pool in a seeded random order, with their content type."""

    bodies: tuple[bytes, ...]
    content_type: str = "text/csv"

    def picker(self, seed: int) -> np.ndarray:
        """Indices into bodies for up to one million requests, reproducible from seed."""
        return np.random.default_rng(seed).integers(0, len(self.bodies), 1_000_000)


def digits_pool(size: int = 512, median_rows: int = 200, sigma: float = 0.6, seed: int = 7) -> PayloadPool:
    """CSV batches for the example digits model, batch sizes log-normal around median_rows.

    The tail of the service time is the few largest batches: with 64 bodies the top 5% were three of
    them, and how often one 12-second level happened to pick those moved its p95 by over 10%. 512
    bodies make every level's mix close to the pool's.
    """
    rng = np.random.default_rng(seed)
    rows = np.clip(np.rint(rng.lognormal(np.log(median_rows), sigma, size)), 1, 2000).astype(int)
    lines = [",".join(map(str, row)) for row in rng.integers(0, 17, (4096, 64)).tolist()]  # format once
    bodies = []
    for n in rows:
        picked = rng.integers(0, len(lines), int(n))
        bodies.append(("\n".join(lines[i] for i in picked) + "\n").encode())
    return PayloadPool(tuple(bodies))


def file_pool(path: Path, content_type: str) -> PayloadPool:
    """A single user-supplied body, for images other than the example."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise ScenarioError("--payload", f"cannot read {str(path)!r}: {exc.strerror}") from None
    if not body:
        raise ScenarioError("--payload", f"{str(path)!r} is empty")
    return PayloadPool((body,), content_type)
