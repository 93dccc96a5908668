"""Read a scenario: YAML -> overrides -> kind -> per-object validation -> cross-references -> Scenario.

Every failure becomes a `ScenarioError` whose path is the YAML path of the offending value, so the
CLI can print one line and exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simulator.errors import ScenarioError
from simulator.inputs import load_yaml, read_file_named
from simulator.scenario.common import error_reason
from simulator.scenario.crossref import find_problems
from simulator.scenario.kinds import (
    KIND_MODELS,
    SCENARIO,
    Scenario,
    misspelled_key,
    section_problem,
    without_empty_sections,
)
from simulator.scenario.models import PROFILE_SUPPLIES, profile_document
from simulator.scenario.overrides import apply_overrides
from simulator.scenario.suggest import did_you_mean


def format_path(parts: list[str | int]) -> str:
    """['endpoint', 'variants', 0, 'model'] -> 'endpoint.variants[0].model'."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _yaml_path(raw: Any, loc: tuple[str | int, ...], missing: bool) -> list[str | int]:
    """Follow pydantic's error location through the raw data, dropping union-tag entries it adds."""
    parts: list[str | int] = []
    node = raw
    for position, part in enumerate(loc):
        is_last = position == len(loc) - 1
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_mapping or in_list:
            parts.append(str(part) if in_mapping else part)  # ints index lists only
            node = node[part]
        elif is_last and isinstance(part, str) and missing:
            parts.append(part)
    return parts


def _first_error(raw: Any, exc: ValidationError, written: Any) -> ScenarioError:
    # Every location starts with the kind's tag (the union's choice), which is not a YAML key.
    errors = [{**error, "loc": error["loc"][1:], "kind": error["loc"][0]} for error in exc.errors()]
    # Prefer the error deepest inside the document: union attempts report shallow duplicates.
    error = max(errors, key=lambda e: len(_yaml_path(raw, e["loc"], e["type"] == "missing")))
    path = _yaml_path(raw, error["loc"], error["type"] == "missing")
    return ScenarioError(format_path(path), _with_suggestion(raw, path, error, written))


def _with_suggestion(raw: Any, path: list[str | int], error: Any, written: Any) -> str:
    """The error's reason; for an unknown key, with the allowed key it is closest to (if any). Keys
    beside it are no suggestion when the file has the unknown key too, but are when a `--set` added it
    (`--set duraton=1h` beside `duration:` means duration)."""
    reason = error_reason(error)
    root = KIND_MODELS.get(str(error["kind"]))
    if error["type"] != "extra_forbidden" or root is None or not error["loc"]:
        return reason
    parent: Any = raw
    for part in path[:-1]:
        parent = parent[part]
    present = [key for key in parent if isinstance(key, str)] if isinstance(parent, dict) else []
    if not _written_at(written, path):
        present = []
    guess = did_you_mean(root, tuple(error["loc"][:-1]), str(error["loc"][-1]), present)
    return f"{reason}: did you mean {guess}?" if guess else reason


def _written_at(written: Any, path: list[str | int]) -> bool:
    """Whether the document as written (before any `--set`) has a value at `path`."""
    node = written
    for part in path:
        in_mapping = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            return False
        node = node[part]
    return True


def load_scenario_dict(data: Any, base_dir: Path | str = ".", overrides: list[str] | None = None) -> Scenario:
    """Validate a scenario given as plain data; relative file references resolve from `base_dir`."""
    if not isinstance(data, dict):
        raise ScenarioError("(top level)", "a scenario must be a YAML mapping")
    document = without_empty_sections(apply_overrides(data, overrides or []))
    mismatch = section_problem(document)
    if mismatch is not None:
        raise ScenarioError(*(misspelled_key(document, mismatch[0]) or mismatch))
    misspelling = misspelled_key(document, written=data)
    if misspelling is not None:
        raise ScenarioError(*misspelling)
    try:
        scenario = SCENARIO.validate_python(document, context={"base_dir": str(base_dir)})
    except ValidationError as exc:
        raise _first_error(document, exc, data) from None
    problems = find_problems(scenario)
    if problems:
        path, reason = problems[0]
        raise ScenarioError(path, reason)
    return scenario


def read_yaml(path: Path) -> Any:
    """The YAML document at `path` (a regular file, bounded in size; YAML 1.2 numbers, no duplicate
    keys); unreadable or malformed files are ScenarioErrors naming the file."""
    return load_yaml(read_file_named(path), str(path))


def load_scenario(path: Path | str, overrides: list[str] | None = None) -> Scenario:
    """Load and fully validate the scenario file at `path`."""
    path = Path(path)
    return load_scenario_dict(read_scenario_document(path), base_dir=path.parent, overrides=overrides)


def read_scenario_document(path: Path) -> dict[str, Any]:
    """The scenario file's mapping; an empty file or another kind of document names the file."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        kinds = {"str": "text", "list": "a list", "int": "a number", "float": "a number", "bool": "a boolean"}
        what = "is empty" if data is None else f"holds {kinds.get(type(data).__name__, 'a value')}"
        raise ScenarioError(str(path), f"{what}: a scenario must be a YAML mapping")
    return data


def dump_resolved(scenario: Scenario) -> str:
    """The scenario with every default filled in and units in seconds/bytes, as YAML that loads again.
    A variant's `workers` stays unset when not given: it follows the instance type (vCPUs or GPUs)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for model in data.get("models", {}).values():
        _leave_to_the_profile(model)
    return yaml.safe_dump(data, sort_keys=False)


def _leave_to_the_profile(model: dict[str, Any]) -> None:
    """Drop the values a model's profile supplied: the model keeps its `profile:` (where the figures
    came from), and giving both is refused on loading."""
    profile = profile_document(model["profile"]) if "profile" in model else None
    if profile is None:
        return
    for key in PROFILE_SUPPLIES:
        if profile.get(key) is not None:
            model.pop(key, None)
