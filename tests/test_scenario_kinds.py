"""Scenario kinds at the schema seam: which sections make which typed model, and what fits no kind."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from simulator.cli_jobs import JOBS
from simulator.errors import ScenarioError
from simulator.scenario import load_scenario, load_scenario_dict
from simulator.scenario.crossref import CHECKS
from simulator.scenario.kinds import (
    EndpointScenario,
    Kind,
    OptionsScenario,
    RecommendScenario,
    RolloutScenario,
    TrainingScenario,
    TransformScenario,
    kind_of,
    section_problem,
)
from tests.conftest import SCENARIOS

EXAMPLES = {
    "quickstart": EndpointScenario,
    "canary-rollback": RolloutScenario,
    "gpu-vs-eia-vs-cpu": OptionsScenario,
    "spot-training": TrainingScenario,
    "batch-transform": TransformScenario,
    "recommend-default": RecommendScenario,
}


@pytest.mark.parametrize("stem", sorted(EXAMPLES))
def test_each_example_loads_as_its_kind(stem: str) -> None:
    scenario = load_scenario(SCENARIOS / f"{stem}.yaml")
    assert type(scenario) is EXAMPLES[stem]
    assert kind_of(scenario) == scenario.kind.value


def test_every_bundled_scenario_has_a_kind_with_a_runner_and_checks() -> None:
    kinds = {load_scenario(path).kind for path in sorted(Path(SCENARIOS).glob("*.yaml"))}
    assert kinds == set(Kind)
    assert set(CHECKS) == set(JOBS) == set(Kind)


@pytest.mark.parametrize(
    ("model", "sections"),
    [
        (EndpointScenario, ["endpoint", "traffic", "duration"]),
        (RolloutScenario, ["endpoint", "traffic", "duration", "rollout"]),
        (OptionsScenario, ["endpoint", "traffic", "duration", "options"]),
        (TrainingScenario, ["training_job"]),
        (TransformScenario, ["batch_transform"]),
        (RecommendScenario, ["recommend"]),
    ],
)
def test_a_kinds_own_sections_are_required(model: type[Any], sections: list[str]) -> None:
    assert all(model.model_fields[name].is_required() for name in sections)
    assert not model.model_fields["seed"].is_required()


def test_a_recommend_job_may_lend_an_endpoint_and_traffic() -> None:
    assert not RecommendScenario.model_fields["endpoint"].is_required()
    assert not RecommendScenario.model_fields["traffic"].is_required()


ENDPOINT: dict[str, Any] = {"name": "ep", "variants": [{"name": "a", "model": "m1"}]}
TRAFFIC: dict[str, Any] = {"arrivals": {"process": "poisson", "rate": 1}}
TRAINING: dict[str, Any] = {"instance_type": "ml.p3.2xlarge"}
JOB = {"training_job": TRAINING}


@pytest.mark.parametrize(
    ("sections", "path", "reason"),
    [
        ({"endpoint": ENDPOINT, **JOB}, "training_job", "an endpoint or a training job, not both"),
        ({"batch_transform": {}, **JOB}, "batch_transform", "remove endpoint or training_job"),
        ({"recommend": {}, **JOB}, "recommend", "a recommend job runs alone: remove training_job"),
        (
            {"recommend": {}, "endpoint": ENDPOINT, "options": {}, "rollout": {}},
            "recommend",
            "remove options and rollout",
        ),
        ({"endpoint": ENDPOINT, "options": {}, "rollout": {}}, "options", "remove rollout"),
        ({"traffic": TRAFFIC}, "endpoint", "traffic needs an endpoint"),
        ({"rollout": {}}, "rollout", "a rollout needs an endpoint"),
        ({"options": {}}, "options", "give an endpoint"),
        ({}, "endpoint", "nothing to simulate"),
        ({"endpoint": None, "traffic": None}, "endpoint", "nothing to simulate"),
        ({"endpoint": ENDPOINT, "duration": 1}, "traffic", "an endpoint needs traffic"),
        ({"endpoint": ENDPOINT, "traffic": TRAFFIC}, "duration", "needs a duration"),
        ({"recommend": {}, "endpoint": ENDPOINT, "traffic": TRAFFIC}, "duration", "needs a duration"),
    ],
)
def test_sections_that_fit_no_kind_name_the_section(sections: dict[str, Any], path: str, reason: str) -> None:
    document = {"name": "x", **sections}
    problem = section_problem(document)
    assert problem is not None and problem[0] == path and reason in problem[1]
    with pytest.raises(ScenarioError) as caught:
        load_scenario_dict(copy.deepcopy(document))
    assert (caught.value.path, caught.value.reason) == problem


@pytest.mark.parametrize(
    ("sections", "kind"),
    [
        ({"endpoint": ENDPOINT, "traffic": TRAFFIC, "duration": 1}, Kind.ENDPOINT),
        ({"endpoint": ENDPOINT, "traffic": TRAFFIC, "duration": 1, "rollout": {}}, Kind.ROLLOUT),
        ({"endpoint": ENDPOINT, "traffic": TRAFFIC, "duration": 1, "options": {}}, Kind.OPTIONS),
        ({"endpoint": ENDPOINT, "traffic": TRAFFIC, "duration": 1, "recommend": {}}, Kind.RECOMMEND),
        ({"recommend": {}, "duration": 1}, Kind.RECOMMEND),
        (JOB, Kind.TRAINING_JOB),
        ({"batch_transform": {}, "rollout": None}, Kind.BATCH_TRANSFORM),
    ],
)
def test_the_discriminator_picks_the_job_section(sections: dict[str, Any], kind: Kind) -> None:
    assert section_problem({"name": "x", **sections}) is None
    assert kind_of({"name": "x", **sections}) == kind.value


def test_errors_inside_a_kind_name_the_yaml_path_not_the_kind(base_scenario: dict[str, Any]) -> None:
    base_scenario["endpoint"]["variants"][1]["instance_count"] = 0
    with pytest.raises(ScenarioError) as caught:
        load_scenario_dict(base_scenario)
    assert caught.value.path == "endpoint.variants[1].instance_count"
    base_scenario["endpoint"]["variants"][1]["instance_count"] = 1
    del base_scenario["name"]
    with pytest.raises(ScenarioError) as caught:
        load_scenario_dict(base_scenario)
    assert (caught.value.path, caught.value.reason) == ("name", "required key is missing")


def test_a_section_of_another_kind_is_an_unknown_key(base_scenario: dict[str, Any]) -> None:
    """A misspelt section is no section: the kind's model rejects it by name."""
    base_scenario["trafic"] = TRAFFIC
    with pytest.raises(ScenarioError) as caught:
        load_scenario_dict(base_scenario)
    assert (caught.value.path, caught.value.reason) == ("trafic", "unknown key")


def test_a_null_section_is_no_section(base_scenario: dict[str, Any]) -> None:
    for section in ("rollout", "options", "training_job", "batch_transform", "recommend"):
        base_scenario[section] = None
    assert type(load_scenario_dict(base_scenario)) is EndpointScenario
