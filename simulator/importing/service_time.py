"""The model's service time, which no AWS document holds: a calibration profile or a distribution.

`--model-profile FILE` is a calibration profile (a mapping with `service_time` and optional `overhead`,
as `sagesim calibrate` fits them); it is copied beside the scenario and named by each model's
`profile`. `--service-time SPEC` is a distribution as the scenario writes one, e.g.
`{distribution: lognormal, median: 40ms, p99: 120ms}`. Either applies to every model of the config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simulator.errors import ScenarioError
from simulator.inputs import load_yaml, read_text
from simulator.scenario.common import error_reason
from simulator.scenario.distributions import TIME_KEYS
from simulator.scenario.loader import format_path
from simulator.scenario.models import ModelSpec

PROFILE_FILE = "model-profile.yaml"


def _check(spec: dict[str, Any], base_dir: Path, option: str) -> None:
    """Validate one model spec as the scenario loader will, errors naming `option`."""
    try:
        ModelSpec.model_validate(spec, context={"base_dir": str(base_dir)})
    except ValidationError as exc:
        error = exc.errors()[0]
        parts = [part for part in error["loc"] if part != "service_time" or option != "--service-time"]
        reason = error_reason(error)
        raise ScenarioError(option, f"{format_path(parts)}: {reason}" if parts else reason) from None


def model_spec(profile: Path | None, service_time: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """(the models' spec, files to write beside the scenario) from exactly one of the two options."""
    if profile is not None and service_time is not None:
        raise ScenarioError("--model-profile", "give --model-profile FILE or --service-time SPEC, not both")
    if profile is None and service_time is None:
        raise ScenarioError(
            "--model-profile", "give the model's service time: --model-profile FILE or --service-time SPEC"
        )
    if profile is not None:
        text = read_text(profile, "--model-profile")
        _check({"profile": profile.name}, profile.parent, "--model-profile")
        return {"profile": PROFILE_FILE}, {PROFILE_FILE: text}
    assert service_time is not None
    value = load_yaml(service_time, "--service-time")
    if not isinstance(value, dict):
        raise ScenarioError(
            "--service-time",
            "give a distribution mapping, e.g. {distribution: lognormal, median: 40ms, p99: 120ms}",
        )
    _require_units(value)
    _check({"service_time": value}, Path("."), "--service-time")
    return {"service_time": value}, {}


def _require_units(value: dict[str, Any]) -> None:
    """Times typed on a command line carry their unit (`median: 25` would be 25 seconds in a
    scenario, and was meant as 25 ms as often as not)."""
    for key in TIME_KEYS:
        given = value.get(key)
        for number in given if isinstance(given, list) else [given]:
            if isinstance(number, int | float) and not isinstance(number, bool):
                raise ScenarioError(
                    "--service-time", f"{key}: {number!r} has no unit: write e.g. {number}ms or {number}s"
                )
