"""Every output directory is written the same way: into a fresh sibling, swapped in only on success.

A run that fails half-way (bad plot data, a full disk, Ctrl-C) leaves the user's --out as it was. A
finished run replaces an --out written earlier by the same command whole, so no stale file of the
earlier run (a scaling.csv the new scenario no longer makes) sits beside the new results. An --out
holding anything else (files sagesim did not write, or another command's results) is refused before
any work starts, so nothing the user keeps there is ever deleted.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.errors import ScenarioError

if TYPE_CHECKING:  # the CLI checks --out with this module before any scenario is read (and --help never)
    from simulator.scenario.kinds import Scenario

MARKER = ".sagesim-out.json"  # {"command": ..., "entries": [...]}: who wrote this directory, and what


def written_by(out_dir: Path) -> str | None:
    """The command that wrote out_dir and everything in it, from its marker file; None when sagesim
    did not write it, or when something was added since (a user's file, another run's directory)."""
    try:
        marker = json.loads((out_dir / MARKER).read_text())
        command, entries = str(marker["command"]), set(marker["entries"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    present = {entry.name for entry in out_dir.iterdir()} - {MARKER}
    return command if present <= entries else None


def check_out(out_dir: Path, command: str, option: str = "--out") -> None:
    """Refuse, before any work, an --out that this command may not replace."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ScenarioError(option, f"{out_dir} exists and is not a directory")
    if not out_dir.is_dir() or not any(out_dir.iterdir()):
        return
    owner = written_by(out_dir)
    if owner is None:
        raise ScenarioError(
            option,
            f"{out_dir} holds files a sagesim run did not write (or an older sagesim, without {MARKER});"
            " give a new or empty directory, or remove it",
        )
    if owner != command:
        raise ScenarioError(
            option, f"{out_dir} holds the results of `sagesim {owner}`; give another directory"
        )


def mark(directory: Path, command: str) -> None:
    """Write the marker that says which command wrote directory and what it holds."""
    entries = sorted(entry.name for entry in directory.iterdir() if entry.name != MARKER)
    (directory / MARKER).write_text(json.dumps({"command": command, "entries": entries}) + "\n")


@contextmanager
def staged_directory(out_dir: Path, command: str) -> Iterator[Path]:
    """A new empty directory beside out_dir to write into; when the block ends without an exception it
    becomes out_dir (an earlier out_dir of the same command is replaced whole). Removed either way."""
    check_out(out_dir, command)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        yield staging
        mark(staging, command)
        check_out(out_dir, command)  # again: another process may have written there meanwhile
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def run_directory(out_dir: Path, scenario: Scenario, summary: dict[str, Any]) -> Iterator[tuple[Path, str]]:
    """A `sagesim run` staging directory already holding summary.json and scenario.resolved.yaml; yields
    it with the resolved YAML, which every run report shows at its end."""
    with staged_directory(out_dir, "run") as staging:
        from simulator.scenario.loader import dump_resolved

        resolved = dump_resolved(scenario)
        write_json(staging / "summary.json", summary)
        (staging / "scenario.resolved.yaml").write_text(resolved)
        yield staging, resolved


def write_json(path: Path, document: Any) -> None:
    """JSON as every output file writes it: indented, ending in a newline."""
    path.write_text(json.dumps(document, indent=2) + "\n")


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
