"""Summarise many calibrate + validate runs: per image and held-out level, the spread of the errors.

One run says little on a machine whose speed drifts; the acceptance question is whether every run
meets the targets. `summarise_runs` reads the validation.json files that `validate` writes and lays
the errors of all runs side by side, with how many runs met each target.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from simulator.calibrate.host_speed import HostSpeed
from simulator.calibrate.in_flight import band_errors
from simulator.calibrate.results import TARGETS
from simulator.calibrate.validation_file import RowRecord, ValidationRecord
from simulator.errors import ScenarioError
from simulator.inputs import read_file_named
from simulator.scenario.common import error_reason
from simulator.scenario.loader import format_path
from simulator.wording import signed_percent

METRICS = ("p50_ms", "p95_ms", "throughput")


@dataclass(frozen=True)
class RunErrors:
    image: str
    rows: list[RowRecord]
    passed: bool = False
    passed_at_speed: bool = False
    host: str = ""  # the cores' steadiness before calibration / before validation (`host_speed`)


def read_run(path: Path) -> RunErrors:
    """A validation.json's image and rows; a one-line error naming the file and the broken field
    when it is not one."""
    text = read_file_named(path)
    not_one = "not a validation.json written by `sagesim validate`"
    try:
        record = ValidationRecord.model_validate(json.loads(text))
    except json.JSONDecodeError as exc:
        raise ScenarioError(str(path), f"{not_one}: {exc.msg} at line {exc.lineno}") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ScenarioError(
            str(path), f"{not_one}: {format_path(list(error['loc']))}: {error_reason(error)}"
        ) from None
    return RunErrors(
        record.image,
        record.rows,
        record.passed,
        record.passed_at_measured_speed,
        f"{_host(record.calibration_host_speed)} / {_host(record.host_speed)}",
    )


def _host(data: object) -> str:
    """'steady (0.4%, 3.0%)': the verdict, the share of slow blocks and the 1-s windows' spread; '-'
    for files written before the probe existed, 'not probed' when it failed."""
    speed = HostSpeed.from_dict(data) if isinstance(data, dict) else None
    if speed is None:
        return "not probed" if isinstance(data, dict) and "error" in data else "-"
    verdict = "steady" if speed.steady() else "unsteady"
    return f"{verdict} ({speed.slow_share:.1%}, {speed.window_spread:.1%})"


def summarise_runs(paths: list[Path]) -> str:
    """Two markdown tables: per image and level, the lowest..highest error over the runs and how many
    runs met its target (raw prediction, then at the measured speed), and how far the level's two
    passes in one run moved apart (the host's noise floor, held to the same limit); then one row per
    run."""
    runs = [(path, read_run(path)) for path in paths]  # each file read once, for both tables
    return _level_table(runs) + "\n\n" + _run_table(runs)


def run_label(path: Path) -> str:
    """A run named by its last two folders (`run-3/flask-nginx` in the matrix's layout), or by its
    folder and file when the file is not called validation.json; `..` resolved first."""
    whole = path.resolve()
    if whole.name == "validation.json":
        return f"{whole.parent.parent.name}/{whole.parent.name}"
    return f"{whole.parent.name}/{whole.name}"


def _run_table(runs: list[tuple[Path, RunErrors]]) -> str:
    """One row per run: whether it met every target, and how far the machine's speed moved between
    calibration and validation (validation's maximum throughput over the predicted one, which is
    calibration's measured maximum by construction; CPU per request in each open-loop level over
    calibration's at the same rate), which is what moves latency at high load."""
    lines = [
        "| run | image | every target met | at measured speed | max throughput measured / predicted (error) "
        "| speed per open-loop level | time per completion by requests in flight: median model error "
        "| host before calibration / validation (slow blocks, 1-s spread) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for path, run in runs:
        ratio = _maximum_throughput(run.rows)
        speeds = [row.speed for row in run.rows if row.kind == "open"]
        speed = " ".join(f"{v:.2f}" if math.isfinite(v) else "-" for v in speeds)
        lines.append(
            f"| {run_label(path)} | {run.image} | {'yes' if run.passed else 'no'} "
            f"| {'yes' if run.passed_at_speed else 'no'} | {ratio} | {speed} | {_in_flight_error(run.rows)} "
            f"| {run.host} |"
        )
    return "\n".join(lines)


def _maximum_throughput(rows: list[RowRecord]) -> str:
    """Measured / predicted maximum throughput and the error, both from the one closed loop held to
    the target (the most users): taken from different rows, the two tables' signs disagreed."""
    closed = [row for row in rows if row.kind == "closed"]
    if not closed:
        return ""
    held = [row for row in closed if "throughput" in row.checked] or [max(closed, key=lambda row: row.level)]
    measured, predicted = held[0].measured["throughput"], held[0].predicted["throughput"]
    return f"{measured:.1f} / {predicted:.1f}/s ({signed_percent(predicted / measured - 1)})"


def _in_flight_error(rows: list[RowRecord]) -> str:
    """The median |model error| of the time per completion by requests in flight over the run's
    open-loop levels and bands (validate.in_flight_gaps; CI's guard holds it), with how many bands;
    empty for runs written before it."""
    errors = band_errors(
        {name: band.model_dump() for name, band in row.in_flight.items()}
        for row in rows
        if row.kind == "open"
    )
    return f"{float(np.median(errors)):.1%} ({len(errors)} bands)" if errors else ""


def _level_table(runs: list[tuple[Path, RunErrors]]) -> str:
    # per (image, row, level) in the order first seen, which is the order of the table
    by_key: dict[tuple[str, int, str], dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    runs_per_image: dict[str, int] = defaultdict(int)
    for _, run in runs:
        runs_per_image[run.image] += 1
        for index, row in enumerate(run.rows):
            cell = by_key[run.image, index, _label(row)]
            for metric in row.checked:
                cell[metric].append(row.errors[metric])
                for suffix, source in (("@speed", row.errors_at_measured_speed), ("@repeat", row.repeat)):
                    value = source.get(metric)
                    if value is not None and math.isfinite(value):
                        cell[f"{metric}{suffix}"].append(value)
    lines = [
        "| image (runs) | level | p50 error | p95 error | max throughput error | p50 at measured speed "
        "| p95 at measured speed | max throughput at measured speed | p50 second pass / first "
        "| p95 second pass / first |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for (image, _, label), cell in by_key.items():
        if not cell:
            continue
        columns = [_spread(cell.get(m, []), TARGETS[m]) for m in METRICS]
        columns += [_spread(cell.get(f"{m}@speed", []), TARGETS[m]) for m in METRICS]
        # a repeat is the host's floor, not a model's error: counted as floors under the target
        columns += [
            _spread(cell.get(f"{m}@repeat", []), TARGETS[m], "under the target") for m in ("p50_ms", "p95_ms")
        ]
        lines.append(f"| {image} ({runs_per_image[image]}) | {label} | " + " | ".join(columns) + " |")
    return "\n".join(lines)


def _label(row: RowRecord) -> str:
    """A level named as `validate`'s table names it: its users, or (the rate differs between runs)
    its open-loop utilisation of the measured maximum."""
    if row.kind == "open":
        return f"open, util {row.utilisation:.2f}"
    return f"{row.level:.0f} users"


def _spread(errors: list[float], target: float, counted: str = "met") -> str:
    """The range of the runs' figures, and in how many runs it was within the target."""
    if not errors:
        return ""
    within = sum(1 for e in errors if abs(e) <= target)
    return (
        f"{signed_percent(min(errors))} .. {signed_percent(max(errors))} ({within}/{len(errors)} {counted})"
    )
