"""Derived scenarios are validated like files: a bad derived value is a ScenarioError naming its path."""

from __future__ import annotations

from typing import Any

import pytest

from simulator.errors import ScenarioError
from simulator.scenario import load_scenario, load_scenario_dict
from simulator.scenario.derive import derive, plain
from simulator.scenario.distributions import Deterministic
from simulator.scenario.kinds import EndpointScenario, OptionsScenario, TrainingScenario
from tests.conftest import SCENARIOS


def test_a_valid_change_gives_the_scenario_a_file_would(base_scenario: dict[str, Any]) -> None:
    scenario = load_scenario_dict(base_scenario)
    derived = derive(scenario, {"endpoint.variants[1].instance_count": 3, "duration": 120}, EndpointScenario)
    base_scenario["endpoint"]["variants"][1]["instance_count"] = 3
    base_scenario["duration"] = 120
    assert derived == load_scenario_dict(base_scenario)
    assert scenario.endpoint.variants[1].instance_count == 1  # the original is untouched


@pytest.mark.parametrize(
    ("changes", "path", "fragment"),
    [
        ({"endpoint.variants[0].instance_count": 0}, "endpoint.variants[0].instance_count", "greater than"),
        ({"warmup": 900}, "warmup", "shorter than duration"),
        ({"endpoint.variants[1].model": "zz"}, "endpoint.variants[1].model", "unknown model"),
        ({"traffic.arrivals": {"process": "poisson", "rate": -1}}, "traffic.arrivals.rate", "greater than"),
        ({"traffic": None}, "traffic", "an endpoint needs traffic"),
        ({"training_job": {"instance_type": "ml.p3.2xlarge"}}, "training_job", "not both"),
    ],
)
def test_an_invalid_derived_value_names_its_path(
    base_scenario: dict[str, Any], changes: dict[str, Any], path: str, fragment: str
) -> None:
    scenario = load_scenario_dict(base_scenario)
    with pytest.raises(ScenarioError) as caught:
        derive(scenario, changes, EndpointScenario)
    assert caught.value.path == path and fragment in caught.value.reason


def test_removing_the_job_section_changes_the_kind() -> None:
    options = load_scenario(SCENARIOS / "gpu-vs-eia-vs-cpu.yaml")
    assert isinstance(options, OptionsScenario)
    first = plain(options.endpoint.variants[0])
    alone = derive(options, {"options": None, "endpoint.variants": [first]}, EndpointScenario)
    assert type(alone) is EndpointScenario and len(alone.endpoint.variants) == 1


def test_a_derivation_of_the_wrong_kind_is_refused(base_scenario: dict[str, Any]) -> None:
    scenario = load_scenario_dict(base_scenario)
    with pytest.raises(ScenarioError) as caught:
        derive(scenario, {"name": "renamed"}, TrainingScenario)
    assert caught.value.path == "(top level)" and "not a TrainingScenario" in caught.value.reason


def test_models_in_changes_are_dumped_as_a_file_would_spell_them(base_scenario: dict[str, Any]) -> None:
    scenario = load_scenario_dict(base_scenario)
    overhead = Deterministic(distribution="deterministic", value=0.004)
    derived = derive(scenario, {"endpoint.overhead": overhead}, EndpointScenario)
    assert derived.endpoint.overhead == overhead


def test_removing_what_is_not_there_changes_nothing(base_scenario: dict[str, Any]) -> None:
    scenario = load_scenario_dict(base_scenario)
    assert derive(scenario, {"rollout": None, "traffic.payload.sigma": None}, EndpointScenario) == scenario
    with pytest.raises(ScenarioError) as caught:
        derive(scenario, {"endpoint.variants[0].name[0]": None}, EndpointScenario)
    assert caught.value.path == "endpoint.variants[0].name[0]"


def test_a_derived_section_is_validated_again() -> None:
    """The optimiser's and the on-demand comparison's training jobs: model_copy would accept these."""
    from pydantic import ValidationError

    from simulator.scenario.derive import derive_spec

    spec = load_scenario(SCENARIOS / "spot-training.yaml").training_job
    assert spec is not None and spec.checkpoint is not None
    moved = derive_spec(spec, {"checkpoint": {**spec.checkpoint.model_dump(), "interval": 600.0}})
    assert moved.checkpoint is not None and moved.checkpoint.interval == 600.0
    assert derive_spec(spec, {"spot": None}) == spec.model_copy(update={"spot": None})
    with pytest.raises(ValidationError, match="greater than 0"):
        derive_spec(spec, {"checkpoint": {**spec.checkpoint.model_dump(), "interval": -5.0}})
    with pytest.raises(ValidationError, match="max_wait"):
        derive_spec(spec, {"max_wait": spec.max_runtime / 2})
