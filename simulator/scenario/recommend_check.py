"""Cross-reference rules of the `recommend:` section (they need the models and the catalog)."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.catalog import Catalog
from simulator.scenario.common import Problem
from simulator.scenario.kinds import RecommendScenario
from simulator.scenario.recommend_spec import RecommendSpec


def _instance_problems(path: str, name: str, catalog: Catalog) -> Iterator[Problem]:
    if name not in catalog.instances:
        yield path, f"unknown instance type {name!r}"


def _accelerator_problems(path: str, name: str, instance: str | None, catalog: Catalog) -> Iterator[Problem]:
    if name not in catalog.accelerators:
        known = ", ".join(sorted(catalog.accelerators))
        yield path, f"unknown accelerator type {name!r} (known: {known})"
    elif (
        instance is not None and instance in catalog.instances and catalog.instance(instance).gpu is not None
    ):
        yield path, f"Elastic Inference attaches to CPU instances, not to {instance}"


def recommend_problems(scenario: RecommendScenario, catalog: Catalog) -> Iterator[Problem]:
    """Names of the model, instance types, families and accelerators the job searches."""
    spec: RecommendSpec = scenario.recommend
    if spec.model is None and len(scenario.models) != 1:
        yield "recommend.model", f"name the model to recommend for (defined: {sorted(scenario.models)})"
        return
    if spec.model is not None and spec.model not in scenario.models:
        yield "recommend.model", f"unknown model {spec.model!r} (defined: {sorted(scenario.models)})"
        return
    space = spec.candidates
    for index, name in enumerate(space.instance_types or []):
        yield from _instance_problems(f"recommend.candidates.instance_types[{index}]", name, catalog)
    families = {instance.family for instance in catalog.instances.values()}
    for index, family in enumerate(space.families or []):
        if family not in families:
            yield (
                f"recommend.candidates.families[{index}]",
                f"unknown instance family {family!r} (known: {', '.join(sorted(families))})",
            )
    for index, name in enumerate(space.accelerators):
        yield from _accelerator_problems(f"recommend.candidates.accelerators[{index}]", name, None, catalog)
    for index, name in enumerate(space.accelerator_hosts or []):
        yield from _instance_problems(f"recommend.candidates.accelerator_hosts[{index}]", name, catalog)
    model = scenario.models[spec.model or next(iter(scenario.models))]
    if space.accelerators and model.elastic_inference is None:
        yield (
            "recommend.candidates.accelerators",
            "Elastic Inference candidates need the model's elastic_inference (GFLOPs per inference)",
        )
    if spec.advanced is not None:
        for index, configuration in enumerate(spec.advanced.endpoint_configurations):
            path = f"recommend.advanced.endpoint_configurations[{index}]"
            if configuration.instance_type is not None:
                yield from _instance_problems(f"{path}.instance_type", configuration.instance_type, catalog)
            if configuration.accelerator_type is not None:
                yield from _accelerator_problems(
                    f"{path}.accelerator_type",
                    configuration.accelerator_type,
                    configuration.instance_type,
                    catalog,
                )
                if model.elastic_inference is None:
                    yield (
                        f"{path}.accelerator_type",
                        "needs the model's elastic_inference (GFLOPs per inference)",
                    )
