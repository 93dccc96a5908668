"""The shared input layer (simulator/inputs.py): what a careless or hostile file does to a command.

Every case must end in exit code 2 and one line naming the file or option, quickly: devices and pipes
are refused before they are read (a FIFO would hang, /dev/zero would fill memory), YAML keeps no
1.1 surprises, and nothing is written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulator.errors import ScenarioError
from simulator.inputs import MAX_DEPTH, load_json, load_yaml, read_text
from tests.conftest import ROOT

Cli = Callable[..., tuple[int, str, str]]


def _one_line(stderr: str) -> str:
    line = stderr.strip()
    assert "\n" not in line and "Traceback" not in line, stderr
    return line


def test_yaml_12_numbers() -> None:
    data = load_yaml("a: 1:30\nb: 0x1f\nc: 1e3\nd: 1_000\ne: 0o17\nf: .5\ng: -2\nh: .inf\n", "x")
    assert data == {
        "a": "1:30",
        "b": 31,
        "c": 1000.0,
        "d": "1_000",
        "e": 15,
        "f": 0.5,
        "g": -2,
        "h": float("inf"),
    }


def test_merge_keys_are_not_duplicates() -> None:
    data = load_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "x")
    assert data["d"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("seed: 1\nname: a\nseed: 2\n", "line 3, column 1: duplicate key 'seed'"),
        ("- " * 5000 + "1\n", f"nested more than {MAX_DEPTH} levels deep"),
        ("[" * 5000, f"nested more than {MAX_DEPTH} levels deep"),
    ],
    ids=["duplicate-key", "deep-list", "deep-flow"],
)
def test_yaml_refused(text: str, fragment: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_yaml(text, "scenario.yaml")
    assert fragment in error.value.one_line()


def test_json_duplicate_keys_and_depth_refused() -> None:
    with pytest.raises(ScenarioError, match="duplicate key 'JobType'"):
        load_json('{"JobType": "Default", "JobType": "Advanced"}', "--request")
    with pytest.raises(ScenarioError, match="nested more than"):
        load_json("[" * 100 + "]" * 100, "--request")


def test_devices_pipes_and_directories_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, fragment in [
        (Path("/dev/zero"), "not a regular file"),
        (fifo, "not a regular file"),
        (tmp_path, "a directory, not a file"),
        (tmp_path / "missing", "No such file"),
    ]:
        with pytest.raises(ScenarioError, match=fragment):
            read_text(path, "scenario")


@pytest.mark.parametrize("name", ["missing.yaml", "."])
def test_an_unreadable_scenario_is_named_once(cli: Cli, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    code, _, stderr = cli("run", path, "--out", tmp_path / "out")
    line = _one_line(stderr)
    assert code == 2 and line.count("cannot read") == 1 and line.count(str(tmp_path)) == 1
    assert line.startswith(f"error: {path}: cannot read file: ")


def test_a_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2000)
    with pytest.raises(ScenarioError, match="2,000 bytes; the limit is 1,000"):
        read_text(big, "scenario", limit=1000)


def _sagesim(*arguments: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A whole process with a time bound: a regression here hangs instead of failing."""
    return subprocess.run(
        [sys.executable, "-m", "simulator.cli", *arguments],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_a_pipe_as_scenario_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    done = _sagesim("run", str(fifo), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    assert (
        _one_line(done.stderr)
        == f"error: {fifo}: cannot read file: not a regular file (a device, pipe or socket)"
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["samples", "trace", "profile"])
def test_a_pipe_as_a_referenced_file_is_refused_without_hanging(
    tmp_path: Path, base_scenario: dict[str, Any], name: str
) -> None:
    fifo = tmp_path / f"{name}.csv"
    os.mkfifo(fifo)
    if name == "samples":
        base_scenario["models"]["m1"]["service_time"] = {"distribution": "empirical", "file": fifo.name}
    elif name == "trace":
        base_scenario["traffic"]["arrivals"] = {"process": "trace", "file": fifo.name}
    else:
        base_scenario["models"]["m1"] = {"profile": fifo.name}
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(yaml.safe_dump(base_scenario))
    done = _sagesim("check", str(scenario))
    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert "not a regular file" in line and line.startswith(
        "error: models.m1" if name != "trace" else "error: traffic"
    )


@pytest.mark.parametrize(
    ("document", "where", "fragment"),
    [
        ("name: a\nname: b\n", "{scenario}", "duplicate key 'name'"),
        ("- " * 3000 + "x\n", "{scenario}", "nested more than"),
    ],
    ids=["duplicate-key", "deep"],
)
def test_bad_scenario_text_is_one_line(
    cli: Cli, write_scenario: Callable[..., Path], tmp_path: Path, document: str, where: str, fragment: str
) -> None:
    path = write_scenario(document)
    code, stdout, stderr = cli("run", path, "--out", tmp_path / "out")
    line = _one_line(stderr)
    assert code == 2 and stdout == "" and line.startswith(f"error: {where.format(scenario=path)}: ")
    assert fragment in line and not (tmp_path / "out").exists()


def test_base_60_duration_is_not_ninety_seconds(
    cli: Cli, write_scenario: Callable[..., Path], base_scenario: dict[str, Any]
) -> None:
    text = yaml.safe_dump(base_scenario).replace("duration: 10m", "duration: 1:30")
    code, _, stderr = cli("check", write_scenario(text))
    assert code == 2 and _one_line(stderr).startswith("error: duration: ")
    code, _, stderr = cli("check", write_scenario(base_scenario), "--set", "duration=1:30")
    assert code == 2 and _one_line(stderr).startswith("error: duration: ")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\xff\xfe\x00binary", "not UTF-8 text"),
        (b'{"JobType": "Default", "JobType": "Advanced"}', "duplicate key 'JobType'"),
        (None, "not a regular file"),
    ],
    ids=["binary", "duplicate-key", "dev-zero"],
)
def test_bad_request_file_is_one_line(
    cli: Cli, write_scenario: Callable[..., Path], tmp_path: Path, content: bytes | None, fragment: str
) -> None:
    from tests.recommend.conftest import SMALL_JOB

    request = Path("/dev/zero")
    if content is not None:
        request = tmp_path / "request.json"
        request.write_bytes(content)
    code, _, stderr = cli(
        "recommend", write_scenario(SMALL_JOB), "--request", request, "--out", tmp_path / "o"
    )
    line = _one_line(stderr)
    assert code == 2 and line.startswith("error: --request: ") and fragment in line, line
    assert not (tmp_path / "o").exists()


def test_validate_and_summarise_refuse_devices(cli: Cli, tmp_path: Path) -> None:
    code, _, stderr = cli("validate", "--profile", "/dev/zero", "--out", tmp_path / "o")
    assert code == 2 and "not a regular file" in _one_line(stderr)
    code, _, stderr = cli("calibrate", "summarise", "/dev/zero")
    assert code == 2 and "not a regular file" in _one_line(stderr)
    missing = tmp_path / "none.json"
    code, _, stderr = cli("calibrate", "summarise", missing)
    assert code == 2
    assert _one_line(stderr) == f"error: {missing}: cannot read file: No such file or directory"
