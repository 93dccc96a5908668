"""Nothing escapes --out and nothing is lost: staged writes, refused directories, safe file names."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.errors import ScenarioError
from simulator.recommend.store import file_name
from simulator.staging import MARKER, check_out, staged_directory, written_by

Cli = Callable[..., tuple[int, str, str]]


def _siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


def test_a_finished_write_replaces_an_earlier_one_of_the_same_command_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_directory(out, "run") as staging:
        (staging / "summary.json").write_text("1")
        (staging / "scaling.csv").write_text("old")
    assert written_by(out) == "run"
    with staged_directory(out, "run") as staging:
        (staging / "summary.json").write_text("2")
    assert {p.name for p in out.iterdir()} == {"summary.json", MARKER}  # no stale scaling.csv
    assert (out / "summary.json").read_text() == "2"
    assert _siblings(out) == {"out"}  # no staging or set-aside directory left behind


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o755), (0o027, 0o750), (0o077, 0o700)])
def test_the_out_directory_gets_the_users_umask_not_the_staging_ones(
    tmp_path: Path, umask: int, mode: int
) -> None:
    earlier = os.umask(umask)
    try:
        with staged_directory(tmp_path / "out", "run") as staging:
            (staging / "summary.json").write_text("1")
    finally:
        os.umask(earlier)
    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == mode


def test_a_failed_write_leaves_the_earlier_results_as_they_were(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_directory(out, "run") as staging:
        (staging / "summary.json").write_text("kept")
    with pytest.raises(RuntimeError), staged_directory(out, "run") as staging:
        (staging / "summary.json").write_text("half")
        raise RuntimeError("plot failed")
    assert (out / "summary.json").read_text() == "kept"
    assert _siblings(out) == {"out"}


def test_keep_partial_puts_what_a_failed_run_wrote_in_place(tmp_path: Path) -> None:
    """A calibration that dies after measuring keeps its levels; the next run replaces them whole."""
    out = tmp_path / "out"
    with pytest.raises(RuntimeError), staged_directory(out, "calibrate serve", keep_partial=True) as staging:
        (staging / "requests.partial.csv").write_text("levels")
        raise RuntimeError("container exited")
    assert (out / "requests.partial.csv").read_text() == "levels"
    assert written_by(out) == "calibrate serve" and _siblings(out) == {"out"}
    with staged_directory(out, "calibrate serve", keep_partial=True) as staging:
        (staging / "profile.yaml").write_text("fitted")
    assert {p.name for p in out.iterdir()} == {"profile.yaml", MARKER}


@pytest.mark.parametrize("joining", [False, True], ids=["calibrate-again", "validate-again"])
def test_keep_partial_keeps_the_earlier_complete_results_beside_the_partial_ones(
    tmp_path: Path, joining: bool
) -> None:
    """Interrupting a second calibration (or validation) keeps the first one's files."""
    out = tmp_path / "out"
    with staged_directory(out, "calibrate serve") as staging:
        (staging / "profile.yaml").write_text("first")
    command, joins = ("validate", ("calibrate serve",)) if joining else ("calibrate serve", ())
    if joining:
        with staged_directory(out, command, joins=joins) as staging:
            (staging / "validation.json").write_text("first")
    with (
        pytest.raises(KeyboardInterrupt),
        staged_directory(out, command, keep_partial=True, joins=joins) as staging,
    ):
        (staging / "levels.partial.csv").write_text("levels")
        raise KeyboardInterrupt
    kept = {"profile.yaml", "levels.partial.csv", MARKER} | ({"validation.json"} if joining else set())
    assert {p.name for p in out.iterdir()} == kept and (out / "profile.yaml").read_text() == "first"
    assert written_by(out) == "calibrate serve" and _siblings(out) == {"out"}
    with staged_directory(out, command, joins=joins) as staging:  # a finished run clears both
        (staging / ("validation.json" if joining else "profile.yaml")).write_text("second")
    assert {p.name for p in out.iterdir()} == (
        {"profile.yaml", "validation.json", MARKER} if joining else {"profile.yaml", MARKER}
    )


def test_keep_partial_with_nothing_written_leaves_the_earlier_results(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_directory(out, "calibrate serve") as staging:
        (staging / "profile.yaml").write_text("earlier")
    with pytest.raises(KeyboardInterrupt), staged_directory(out, "calibrate serve", keep_partial=True):
        raise KeyboardInterrupt
    assert (out / "profile.yaml").read_text() == "earlier" and _siblings(out) == {"out"}


def test_a_joining_command_adds_its_files_and_replaces_only_its_own(tmp_path: Path) -> None:
    """validate writes beside the profile it checks; a second validation replaces the first's files only,
    and a new calibration replaces the directory whole."""
    out = tmp_path / "out"
    joins = ("calibrate serve",)
    with staged_directory(out, "calibrate serve") as staging:
        (staging / "profile.yaml").write_text("fitted")
    with staged_directory(out, "validate", joins=joins) as staging:
        (staging / "validation.json").write_text("1")
        (staging / "validation.partial.csv").write_text("stale")
    assert written_by(out) == "calibrate serve"
    with staged_directory(out, "validate", joins=joins) as staging:
        (staging / "validation.json").write_text("2")
    assert {p.name for p in out.iterdir()} == {"profile.yaml", "validation.json", MARKER}
    assert (out / "validation.json").read_text() == "2" and (out / "profile.yaml").read_text() == "fitted"
    assert json.loads((out / MARKER).read_text())["added"] == {"validate": ["validation.json"]}
    with staged_directory(out, "calibrate serve") as staging:
        (staging / "profile.yaml").write_text("refitted")
    assert {p.name for p in out.iterdir()} == {"profile.yaml", MARKER}
    assert _siblings(out) == {"out"}


@pytest.mark.parametrize("owner", ["run", "calibrate train"])
def test_a_joining_command_is_refused_where_it_may_not_join(tmp_path: Path, owner: str) -> None:
    out = tmp_path / "out"
    with staged_directory(out, owner) as staging:
        (staging / "summary.json").write_text("x")
    with pytest.raises(ScenarioError, match=f"holds the results of `sagesim {owner}`"):
        check_out(out, "validate", joins=("calibrate serve",))


def test_a_users_file_in_a_joined_directory_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_directory(out, "calibrate serve") as staging:
        (staging / "profile.yaml").write_text("fitted")
    with staged_directory(out, "validate", joins=("calibrate serve",)) as staging:
        (staging / "validation.json").write_text("1")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ScenarioError, match="holds files a sagesim run did not write"):
        check_out(out, "validate", joins=("calibrate serve",))


@pytest.mark.parametrize(
    ("prepare", "fragment"),
    [
        (lambda out: (out / "notes.txt").write_text("mine"), "holds files a sagesim run did not write"),
        (lambda out: (out / "other-run").mkdir(), "holds files a sagesim run did not write"),
        (
            lambda out: (out / MARKER).write_text(json.dumps({"command": "rollout", "entries": []})),
            "holds the results of `sagesim rollout`",
        ),
    ],
    ids=["user-file", "added-directory", "other-command"],
)
def test_an_out_with_anything_else_is_refused_before_any_work(
    tmp_path: Path, prepare: Callable[[Path], object], fragment: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    prepare(out)
    before = sorted(p.name for p in out.iterdir())
    with pytest.raises(ScenarioError) as error:
        check_out(out, "run")
    assert error.value.path == "--out" and fragment in error.value.one_line()
    with pytest.raises(ScenarioError), staged_directory(out, "run"):
        pytest.fail("the block must not run")
    assert sorted(p.name for p in out.iterdir()) == before
    assert _siblings(out) == {"out"}


def test_a_file_as_out_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ScenarioError, match="is not a directory"):
        check_out(path, "run")


def test_run_refuses_an_out_holding_a_users_file(
    cli: Cli, write_scenario: Callable[..., Path], base_scenario: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "results"
    out.mkdir()
    (out / "thesis.tex").write_text("months of work")
    code, _, stderr = cli("run", write_scenario(base_scenario), "--out", out)
    assert code == 2 and stderr.strip().startswith("error: --out: ") and "\n" not in stderr.strip()
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".results")]


def test_run_twice_into_the_same_out_replaces_it(
    cli: Cli, write_scenario: Callable[..., Path], base_scenario: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "results"
    scenario = write_scenario(base_scenario)
    assert cli("run", scenario, "--out", out)[0] == 0
    first = (out / "summary.json").read_text()
    assert cli("run", scenario, "--out", out)[0] == 0
    assert (out / "summary.json").read_text() == first  # same seed, same results


@pytest.mark.parametrize("name", ["../../../tmp/x", "/tmp/x", "ml.c5.large/../../x", "x", "ml.C5.large"])
def test_catalog_type_names_must_look_like_sagemakers(
    cli: Cli, write_scenario: Callable[..., Path], base_scenario: dict[str, Any], tmp_path: Path, name: str
) -> None:
    base_scenario["catalog"] = {name: {"vcpus": 2, "memory_gib": 4, "price_per_hour": 0.1}}
    code, _, stderr = cli("check", write_scenario(base_scenario))
    line = stderr.strip()
    assert code == 2 and line.startswith("error: catalog: ") and "ml.<family>.<size>" in line, line


@given(st.text(min_size=1, max_size=300))
def test_a_candidate_file_name_never_leaves_its_folder(key: str) -> None:
    name = file_name(key)
    folder = Path("/srv/job/candidates")
    assert "/" not in name and "\x00" not in name and not name.startswith(".")
    assert (folder / name).resolve().parent == folder and len(name) < 120


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_distinct_candidates_get_distinct_files(first: str, second: str) -> None:
    if first != second:
        assert file_name(first) != file_name(second)


def test_the_written_paths_are_printed_whole_on_one_line_when_piped(tmp_path: Path) -> None:
    """Scripts grep the `report: ... summary: ...` line: a long --out is not wrapped at 80 columns."""
    import subprocess
    import sys

    out = tmp_path / ("a-directory-name-long-enough-to-pass-eighty-columns-" * 2) / "run"
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", "run", "scenarios/mmc-check.yaml", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert f"report: {out / 'report.html'}  summary: {out / 'summary.json'}" in done.stdout.splitlines()


def test_an_out_that_cannot_be_created_is_refused_before_any_work(tmp_path: Path) -> None:
    """Found by a new user: `--out FILE/sub` simulated for 12 s, then said `File exists`."""
    (tmp_path / "afile").write_text("kept\n")
    with pytest.raises(ScenarioError) as refused:
        check_out(tmp_path / "afile" / "sub" / "deeper", "run")
    assert refused.value.path == "--out"
    assert (
        refused.value.reason
        == f"cannot create {tmp_path / 'afile' / 'sub' / 'deeper'}: {tmp_path / 'afile'} is not a directory"
    )
    assert check_out(tmp_path / "new" / "deeper", "run") is None  # a missing parent is made on writing
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ScenarioError, match="is not writable"):
            check_out(locked / "sub", "run")


def test_output_json_is_strict_json(tmp_path: Path) -> None:
    """A new user's trial found `Infinity` and `NaN` in summary.json: not JSON, refused by strict
    readers (jq, JavaScript, Go). A figure that is not a finite number is written as null."""
    from simulator.staging import write_json

    path = tmp_path / "summary.json"
    write_json(
        path, {"mean": float("inf"), "quantiles": (float("nan"), 1.5), "nested": {"low": -float("inf")}}
    )

    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    assert json.loads(path.read_text(), parse_constant=refuse) == {
        "mean": None,
        "quantiles": [None, 1.5],
        "nested": {"low": None},
    }
