"""Named random streams spawned from one SeedSequence.

Each concern (arrivals, routing, service of variant 2, ...) draws from its own stream, so changing
one part of a configuration does not shift the random numbers another part sees: candidate
configurations replay identical traffic (common random numbers), and a run is bit-reproducible.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

STREAM_IDS: dict[str, int] = {
    "arrivals": 0,
    "routing": 1,
    "service": 2,
    "overhead": 3,
    "payload": 4,
    "startup": 5,
    "think": 6,
    "instance_choice": 7,
    "model_setup": 8,
    "rollout": 9,
    "model_error": 10,
    "stage_service": 11,
    "batch_transform": 12,
}


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The SeedSequence of replication `replication` (0-based) of a scenario seeded with `seed`."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


class RandomStreams:
    """Factory of independent generators keyed by (stream name, index)."""

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        self._root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)

    def generator(self, name: str, index: int = 0) -> np.random.Generator:
        key = (*self._root.spawn_key, STREAM_IDS[name], index)
        sequence = np.random.SeedSequence(self._root.entropy, spawn_key=key)
        return np.random.Generator(np.random.PCG64(sequence))

    def stream(self, name: str, index: int = 0) -> Callable[[], np.random.Generator]:
        """The generator `generator(name, index)` made on first use: a run builds samplers for every
        part of its model, and the fast engine draws most of them its own way (a tenth of a trial)."""
        return partial(self.generator, name, index)


class BlockSampler:
    """Hands out one draw at a time from blocks sampled in bulk (numpy per-call cost is high)."""

    __slots__ = ("_block", "_position", "_rng", "_sample", "_scale", "_stream")

    BLOCK = 4096

    def __init__(self, sample: object, stream: Callable[[], np.random.Generator], scale: float = 1.0) -> None:
        self._sample = sample
        self._stream = stream
        self._rng: np.random.Generator | None = None
        self._scale = scale
        self._block: list[float] = []
        self._position = 0

    def next(self) -> float:
        if self._position >= len(self._block):
            self._refill()
        value = self._block[self._position]
        self._position += 1
        return value

    def current_block(self) -> tuple[list[float], int]:
        """(the block, the position of the next draw in it), for a compiled loop that draws many in a
        row from the same sequence as `next` would; it hands the position back with `release`."""
        if self._position >= len(self._block):
            self._refill()
        return self._block, self._position

    def release(self, position: int) -> None:
        self._position = position

    def _refill(self) -> None:
        if self._rng is None:
            self._rng = self._stream()
        values = self._sample(self._rng, self.BLOCK)  # type: ignore[operator]
        self._block = (values * self._scale).tolist() if self._scale != 1.0 else values.tolist()
        self._position = 0


def uniform_sampler(stream: Callable[[], np.random.Generator]) -> BlockSampler:
    """Uniform [0, 1) draws, one at a time."""
    return BlockSampler(lambda generator, size: generator.random(size), stream)
