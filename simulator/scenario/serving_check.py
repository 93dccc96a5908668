"""Cross-reference rules for pipelines, batching, GPUs and Elastic Inference (called from crossref.py)."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.catalog import Catalog
from simulator.scenario.common import Problem
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.models import ModelSpec

GIB = 1024**3


def has_service_time(model: ModelSpec, variant: VariantSpec, catalog: Catalog) -> bool:
    """Whether the model says how long a request takes on this variant's instance type."""
    assert variant.instance_type is not None
    instance = catalog.instance(variant.instance_type)
    return (
        model.service_time is not None
        or model.containers is not None
        or model.batching is not None
        or variant.instance_type in model.per_instance_type
        or (model.gpu_service_time is not None and instance.gpu is not None)
        or (variant.accelerator_type is not None and model.elastic_inference is not None)
    )


def serving_problems(
    path: str, variant: VariantSpec, model: ModelSpec | None, catalog: Catalog
) -> Iterator[Problem]:
    """Accelerator type and placement, and whether the model fits the accelerator's or a GPU's memory."""
    mpath = f"models.{variant.model}"
    if variant.serverless is not None:
        if variant.accelerator_type is not None:
            yield f"{path}.accelerator_type", "a serverless variant cannot have an accelerator"
        if model is not None and (model.containers or model.batching):
            yield f"{path}.serverless", "pipelines and dynamic batching need instances, not serverless"
        return
    if variant.instance_type is None or variant.instance_type not in catalog.instances or model is None:
        return
    instance = catalog.instance(variant.instance_type)
    if variant.accelerator_type is not None:
        accelerator = catalog.accelerators.get(variant.accelerator_type)
        if accelerator is None:
            known = ", ".join(sorted(catalog.accelerators))
            yield (
                f"{path}.accelerator_type",
                f"unknown accelerator type {variant.accelerator_type!r} (known: {known})",
            )
            return
        if instance.gpu is not None:
            yield (
                f"{path}.accelerator_type",
                f"Elastic Inference attaches to CPU instances; {instance.name} has GPUs",
            )
            return
        if model.elastic_inference is None:
            yield f"{mpath}.elastic_inference", "required when a variant has an accelerator_type"
        elif model.containers is not None or (model.batching is not None and model.service_time is None):
            yield f"{path}.accelerator_type", "not supported with containers or batching"
        if model.memory > accelerator.memory_gib * GIB:
            yield (
                f"{mpath}.memory",
                f"model needs {model.memory / GIB:.2f} GiB but {accelerator.name} has"
                f" {accelerator.memory_gib:g} GiB",
            )
    on_gpu = model.gpu_service_time is not None or model.batching is not None
    if instance.gpu is not None and instance.gpu.type in catalog.gpus and on_gpu:
        gpu = catalog.gpu_model(instance.gpu.type)
        activations = (
            model.batching.activation_memory * model.batching.max_batch_size if model.batching else 0.0
        )
        if model.memory + activations > gpu.memory_gib * GIB:
            yield (
                f"{mpath}.memory",
                f"model needs {(model.memory + activations) / GIB:.2f} GiB of GPU memory (with a full batch)"
                f" but one {instance.gpu.type} of {instance.name} has {gpu.memory_gib:g} GiB",
            )
