"""Every output directory is written the same way: into a fresh sibling, swapped in only on success.

A run that fails half-way (bad plot data, a full disk, Ctrl-C) leaves the user's --out as it was. A
finished run replaces an --out written earlier by the same command whole, so no stale file of the
earlier run (a scaling.csv the new scenario no longer makes) sits beside the new results. An --out
holding anything else (files sagesim did not write, or another command's results) is refused before
any work starts, so nothing the user keeps there is ever deleted.

Two variations, both still staged:
- `keep_partial`: measurements are expensive (a Docker calibration), so a run that fails after
  writing something still keeps what it wrote (the levels measured so far): as the new out_dir, or
  beside the earlier complete results, which stay until a run of the command finishes.
- `joins`: `validate` writes its files beside the profile it checks, in the directory `calibrate
  serve` wrote. Its files are added (and an earlier validation's replaced) file by file; the marker
  records which command added which file, so each command only ever replaces its own.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from simulator.errors import ScenarioError

MARKER = ".sagesim-out.json"  # {"command": ..., "entries": [...], "added": {command: [...]}}


def _marker(out_dir: Path) -> tuple[str, set[str], dict[str, list[str]]] | None:
    """Who wrote out_dir, what it wrote, and the files other commands added; None without a marker."""
    try:
        marker = json.loads((out_dir / MARKER).read_text())
        added = {
            str(command): [str(name) for name in names] for command, names in marker.get("added", {}).items()
        }
        return str(marker["command"]), set(marker["entries"]), added
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def written_by(out_dir: Path) -> str | None:
    """The command that wrote out_dir and everything in it, from its marker file; None when sagesim
    did not write it, or when something was added since (a user's file, another run's directory)."""
    marker = _marker(out_dir)
    if marker is None:
        return None
    command, entries, added = marker
    present = {entry.name for entry in out_dir.iterdir()} - {MARKER}
    known = entries.union(*added.values())
    return command if present <= known else None


FILE_SUFFIXES = (".csv", ".json", ".md", ".png", ".yaml", ".yml", ".txt", ".html", ".parquet")
"""What sagesim's output files end with: a new --out ending so meant a file (`--out DIR/compare.csv`), and
would have become a folder of that name with compare.csv inside."""


def check_out(out_dir: Path, command: str, joins: tuple[str, ...] = ()) -> str | None:
    """Refuse, before any work, an --out that this command may not replace (or add to: `joins`).
    Returns the command that wrote the existing --out, None when there is none."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ScenarioError("--out", f"{out_dir} exists and is not a directory")
    if not out_dir.exists():
        if out_dir.suffix.lower() in FILE_SUFFIXES:
            raise ScenarioError(
                "--out", f"{out_dir} names a file: --out is the directory the files are written into"
            )
        _check_creatable(out_dir)
        return None
    if not any(out_dir.iterdir()):
        return None
    owner = written_by(out_dir)
    if owner is None:
        raise ScenarioError(
            "--out",
            f"{out_dir} holds files a sagesim run did not write (or an older sagesim, without {MARKER});"
            " give a new or empty directory, or remove it",
        )
    if owner != command and owner not in joins:
        raise ScenarioError(
            "--out", f"{out_dir} holds the results of `sagesim {owner}`; give another directory"
        )
    return owner


def _check_creatable(out_dir: Path) -> None:
    """A new --out is made inside its nearest existing folder: that must be a folder we may write in,
    found out now rather than after the simulation."""
    parent = out_dir.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ScenarioError("--out", f"cannot create {out_dir}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ScenarioError("--out", f"cannot create {out_dir}: {parent} is not writable")


def mark(directory: Path, command: str) -> None:
    """Write the marker that says which command wrote directory and what it holds."""
    entries = sorted(entry.name for entry in directory.iterdir() if entry.name != MARKER)
    (directory / MARKER).write_text(json.dumps({"command": command, "entries": entries}) + "\n")


@contextmanager
def staged_directory(
    out_dir: Path, command: str, *, keep_partial: bool = False, joins: tuple[str, ...] = ()
) -> Iterator[Path]:
    """A new empty directory beside out_dir to write into; when the block ends without an exception it
    becomes out_dir (an earlier out_dir of the same command is replaced whole; one written by a command
    in `joins` gets the files added). Removed either way. With keep_partial, a block that fails after
    writing something still puts what it wrote in place, then the failure goes on."""
    check_out(out_dir, command, joins=joins)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = _new_sibling(out_dir)
    try:
        try:
            yield staging
        except BaseException:
            if keep_partial and any(staging.iterdir()):
                _put_in_place(staging, out_dir, command, joins, partial=True)
            raise
        _put_in_place(staging, out_dir, command, joins)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _new_sibling(out_dir: Path) -> Path:
    """An empty directory beside out_dir, made as the user's own mkdir would (their umask, not
    mkdtemp's 0700): it becomes out_dir, which others on the machine may need to read."""
    while True:
        staging = out_dir.with_name(f".{out_dir.name}.{secrets.token_hex(4)}")
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def write_json(path: Path, document: Any) -> None:
    """JSON as every output file writes it: strict (a figure that is not a finite number is null,
    since NaN and Infinity are not JSON and strict readers refuse the whole file), indented, ending
    in a newline."""
    path.write_text(json.dumps(finite_or_null(document), indent=2, allow_nan=False) + "\n")


def finite_or_null(value: Any) -> Any:
    """The document with every NaN or infinite float (in mappings, lists and tuples) made None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite_or_null(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite_or_null(item) for item in value]
    return value


def _put_in_place(
    staging: Path, out_dir: Path, command: str, joins: tuple[str, ...], partial: bool = False
) -> None:
    """staging becomes out_dir when there is none (or this command's own finished run replaces it);
    otherwise its files are added: beside the earlier complete results when partial (they stay until
    a run of the command finishes), or replacing this command's earlier added files."""
    owner = check_out(out_dir, command, joins=joins)  # again: another process may have written meanwhile
    if owner is None or (owner == command and not partial):
        mark(staging, command)
        _swap_in(staging, out_dir)
    else:
        _add_in(staging, out_dir, command, replace_own=not partial)


def _add_in(staging: Path, out_dir: Path, command: str, replace_own: bool = True) -> None:
    """Move staging's files into out_dir, which another command (or, for partial files, this one)
    wrote: this command's earlier added files there go first unless kept, then each new one is renamed
    in (each file whole, the set not atomically)."""
    marker = _marker(out_dir)
    assert marker is not None  # check_out found the owner in it
    owner, entries, added = marker
    earlier = added.pop(command, [])
    if replace_own:
        for name in earlier:
            if name not in entries:
                (out_dir / name).unlink(missing_ok=True)
        earlier = []
    names = sorted(entry.name for entry in staging.iterdir())
    for name in names:
        os.replace(staging / name, out_dir / name)
    added[command] = sorted({*earlier, *names})
    document = {"command": owner, "entries": sorted(entries), "added": added}
    (out_dir / MARKER).write_text(json.dumps(document) + "\n")


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Rename staging to out_dir; an existing out_dir is renamed aside first and removed after."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    aside = out_dir.with_name(f".{out_dir.name}.replaced-{secrets.token_hex(4)}")
    os.rename(out_dir, aside)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(aside, out_dir)  # put the earlier results back
        raise
    shutil.rmtree(aside, ignore_errors=True)
