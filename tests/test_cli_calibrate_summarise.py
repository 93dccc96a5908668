"""`sagesim calibrate summarise`: runs side by side, and one-line errors for files that are not runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulator.calibrate.host_speed import host_speed_from
from simulator.calibrate.results import Row, ServeValidation, read_validation
from simulator.calibrate.runs import run_label
from simulator.calibrate.validation_table import format_table
from simulator.cli import main


def _validation(path: Path, p50_measured: float, repeat: dict[str, float] | None = None) -> Path:
    row = Row(
        load="30.0/s",
        kind="open",
        level=30.0,
        utilisation=0.3,
        measured={"p50_ms": p50_measured, "p95_ms": 20.0, "throughput": 30.0},
        predicted={"p50_ms": 10.0, "p95_ms": 20.0, "throughput": 30.0},
        checked=("p50_ms", "p95_ms"),
        repeat=repeat or {},
    )
    path.write_text(ServeValidation("profile.yaml", "some-image:1", [row]).to_json())
    return path


def _damaged(edit: Callable[[dict[str, Any]], object], **top: object) -> str:
    """A validation.json as `validate` writes it, with its first row edited by hand (and top-level keys
    replaced): the files `summarise` is given may have been copied or merged."""
    row = Row(
        "30.0/s",
        "open",
        30.0,
        0.3,
        {"p50_ms": 10.0, "p95_ms": 20.0},
        {"p50_ms": 10.0, "p95_ms": 20.0},
        ("p50_ms", "p95_ms"),
    )
    document = json.loads(ServeValidation("profile.yaml", "some-image:1", [row]).to_json())
    edit(document["rows"][0])
    return json.dumps({**document, **top})


def test_two_runs_side_by_side(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _validation(tmp_path / "a.json", 10.0)  # error 0%
    second = _validation(tmp_path / "b.json", 8.0)  # predicted 10 vs 8: +25%
    assert main(["calibrate", "summarise", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "some-image:1 (2)" in out
    assert "+0.0% .. +25.0% (1/2 met)" in out


def test_a_run_given_twice_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same file twice (or once through `..`) would count one run as two in every "n of N met"."""
    first = _validation(tmp_path / "a.json", 10.0)
    (tmp_path / "sub").mkdir()
    again = tmp_path / "sub" / ".." / "a.json"
    assert main(["calibrate", "summarise", str(first), str(again)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == f"error: VALIDATIONS: {again} is given twice"


def test_the_hosts_own_repeatability_is_laid_beside_the_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each level's two passes in one run: how often the host disagreed with itself beyond the target."""
    first = _validation(tmp_path / "a.json", 10.0, {"p50_ms": 0.04, "p95_ms": -0.2})
    second = _validation(tmp_path / "b.json", 10.0, {"p50_ms": -0.15, "p95_ms": 0.05})
    assert main(["calibrate", "summarise", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "p50 second pass / first" in out
    # a floor, not an error: counted as under the target, never as "met" (a new user's trial read it so)
    assert "-15.0% .. +4.0% (1/2 under the target)" in out and "-20.0% .. +5.0% (1/2 under the target)" in out


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "cannot read"),
        ("{not json", "not a validation.json"),
        (json.dumps({"rows": []}), "not a validation.json written by `sagesim validate`: image: required"),
        (
            json.dumps({"image": "x", "rows": "many"}),
            "not a validation.json written by `sagesim validate`: rows:",
        ),
        (_damaged(lambda row: row.pop("kind")), "rows[0].kind: required key is missing"),
        (_damaged(lambda row: row.pop("measured")), "rows[0].measured: required key is missing"),
        (
            _damaged(lambda row: row.update(kind="sideways")),
            "rows[0].kind: Input should be 'open' or 'closed'",
        ),
        (_damaged(lambda row: row["errors"].pop("p95_ms")), "rows[0]: checked metric 'p95_ms' has no entry"),
        (
            _damaged(lambda row: row.update(utilisation=None)),
            "rows[0]: an open-loop row needs its utilisation",
        ),
        (
            _damaged(lambda row: row["measured"].update(p50_ms="fast")),
            "rows[0].measured.p50_ms: Input should",
        ),
        (
            _damaged(lambda row: row.update(in_flight={"1": {"model_ms": 1}})),
            "rows[0].in_flight.1.measured_ms",
        ),
        (_damaged(lambda row: None, passed="maybe"), "passed: Input should be a valid boolean"),
    ],
    ids=[
        "missing",
        "not-json",
        "no-image",
        "rows-a-string",
        "row-without-kind",
        "row-without-measured",
        "row-of-another-kind",
        "checked-without-error",
        "open-without-utilisation",
        "figure-not-a-number",
        "band-without-measured",
        "verdict-not-a-boolean",
    ],
)
def test_a_file_that_is_not_a_run_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, reason: str
) -> None:
    path = tmp_path / "validation.json"
    if content is not None:
        path.write_text(content)
    assert main(["calibrate", "summarise", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {path}: ") and reason in err and "\n" not in err


def _closed_row(measured: dict[str, float], predicted_throughput: float) -> Row:
    """The 8-user closed loop whose maximum throughput is held, latency predicted as measured."""
    predicted = {**measured, "throughput": predicted_throughput}
    return Row("8 users", "closed", 8.0, float("nan"), measured, predicted, ("throughput",))


def test_one_row_per_run_with_its_verdict_and_the_machines_drift(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    closed = _closed_row({"p50_ms": 50.0, "p95_ms": 60.0, "throughput": 110.0}, 100.0)
    run_dir = tmp_path / "run-3" / "stack"
    run_dir.mkdir(parents=True)
    path = run_dir / "validation.json"
    path.write_text(ServeValidation("profile.yaml", "some-image:1", [closed]).to_json())
    assert main(["calibrate", "summarise", str(path)]) == 0
    out = capsys.readouterr().out
    # the error is predicted / measured - 1, as in every table
    assert "| run-3/stack | some-image:1 | yes | yes | 110.0 / 100.0/s (-9.1%) |" in out


def test_both_tables_take_the_maximum_throughput_from_the_held_closed_loop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A new user's trial: a 3-user loop that measured more than the 8-user one (host noise) gave the
    run table -1.2% where the level table said +1.2% for the same run."""
    held = _closed_row({"p50_ms": 50.0, "p95_ms": 60.0, "throughput": 114.0}, 115.3)
    light = Row("3 users", "closed", 3.0, float("nan"), {"throughput": 116.7}, {"throughput": 115.3}, ())
    path = tmp_path / "run-1" / "stack" / "validation.json"
    path.parent.mkdir(parents=True)
    path.write_text(ServeValidation("profile.yaml", "some-image:1", [light, held]).to_json())
    assert main(["calibrate", "summarise", str(path)]) == 0
    out = capsys.readouterr().out
    assert "+1.1% .. +1.1% (1/1 met)" in out and "| 114.0 / 115.3/s (+1.1%) |" in out


def test_the_maximum_throughput_at_the_measured_speed_has_its_own_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A host that ran 25% slower in validation: 80/s measured, 100/s predicted, but the closed loop took
    25% more CPU per request, so at the measured speed the model is right."""
    measured = {"p50_ms": 100.0, "p95_ms": 120.0, "throughput": 80.0}
    closed = replace(_closed_row(measured, 100.0), at_speed=dict(measured), speed=1.25)
    path = tmp_path / "validation.json"
    path.write_text(ServeValidation("profile.yaml", "some-image:1", [closed]).to_json())
    assert main(["calibrate", "summarise", str(path)]) == 0
    header, _, row = capsys.readouterr().out.splitlines()[:3]
    columns = [c.strip() for c in header.split("|")]
    cells = [c.strip() for c in row.split("|")]
    assert cells[columns.index("max throughput error")] == "+25.0% .. +25.0% (0/1 met)"
    assert cells[columns.index("max throughput at measured speed")] == "+0.0% .. +0.0% (1/1 met)"


def test_each_run_shows_the_median_error_of_its_time_per_completion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The guard's figure per run: the median |model error| over its open-loop levels' bands of
    requests in flight; runs written before the bands existed leave the cell empty."""
    band = {"measured_ms": 10.0, "gaps": 100}
    light = _validation(tmp_path / "light.json", 10.0)
    old = json.loads(light.read_text())["rows"][0]
    rows = [
        {**old, "in_flight": {"1": {**band, "model_ms": 10.5}, "2-3": {**band, "model_ms": 9.0}}},
        {
            **old,
            "level": 80.0,
            "in_flight": {"1": {**band, "model_ms": 10.2}, "10+": {**band, "model_ms": 14.0}},
        },
        {**old, "kind": "closed", "in_flight": {"4-9": {**band, "model_ms": 30.0}}},  # not counted
    ]
    path = tmp_path / "run-1" / "stack" / "validation.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"image": "some-image:1", "rows": rows}))
    assert main(["calibrate", "summarise", str(path), str(light)]) == 0
    out = capsys.readouterr().out
    assert "| 7.5% (4 bands) |" in out  # errors 5, 10, 2, 40%
    assert out.rstrip().endswith("|  | - / - |")  # the older run: no bands, no probe


def test_each_run_says_how_steady_its_host_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The cores' probe before calibration and before validation, beside the run's verdict; '-' for
    runs written before the probe."""
    began = np.arange(0.0, 8.0, 0.01)
    steady = host_speed_from("1", began, np.full(len(began), 0.01), 8.0)
    slow = np.full(len(began), 0.01)
    slow[::10] = 0.02
    unsteady = host_speed_from("1", began, slow, 8.0)
    path = _validation(tmp_path / "a.json", 10.0)
    data = json.loads(path.read_text())
    data["calibration_host_speed"], data["host_speed"] = steady.to_dict(), unsteady.to_dict()
    path.write_text(json.dumps(data))
    older = _validation(tmp_path / "b.json", 10.0)
    assert main(["calibrate", "summarise", str(path), str(older)]) == 0
    out = capsys.readouterr().out
    assert "host before calibration / validation (slow blocks, 1-s spread) |" in out
    assert "| steady (0.0%, 0.0%) / unsteady (10.0%, 0.0%) |" in out
    assert "| - / - |" in out


def test_levels_are_named_as_validates_table_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """validate prints a load and its util (the rate differs between runs, so summarise groups by the
    util) and closed loops as 'N users'; summarise's level column uses the same words."""
    closed = _closed_row({"p50_ms": 50.0, "p95_ms": 60.0, "p99_ms": 70.0, "throughput": 110.0}, 100.0)
    opened = json.loads(_validation(tmp_path / "a.json", 10.0).read_text())["rows"][0]
    for side in ("measured", "predicted"):
        opened[side]["p99_ms"] = 30.0
    report = ServeValidation("profile.yaml", "some-image:1", [closed])
    document = {**json.loads(report.to_json()), "rows": [opened, json.loads(report.to_json())["rows"][0]]}
    path = tmp_path / "validation.json"
    path.write_text(json.dumps(document))
    validate_table = format_table(read_validation(path))
    assert main(["calibrate", "summarise", str(path)]) == 0
    levels = [
        line.split("|")[2].strip()
        for line in capsys.readouterr().out.splitlines()
        if "some-image:1 (1)" in line
    ]
    assert levels == ["open, util 0.30", "8 users"]
    assert " 0.30 |" in validate_table and "8 users" in validate_table


@pytest.mark.parametrize(
    ("relative", "label"),
    [
        ("run-2/stack/validation.json", "run-2/stack"),
        ("runs/validation-run1.json", "runs/validation-run1.json"),
        ("runs/../runs/validation-run1.json", "runs/validation-run1.json"),
    ],
)
def test_a_run_is_named_by_its_folders_with_dots_resolved(tmp_path: Path, relative: str, label: str) -> None:
    assert run_label(tmp_path / relative) == label
