"""Every validation rule at the schema seam: the scenario loader alone, without the CLI.

The bad-input tables of the end-to-end tests (test_validation.py, test_validation_serving.py, the
rollout, recommend and training tables) hold one case per rule: a change to a small valid document and
the YAML path and reason the user must see. Each case about the scenario document is loaded here with
`load_scenario_dict` (or `load_scenario` for raw YAML text) and must raise one ScenarioError with that
path and reason. The CLI tests keep the rules only the command line can see, and one case per command
and table section that shows such an error reaches the user as one line with exit code 2.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from simulator.errors import ScenarioError
from simulator.scenario import load_scenario_dict
from simulator.scenario.loader import load_scenario, read_yaml
from tests.conftest import BASE_SCENARIO
from tests.recommend.conftest import SMALL_JOB
from tests.recommend.test_recommend_cli import ADVANCED, BAD_ADVANCED, BAD_INPUT
from tests.rollout.test_rollout_validation import CASES as ROLLOUT_CASES
from tests.rollout.test_rollout_validation import edited
from tests.test_validation import (
    CASES,
    SPOT_SCENARIO,
    TRAINING_CASES,
    Case,
    at_schema_seam,
    overrides_and_options,
    scenario_document,
)
from tests.test_validation_serving import SERVING_CASES

DOCUMENT_CASES = [param for param in [*CASES, *SERVING_CASES] if at_schema_seam(param.values[0])]


def refused(load: Any, path: str, fragment: str) -> None:
    """`load()` raises one ScenarioError naming `path`, whose reason holds `fragment`, on one line."""
    with pytest.raises(ScenarioError) as caught:
        load()
    line = caught.value.one_line()  # what the CLI prints: whitespace in the path or reason folded
    assert line.startswith(f"error: {path}: "), f"expected path {path!r} in {line!r}"
    reason = line.removeprefix(f"error: {path}: ")
    assert reason.strip() and fragment.lower() in reason.lower(), f"expected {fragment!r} in {reason!r}"


@pytest.mark.parametrize("spec", DOCUMENT_CASES)
def test_document_rule(spec: Case, tmp_path: Path) -> None:
    document = scenario_document(spec, copy.deepcopy(BASE_SCENARIO), tmp_path)
    overrides, _ = overrides_and_options(spec.args)
    scenario = tmp_path / "scenario.yaml"
    expected = spec.path.format(scenario=scenario, tmp=tmp_path)
    if isinstance(document, str):  # raw YAML text: reading the file is the loader's first step
        scenario.write_text(document)
        refused(lambda: load_scenario(scenario, overrides), expected, spec.reason)
    else:
        refused(lambda: load_scenario_dict(document, tmp_path, overrides), expected, spec.reason)


@pytest.mark.parametrize(
    ("edits", "path", "reason"), [case[1:] for case in ROLLOUT_CASES], ids=[case[0] for case in ROLLOUT_CASES]
)
def test_rollout_rule(edits: list[tuple[str, Any]], path: str, reason: str) -> None:
    refused(lambda: load_scenario_dict(edited(edits)), path, reason)


@pytest.mark.parametrize(("overrides", "path", "fragment"), BAD_INPUT)
def test_recommend_rule(overrides: list[str], path: str, fragment: str) -> None:
    refused(lambda: load_scenario_dict(copy.deepcopy(SMALL_JOB), overrides=overrides), path, fragment)


@pytest.mark.parametrize(("change", "path", "fragment"), BAD_ADVANCED)
def test_advanced_recommend_rule(change: dict[str, Any], path: str, fragment: str) -> None:
    document = copy.deepcopy(SMALL_JOB)
    document["recommend"]["job_type"] = "Advanced"
    document["recommend"]["advanced"] = copy.deepcopy({**ADVANCED, **change})
    refused(lambda: load_scenario_dict(document), path, fragment)


@pytest.mark.parametrize(("overrides", "path", "fragment"), TRAINING_CASES)
def test_training_rule(overrides: list[str], path: str, fragment: str) -> None:
    document = read_yaml(SPOT_SCENARIO)
    refused(lambda: load_scenario_dict(document, SPOT_SCENARIO.parent, overrides), path, fragment)


@pytest.mark.parametrize(
    ("overrides", "path", "fragment"),
    [
        # booleans are not numbers
        (["endpoint.variants[0].instance_count=yes"], "endpoint.variants[0].instance_count", ""),
        (["endpoint.variants[0].weight=true"], "endpoint.variants[0].weight", ""),
        (["endpoint.variants[0].workers=false"], "endpoint.variants[0].workers", ""),
        (["seed=true"], "seed", ""),
        # an update may not set every weight to zero
        (
            ["endpoint.updates=[{at: 2m, weights: {a: 0, b: 0}}]"],
            "endpoint.updates[0].weights",
            "add up to 0",
        ),
        # streaming settings
        (["metrics.per_request_records=maybe"], "metrics.per_request_records", "boolean"),
        (["metrics.ring_capacity=1000"], "metrics.ring_capacity", "greater than or equal"),
        (["metrics.ring_capacity=2.5"], "metrics.ring_capacity", "integer"),
        (
            ["metrics.per_request_records=false", "traffic.arrivals={process: closed_loop, users: 3}"],
            "metrics.per_request_records",
            "open-loop",
        ),
        # the serverless catalog
        (
            ["catalog.serverless.account_concurrency_limit=0"],
            "catalog.serverless.account_concurrency_limit",
            "greater than or equal to 1",
        ),
        (["catalog.serverless.bogus=1"], "catalog.serverless.bogus", "unknown key"),
    ],
)
def test_override_rule(overrides: list[str], path: str, fragment: str) -> None:
    refused(lambda: load_scenario_dict(copy.deepcopy(BASE_SCENARIO), overrides=overrides), path, fragment)


def test_an_unreadable_scenario_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    refused(lambda: load_scenario(missing), str(missing), "cannot read file")


def test_every_document_case_of_the_tables_is_checked_here() -> None:
    """Only command-line cases are left to the CLI tables alone (a guard against a case that the
    filter drops by mistake)."""
    command_line = [param.id for param in [*CASES, *SERVING_CASES] if not at_schema_seam(param.values[0])]
    assert len(DOCUMENT_CASES) + len(command_line) == len(CASES) + len(SERVING_CASES)
    assert all(
        param.id.startswith(("cli-", "file-", "check-"))
        for param in [*CASES, *SERVING_CASES]
        if param.id in command_line
    ), command_line
