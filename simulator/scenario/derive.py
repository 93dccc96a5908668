"""Derived scenarios: a scenario with some values changed, validated again exactly like a file.

Analyses build scenarios from scenarios (one option alone, a batch-size sweep, an A/B split, a
recommender trial). Copying a pydantic model with changes skips every check, so they all go through
`derive`: dump to plain data, set the changed paths, and load that data like a scenario file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from simulator.errors import ScenarioError
from simulator.scenario.loader import load_scenario_dict
from simulator.scenario.overrides import set_path, split_path
from simulator.scenario.schema import ScenarioBase

K = TypeVar("K", bound=ScenarioBase)
M = TypeVar("M", bound=BaseModel)


def plain(value: Any) -> Any:
    """JSON-shaped data for a value that may be (or contain) scenario models."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _remove(document: dict[str, object], parts: list[str | int], where: str) -> None:
    """Delete the key at `parts` (a section a derived scenario no longer has); absent is fine."""
    *head, last = parts
    node: Any = document
    for part in head:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    if not isinstance(node, dict):
        raise ScenarioError(where, "only a mapping key can be removed")
    node.pop(last, None)


def derive(scenario: ScenarioBase, changes: Mapping[str, Any], expect: type[K]) -> K:
    """`scenario` with each path set to its value (`--set` spelling, e.g. 'endpoint.variants[0].weight';
    None removes the key), fully validated: a bad value is a ScenarioError naming its YAML path."""
    document = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    for path, value in changes.items():
        parts = split_path(path)
        if value is None:
            _remove(document, parts, path)
        else:
            set_path(document, parts, plain(value), path)
    derived = load_scenario_dict(document)
    if not isinstance(derived, expect):
        raise ScenarioError(
            "(top level)", f"the derived scenario is a {derived.kind}, not a {expect.__name__}"
        )
    return derived


def derive_spec(spec: M, changes: Mapping[str, Any]) -> M:
    """`spec` (a section of a scenario) with some fields replaced, validated again: `model_copy` would
    skip every check."""
    return type(spec).model_validate({**spec.model_dump(), **changes})
