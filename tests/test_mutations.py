"""Hypothesis-mutated example scenarios never produce a traceback: either a one-line error, or a run."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine import simulate
from simulator.errors import ScenarioError
from simulator.options import option_scenario
from simulator.scenario import load_scenario_dict
from simulator.scenario.kinds import OptionsScenario

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    path.stem: yaml.safe_load(path.read_text())
    for path in sorted((ROOT / "scenarios").glob("*.yaml"))
    if "endpoint" in yaml.safe_load(path.read_text())
}

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["0s", "-5m", "1/0s", "10/s", "64KiB", "ml.c5.large", "RANDOM", "1e309", "nan", "lognormal"]
    ),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def mutate(draw: st.DrawFn, document: dict[str, Any], root: str | None = None) -> dict[str, Any]:
    """Replace, delete or add 1-3 values anywhere in `document` (or only under its key `root`)."""
    for _ in range(draw(st.integers(1, 3))):
        if root is not None and root not in document:
            break
        paths = _paths(document) if root is None else _paths(document[root], (root,))
        path = draw(st.sampled_from(paths))
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(ODD_VALUES)
        else:
            parent[path[-1]] = draw(ODD_VALUES)
    return document


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    return mutate(draw, copy.deepcopy(EXAMPLES[draw(st.sampled_from(sorted(EXAMPLES)))]))


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_examples_fail_cleanly_or_run(document: dict[str, Any]) -> None:
    try:
        scenario = load_scenario_dict(document, base_dir=ROOT / "scenarios")
    except ScenarioError as error:
        line = error.one_line()
        assert line.startswith("error: ") and "\n" not in line
        return
    # valid after mutation: it must also simulate (2 simulated seconds: a mutated rate may be huge)
    assert scenario.duration is not None and math.isfinite(scenario.duration)
    short = scenario.model_copy(update={"duration": min(scenario.duration, 2.0), "warmup": 0.0})
    if isinstance(short, OptionsScenario):  # alternatives, each simulated alone (as `sagesim run` does)
        for name in short.options.variants or [variant.name for variant in short.endpoint.variants]:
            simulate(option_scenario(short, name))
    else:
        simulate(short)
