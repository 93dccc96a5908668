"""The random numbers a SimPy run hands out one at a time, drawn here in the same blocks at once."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.core.rng import BlockSampler

Sample = Callable[[np.random.Generator, int], np.ndarray]


def _blocks(sample: Sample, rng: np.random.Generator, count: int) -> np.ndarray:
    """Whole blocks covering `count` draws, sampled one call per block as `BlockSampler` does (so a
    distribution whose bulk sampling depends on the call size still gives the same stream)."""
    blocks = [sample(rng, BlockSampler.BLOCK) for _ in range(-(-count // BlockSampler.BLOCK))]
    return np.concatenate(blocks) if blocks else np.zeros(0)


def block_draws(sample: Sample, rng: np.random.Generator, count: int, scale: float = 1.0) -> np.ndarray:
    """At least `count` values: exactly those `BlockSampler(sample, stream, scale).next()` returns first."""
    values = _blocks(sample, rng, count).astype(np.float64, copy=False)
    return values * scale if scale != 1.0 else values


def uniform_draws(rng: np.random.Generator, count: int) -> np.ndarray:
    """The first `count` values a `uniform_sampler` of the same stream hands out."""
    return _blocks(lambda generator, size: generator.random(size), rng, count)[:count]
