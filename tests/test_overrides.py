"""`--set PATH=VALUE` overrides on the raw scenario document."""

from __future__ import annotations

import pytest

from simulator.errors import ScenarioError
from simulator.scenario.overrides import apply_overrides, split_path


def test_paths_split_into_keys_and_indices() -> None:
    assert split_path("endpoint.variants[0].weight") == ["endpoint", "variants", 0, "weight"]
    assert split_path("endpoint.variants.1.weight") == ["endpoint", "variants", 1, "weight"]


def test_values_are_read_as_yaml() -> None:
    document = {"endpoint": {"variants": [{"weight": 1}]}, "traffic": {}}
    result = apply_overrides(
        document,
        [
            "endpoint.variants[0].weight=0.5",
            "traffic.arrivals={process: poisson, rate: 10/s}",
            "name=x",
        ],
    )
    assert result["endpoint"]["variants"][0]["weight"] == 0.5
    assert result["traffic"]["arrivals"] == {"process": "poisson", "rate": "10/s"}
    assert document["endpoint"]["variants"][0]["weight"] == 1  # the original is untouched


def test_missing_mappings_are_created() -> None:
    assert apply_overrides({}, ["metrics.period=30"]) == {"metrics": {"period": 30}}


@pytest.mark.parametrize(
    ("assignment", "fragment"),
    [
        ("nothing", "expected PATH=VALUE"),
        ("a..b=1", "cannot read the path: names after dots"),
        ("endpoint.variants[5].weight=1", "out of range"),
        ("name[0]=1", "is not a list"),
        ("endpoint.variants.name=1", "is not a mapping"),
    ],
)
def test_bad_overrides_name_the_argument(assignment: str, fragment: str) -> None:
    document = {"name": "n", "endpoint": {"variants": [{"weight": 1}]}}
    with pytest.raises(ScenarioError, match=fragment) as error:
        apply_overrides(document, [assignment])
    assert error.value.path == f"--set {assignment}"
