"""The keys `did you mean` offers come from the scenario models themselves, at every depth."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.scenario.kinds import KIND_MODELS, kind_of, without_empty_sections
from simulator.scenario.loader import read_yaml
from simulator.scenario.suggest import allowed_keys, did_you_mean

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.yaml"))


def _mappings(node: Any, location: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every mapping of a document with its location (list items by index)."""
    if isinstance(node, dict):
        yield location, node
        for key, value in node.items():
            yield from _mappings(value, (*location, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _mappings(value, (*location, index))


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_every_key_of_the_bundled_scenarios_is_an_allowed_key_where_it_stands(path: Path) -> None:
    """The walk finds each object's model: a key the loader accepted is among the allowed keys there
    (a walk that lost its way would offer nothing, or keys of another object)."""
    document = without_empty_sections(read_yaml(path))
    root = KIND_MODELS[str(kind_of(document))]
    checked = 0
    for location, mapping in _mappings(document):
        allowed = allowed_keys(root, location)
        if allowed is None:
            continue  # keyed by the user's names (models, weights), not by fields
        assert set(mapping) <= set(allowed), (location, sorted(set(mapping) - set(allowed)))
        checked += 1
    assert checked >= 5


def test_a_guess_is_close_and_never_a_key_already_given() -> None:
    endpoint = KIND_MODELS["endpoint"]
    variant = ("endpoint", "variants", 0)
    assert did_you_mean(endpoint, variant, "instance_typ") == "instance_type"
    assert did_you_mean(endpoint, variant, "instance_typ", present=["instance_type"]) is None
    assert did_you_mean(endpoint, variant, "colour") is None
    assert did_you_mean(endpoint, ("models", "any-name", "service_time", "lognormal"), "p999") == "p99"
    assert allowed_keys(endpoint, ("models",)) is None  # the user's names
    assert allowed_keys(endpoint, ("no", "such", "place")) == []
