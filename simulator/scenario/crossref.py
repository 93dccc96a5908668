"""Second validation phase: every object is valid on its own; now check how they refer to each other."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import ValidationError

from simulator.catalog import Catalog, load_catalog
from simulator.errors import ScenarioError
from simulator.scenario.common import Problem, error_reason
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.kinds import (
    EndpointScenario,
    Kind,
    OptionsScenario,
    RecommendScenario,
    Scenario,
    TrainingScenario,
    TransformScenario,
)
from simulator.scenario.rollout_check import rollout_problems
from simulator.scenario.schema import ScenarioBase
from simulator.scenario.suggest import unknown_instance_type
from simulator.scenario.training_check import check_training_job
from simulator.scenario.variant_check import GIB, has_service_time, serving_problems, variant_problems


def scenario_catalog(scenario: ScenarioBase) -> Catalog:
    """The bundled catalog with the scenario's overrides applied (errors name `catalog.<type>`)."""
    try:
        return load_catalog(scenario.region).with_overrides(scenario.catalog)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [str(part) for part in first["loc"]]
        if loc and loc[0] in ("instances", "accelerators"):
            loc = loc[1:]  # the scenario names entries directly: catalog.<type>.<field>
        raise ScenarioError(".".join(["catalog", *loc]), error_reason(first)) from None


def _endpoint_problems(scenario: EndpointScenario | RecommendScenario, catalog: Catalog) -> Iterator[Problem]:
    endpoint = scenario.endpoint
    if endpoint is None:
        return
    if scenario.duration is not None and scenario.warmup >= scenario.duration:
        yield "warmup", "must be shorter than duration"
    names: set[str] = set()
    for index, variant in enumerate(endpoint.variants):
        path = f"endpoint.variants[{index}]"
        if variant.name in names:
            yield f"{path}.name", f"duplicate variant name {variant.name!r}"
        names.add(variant.name)
        yield from variant_problems(scenario, endpoint, path, variant, catalog)
    targets = scenario.traffic.target_variants if scenario.traffic else []
    targets_cover_all = sum(t.share for t in targets) >= 1
    total_weight = sum(variant.weight for variant in endpoint.variants)
    if not math.isfinite(total_weight):
        yield "endpoint.variants", "the variant weights add up to more than a number holds"
    elif total_weight <= 0 and not targets_cover_all:
        yield "endpoint.variants", "the variant weights add up to 0"
    weights = {variant.name: variant.weight for variant in endpoint.variants}
    for index, update in enumerate(endpoint.updates):
        path = f"endpoint.updates[{index}]"
        weights.update({name: w for name, w in update.weights.items() if name in weights})
        if not math.isfinite(sum(weights.values())):
            yield f"{path}.weights", "after this update the weights add up to more than a number holds"
        if update.weights and sum(weights.values()) <= 0 and not targets_cover_all:
            yield f"{path}.weights", "after this update the variant weights add up to 0"
        if scenario.duration is not None and update.at >= scenario.duration:
            yield f"{path}.at", "is not before the end of the run"
        if index and update.at < endpoint.updates[index - 1].at:
            yield f"{path}.at", "updates must be in time order"
        for key in ("weights", "instance_counts"):
            for name in getattr(update, key):
                if name not in names:
                    yield f"{path}.{key}.{name}", f"unknown variant {name!r}"
        if not update.weights and not update.instance_counts:
            yield path, "changes nothing: give weights and/or instance_counts"


def staged(scenario: ScenarioBase, variant: VariantSpec) -> bool:
    """Whether a variant runs as a pipeline (containers, or an Elastic Inference accelerator)."""
    model = scenario.models.get(variant.model)
    return model is not None and (model.containers is not None or variant.accelerator_type is not None)


def _model_problems(scenario: ScenarioBase, catalog: Catalog) -> Iterator[Problem]:
    for name, model in scenario.models.items():
        for instance_type in model.per_instance_type:
            if instance_type not in catalog.instances:
                yield f"models.{name}.per_instance_type.{instance_type}", "unknown instance type"
        for instance_type in model.batching.per_instance_type if model.batching else {}:
            if instance_type not in catalog.instances:
                yield f"models.{name}.batching.per_instance_type.{instance_type}", "unknown instance type"


def _traffic_problems(scenario: EndpointScenario | RecommendScenario, catalog: Catalog) -> Iterator[Problem]:
    traffic, endpoint = scenario.traffic, scenario.endpoint
    if traffic is None or endpoint is None:  # traffic always comes with an endpoint (see kinds.py)
        return
    if scenario.metrics.per_request_records is False:
        if traffic.arrivals.process == "closed_loop" or any(v.serverless for v in endpoint.variants):
            yield (
                "metrics.per_request_records",
                "streaming (false) needs open-loop traffic and no serverless variant",
            )
        elif any(staged(scenario, v) for v in endpoint.variants):
            yield "metrics.per_request_records", "streaming (false) does not record pipeline stages"
    for index, target in enumerate(traffic.target_variants):
        if target.variant not in {v.name for v in endpoint.variants}:
            yield f"traffic.target_variants[{index}].variant", f"unknown variant {target.variant!r}"
    arrivals = traffic.arrivals
    if arrivals.process == "schedule" and scenario.duration is not None:
        for index, step in enumerate(arrivals.steps):
            if step.at >= scenario.duration:
                yield f"traffic.arrivals.steps[{index}].at", "is not before the end of the run"


def _catalog_problems(scenario: ScenarioBase, catalog: Catalog) -> Iterator[Problem]:
    for name in scenario.catalog:
        gpu = catalog.instances[name].gpu if name in catalog.instances else None
        if gpu is not None and gpu.type not in catalog.gpus:
            yield (
                f"catalog.{name}.gpu.type",
                f"unknown GPU type {gpu.type!r} (known: {', '.join(sorted(catalog.gpus))})",
            )


def _training_problems(scenario: TrainingScenario, catalog: Catalog) -> Iterator[Problem]:
    for path, reason in check_training_job(scenario.training_job, catalog):
        yield f"training_job.{path}" if path else "training_job", reason


def _transform_problems(scenario: TransformScenario, catalog: Catalog) -> Iterator[Problem]:
    job = scenario.batch_transform
    model = scenario.models.get(job.model)
    if model is None:
        yield (
            "batch_transform.model",
            f"unknown model {job.model!r} (defined: {', '.join(sorted(scenario.models))})",
        )
        return
    if job.instance_type not in catalog.instances:
        yield "batch_transform.instance_type", unknown_instance_type(job.instance_type, catalog.instances)
        return
    instance = catalog.instance(job.instance_type)
    if model.memory > instance.memory_gib * GIB:
        yield (
            f"models.{job.model}.memory",
            f"model does not fit the {instance.memory_gib} GiB of {instance.name}",
        )
    variant = VariantSpec(name="transform", model=job.model, instance_type=job.instance_type)
    if not has_service_time(model, variant, instance):
        yield "batch_transform.instance_type", f"model {job.model!r} has no service time for {instance.name}"
        return
    yield from serving_problems("batch_transform", variant, model, catalog)
    if job.dataset.record_size > job.max_payload:
        yield "batch_transform.dataset.record_size", "a record is larger than max_payload (MaxPayloadInMB)"


def _options(scenario: OptionsScenario, catalog: Catalog) -> Iterator[Problem]:
    options = scenario.options
    names = [v.name for v in scenario.endpoint.variants]
    for index, name in enumerate(options.variants or []):
        if name not in names:
            yield f"options.variants[{index}]", f"unknown variant {name!r} (defined: {', '.join(names)})"
    if scenario.endpoint.updates:
        yield "endpoint.updates", "options run each variant alone: remove updates"
    if scenario.traffic is not None and scenario.traffic.target_variants:
        yield "traffic.target_variants", "options run each variant alone: remove target_variants"


def _instance_problems(path: str, name: str, catalog: Catalog) -> Iterator[Problem]:
    if name not in catalog.instances:
        yield path, unknown_instance_type(name, catalog.instances)


def _accelerator_problems(path: str, name: str, instance: str | None, catalog: Catalog) -> Iterator[Problem]:
    if name not in catalog.accelerators:
        known = ", ".join(sorted(catalog.accelerators))
        yield path, f"unknown accelerator type {name!r} (known: {known})"
    elif (
        instance is not None and instance in catalog.instances and catalog.instance(instance).gpu is not None
    ):
        yield path, f"Elastic Inference attaches to CPU instances, not to {instance}"


def _recommend_problems(scenario: RecommendScenario, catalog: Catalog) -> Iterator[Problem]:
    """Names of the model, instance types, families and accelerators a recommend job searches."""
    spec = scenario.recommend
    if spec.model is None and len(scenario.models) != 1:
        yield (
            "recommend.model",
            f"name the model to recommend for (defined: {', '.join(sorted(scenario.models))})",
        )
        return
    if spec.model is not None and spec.model not in scenario.models:
        yield (
            "recommend.model",
            f"unknown model {spec.model!r} (defined: {', '.join(sorted(scenario.models))})",
        )
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


Check = Callable[[Any, Catalog], Iterator[Problem]]
_SERVED: tuple[Check, ...] = (_endpoint_problems, _traffic_problems)
CHECKS: dict[Kind, tuple[Check, ...]] = {
    Kind.ENDPOINT: _SERVED,
    Kind.ROLLOUT: (*_SERVED, rollout_problems),
    Kind.OPTIONS: (*_SERVED, _options),
    Kind.TRAINING_JOB: (_training_problems,),
    Kind.BATCH_TRANSFORM: (_transform_problems,),
    Kind.RECOMMEND: (*_SERVED, _recommend_problems),
}
"""Each kind's cross-reference checks in order, after the catalog's and the models' (every kind has them)."""


def find_problems(scenario: Scenario) -> list[Problem]:
    """All cross-reference problems, as (yaml path, reason), in document order."""
    catalog = scenario_catalog(scenario)
    checks = (_catalog_problems, _model_problems, *CHECKS[scenario.kind])
    return [problem for check in checks for problem in check(scenario, catalog)]
