"""Request bodies for the load generator: the example's digits batches, or the user's own payloads.

Real traffic carries payloads of varying size, which is what makes service times vary, so the
service-time distribution calibration fits is a property of the model *and* its traffic, as it is for
a real endpoint. A user's payloads come as one body file, a directory of body files, or a JSON Lines
or CSV file of one body per line; bodies are sent round-robin, so every level sees the same mix.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.errors import ScenarioError
from simulator.inputs import MAX_DATA_BYTES, read_bytes

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"  # RFC 9110's token: what a type, subtype or parameter name is
MEDIA_TYPE = re.compile(rf'{_TOKEN}/{_TOKEN}(\s*;\s*{_TOKEN}=({_TOKEN}|"[^"]*"))*')  # type/subtype;k=v
MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker's real-time invocation payload limit
LINE_SUFFIXES = {".jsonl": "application/json", ".ndjson": "application/json", ".csv": "text/csv"}  # per line
FILE_TYPES = {".json": "application/json", ".csv": "text/csv", ".npy": "application/x-npy"}
DIGITS_SOURCE = "digits batches (built in)"


@dataclass(frozen=True)
class PayloadPool:
    """Bodies sent round-robin from a seeded starting point, with their content and accept types."""

    bodies: tuple[bytes, ...]
    content_type: str = "text/csv"
    accept: str = "*/*"
    source: str = DIGITS_SOURCE

    def picker(self, seed: int) -> np.ndarray:
        """Indices into bodies for up to one million requests: round-robin, starting where seed says."""
        start = int(np.random.default_rng(seed).integers(0, len(self.bodies)))
        return (start + np.arange(1_000_000)) % len(self.bodies)

    def digest(self) -> str:
        """sha256 over the bodies in order, so a profile can tell whether validation sends the same."""
        h = hashlib.sha256()
        for body in self.bodies:
            h.update(len(body).to_bytes(8, "big"))
            h.update(body)
        return h.hexdigest()

    def describe(self) -> dict[str, object]:
        """What a profile records of its traffic."""
        sizes = [len(b) for b in self.bodies]
        return {
            "source": self.source,
            "content_type": self.content_type,
            "accept": self.accept,
            "bodies": len(self.bodies),
            "mean_bytes": float(np.mean(sizes)),
            "sha256": self.digest(),
        }


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
    return PayloadPool(tuple(bodies), "text/csv", "text/csv")


def file_pool(path: Path, content_type: str | None = None, accept: str | None = None) -> PayloadPool:
    """The user's bodies: a directory (one body per file, in name order), a .jsonl/.ndjson/.csv file
    (one body per non-empty line), or any other file (one body). Content type from the suffix unless
    given."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        bodies = [_read(p) for p in files]
        where = [repr(str(p)) for p in files]
        suffixes = {p.suffix.lower() for p in files}
        guessed = FILE_TYPES.get(suffixes.pop()) if len(suffixes) == 1 else None
    elif path.suffix.lower() in LINE_SUFFIXES:
        text = _read(path)
        numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        bodies = [line for _, line in numbered]
        where = [f"{str(path)!r} line {n}" for n, _ in numbered]
        guessed = LINE_SUFFIXES[path.suffix.lower()]
    else:
        bodies = [_read(path)]
        where = [repr(str(path))]
        guessed = FILE_TYPES.get(path.suffix.lower())
    if not bodies:
        raise ScenarioError("--payload", f"{str(path)!r} holds no request body")
    for body, source in zip(bodies, where, strict=True):
        if not body:
            raise ScenarioError("--payload", f"{source} is an empty body")
        if len(body) > MAX_BODY_BYTES:
            raise ScenarioError(
                "--payload",
                f"{source} is a body of {len(body):,} bytes, over SageMaker's 6 MB ({MAX_BODY_BYTES:,})",
            )
    resolved = content_type or guessed
    if resolved is None:
        raise ScenarioError("--content-type", f"cannot tell the content type of {str(path)!r}; give it")
    if not MEDIA_TYPE.fullmatch(resolved):
        raise ScenarioError("--content-type", f"{resolved!r} is not a media type like application/json")
    if accept is not None and not all(MEDIA_TYPE.fullmatch(item.strip()) for item in accept.split(",")):
        raise ScenarioError("--accept", f"{accept!r} is not a list of media types like application/json, */*")
    return PayloadPool(tuple(bodies), resolved, accept or "*/*", str(path.resolve()))


def _read(path: Path) -> bytes:
    """A regular file's bytes (no device or pipe), bounded: a body over 6 MB is refused anyway."""
    return read_bytes(path, "--payload", MAX_DATA_BYTES)


def write_digits_jsonl(path: Path, size: int = 256, median_rows: int = 100, seed: int = 11) -> Path:
    """A JSON Lines file of digits batches, `{"instances": [[64 pixels], ...]}` per line, batch sizes
    log-normal around median_rows: traffic for JSON servers such as the third-party stacks."""
    rng = np.random.default_rng(seed)
    rows = np.clip(np.rint(rng.lognormal(np.log(median_rows), 0.6, size)), 1, 1000).astype(int)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        for n in rows:
            fh.write(json.dumps({"instances": rng.integers(0, 17, (int(n), 64)).tolist()}) + "\n")
    return path
