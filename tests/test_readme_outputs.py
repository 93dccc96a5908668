"""The README's example outputs are what the commands print today.

Twice a trial found the README showing a figure under an old name ("cost per million records USD").
Here every `$ sagesim ...` command of the README (but calibration's, which needs Docker and a steady
host) runs in order, in a scratch folder beside the bundled scenarios, and every line the README shows
under it must appear in what it printed; only lines that cannot repeat are left out: elisions (`...`),
wall-clock timings (`in 5.8 s`) and the README's own remarks in parentheses.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

_BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.S)
_TIMING = re.compile(r"\bin \d+(\.\d+)? s\b")


@dataclass(frozen=True)
class Example:
    """One README command and the lines shown under it."""

    command: str
    shown: tuple[str, ...]


def readme_examples(text: str) -> list[Example]:
    """Every `$ ` command of the README's code blocks (continuation lines joined), with its output."""
    examples: list[Example] = []
    for block in _BLOCK.findall(text):
        lines = block.split("\n")
        index = 0
        while index < len(lines):
            if not lines[index].startswith("$ "):
                index += 1
                continue
            command = lines[index][2:]
            while command.endswith("\\"):
                index += 1
                command = command[:-1] + " " + lines[index].strip()
            index += 1
            shown: list[str] = []
            while index < len(lines) and not lines[index].startswith("$ "):
                shown.append(lines[index])
                index += 1
            examples.append(Example(command, tuple(shown)))
    return examples


def example_argv(command: str) -> list[str] | None:
    """What runs a README command: `sagesim ...` (a trailing `# remark` dropped) and `python -c ...`
    from this environment; None for other commands (shell pipelines, cfn-lint, sed) and for
    calibration, which needs Docker and a steady host."""
    if any(separator in command for separator in (";", "|", "&&")) and not command.startswith(
        ".venv/bin/python"
    ):
        return None
    words = shlex.split(command, comments=True)
    if len(words) >= 2 and words[0] in ("sagesim", ".venv/bin/sagesim"):
        if words[1] in ("calibrate", "validate"):
            return None
        return [str(Path(sys.executable).with_name("sagesim")), *words[1:]]
    if len(words) == 3 and words[:2] == [".venv/bin/python", "-c"]:
        return [sys.executable, *words[1:]]
    return None


def checked_lines(shown: tuple[str, ...]) -> list[str]:
    """The shown lines a run must print again: not elisions, timings or remarks in parentheses."""
    kept = []
    for line in (raw.strip() for raw in shown):
        remark = line.startswith("(") and line.endswith(")")
        if line and "..." not in line and not _TIMING.search(line) and not remark:
            kept.append(line)
    return kept


def test_the_parser_reads_commands_outputs_and_what_it_skips() -> None:
    """The reader itself, on a README-like text: a joined continuation line, a remark, a timing."""
    text = (
        "```\n$ .venv/bin/sagesim run a.yaml \\\n    --out out/a   # 5 s\n│ row │\n"
        "(a remark)\n3 candidates in 5.8 s; report: x\n...\n$ sed -n 1p x\nline\n```\n"
    )
    first, second = readme_examples(text)
    assert example_argv(first.command) == [
        str(Path(sys.executable).with_name("sagesim")),
        "run",
        "a.yaml",
        "--out",
        "out/a",
    ]
    assert checked_lines(first.shown) == ["│ row │"]
    assert example_argv(second.command) is None
    assert example_argv(".venv/bin/sagesim calibrate host-check") is None
    assert example_argv(".venv/bin/sagesim calibrate summarise x; echo $?") is None
    assert example_argv(".venv/bin/python -c \"print('a; b')\"") == [sys.executable, "-c", "print('a; b')"]


@pytest.mark.slow  # every README example, about 5 minutes on 2 cores
def test_the_readme_shows_what_the_commands_print(tmp_path: Path) -> None:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    stale: list[str] = []
    ran = 0
    for example in readme_examples(README.read_text()):
        argv = example_argv(example.command)
        if argv is None:
            continue
        done = subprocess.run(
            argv,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        ran += 1
        printed = done.stdout + done.stderr
        stale += [
            f"{example.command}\n    {line}" for line in checked_lines(example.shown) if line not in printed
        ]
    assert ran >= 20
    assert not stale, "README lines no run printed:\n" + "\n".join(stale)
