"""Every output directory is written the same way: into a fresh sibling, moved in only on success.

A run that fails half-way (bad plot data, a full disk, Ctrl-C) leaves the user's --out as it was:
no summary.json without its report, no half-written CSV next to an old one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def staged_directory(out_dir: Path) -> Iterator[Path]:
    """A new empty directory beside out_dir to write into; its entries replace out_dir's entries of
    the same name when the block ends without an exception, and it is removed either way."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield staging
        commit(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def commit(staging: Path, out_dir: Path) -> None:
    """Move every entry of staging into out_dir, replacing what is there under the same name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for item in staging.iterdir():
        target = out_dir / item.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        shutil.move(str(item), str(target))
