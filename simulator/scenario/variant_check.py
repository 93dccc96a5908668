"""Cross-reference rules of one production variant (called from crossref.py): instances or serverless,
capacity bounds and scaling policies, accelerators, and whether the model fits and has a service time."""

from __future__ import annotations

from collections.abc import Iterator

from simulator.catalog import Catalog, InstanceType
from simulator.scenario.common import Problem
from simulator.scenario.endpoint import EndpointSpec, VariantSpec
from simulator.scenario.models import ModelSpec
from simulator.scenario.scaling import AdjustmentType, AutoscalingSpec, Comparison, ScalingMetric
from simulator.scenario.schema import ScenarioBase
from simulator.scenario.suggest import unknown_instance_type

GIB = 1024**3


def variant_problems(
    scenario: ScenarioBase, endpoint: EndpointSpec, path: str, variant: VariantSpec, catalog: Catalog
) -> Iterator[Problem]:
    """The variant's model, its capacity, what its model is served with, and on which instance type."""
    model = scenario.models.get(variant.model)
    if model is None:
        yield (
            f"{path}.model",
            f"unknown model {variant.model!r} (defined: {', '.join(sorted(scenario.models))})",
        )
    yield from _elastic_problems(scenario, endpoint, path, variant, catalog)
    if variant.serverless is not None and model is not None and model.error_rate > 0:
        yield f"{path}.model", "a model error_rate is not modelled on serverless variants"
    special = model is not None and (model.containers or model.batching or variant.accelerator_type)
    if model is not None and model.error_rate > 0 and special:
        yield (
            f"{path}.model",
            "a model error_rate is not modelled with pipelines, batching or Elastic Inference",
        )
    if variant.serverless is not None:
        if variant.accelerator_type is not None:
            yield f"{path}.accelerator_type", "a serverless variant cannot have an accelerator"
        if model is not None and (model.containers or model.batching):
            yield f"{path}.serverless", "pipelines and dynamic batching need instances, not serverless"
        return
    if variant.instance_type is None:
        return
    if variant.instance_type not in catalog.instances:
        yield f"{path}.instance_type", unknown_instance_type(variant.instance_type, catalog.instances)
        return
    instance = catalog.instance(variant.instance_type)
    if model is None:
        return
    yield from serving_problems(path, variant, model, catalog)
    if model.memory > instance.memory_gib * GIB:
        yield (
            f"models.{variant.model}.memory",
            f"model needs {model.memory / GIB:.2f} GiB but {instance.name} has {instance.memory_gib} GiB",
        )
    if not has_service_time(model, variant, instance):
        yield f"{path}.instance_type", f"model {variant.model!r} has no service time for {instance.name}"


def _elastic_problems(
    scenario: ScenarioBase, endpoint: EndpointSpec, path: str, variant: VariantSpec, catalog: Catalog
) -> Iterator[Problem]:
    """Instance type vs serverless, capacity bounds, policies and serverless limits of one variant."""
    serverless = variant.serverless
    if serverless is None:
        if variant.instance_type is None:
            yield f"{path}.instance_type", "required key is missing (or give serverless)"
        elif variant.autoscaling is not None:
            yield from _autoscaling_problems(scenario, f"{path}.autoscaling", variant, variant.autoscaling)
            instance = catalog.instances.get(variant.instance_type)
            if instance is not None:
                yield from _unreachable_target(f"{path}.autoscaling", variant.autoscaling, instance)
        return
    if variant.instance_type is not None:
        instance = catalog.instances.get(variant.instance_type)
        if instance is not None and instance.gpu is not None:
            yield f"{path}.instance_type", "serverless inference has no GPUs: remove instance_type"
        else:
            yield f"{path}.instance_type", "a serverless variant has no instances: remove instance_type"
    fields = variant.model_fields_set
    if variant.instance_count != 1:
        yield f"{path}.instance_count", "does not apply to a serverless variant (it has no instances)"
    for key in ("workers", "instance_speeds", "startup_time"):
        if key in fields:
            yield f"{path}.{key}", "does not apply to a serverless variant"
    if variant.autoscaling is not None:
        yield f"{path}.autoscaling", "a serverless variant scales by concurrency: remove autoscaling"
    spath = f"{path}.serverless"
    limits = catalog.serverless
    if serverless.memory_mb not in limits.memory_tiers_mb:
        yield f"{spath}.memory_mb", f"must be one of {list(limits.memory_tiers_mb)}"
    if serverless.max_concurrency > limits.max_concurrency_limit:
        yield f"{spath}.max_concurrency", f"must be at most {limits.max_concurrency_limit}"
    if serverless.provisioned_concurrency > serverless.max_concurrency:
        yield (
            f"{spath}.provisioned_concurrency",
            f"ProvisionedConcurrency ({serverless.provisioned_concurrency}) must not exceed"
            f" MaxConcurrency ({serverless.max_concurrency})",
        )
    model = scenario.models.get(variant.model)
    if model is not None and model.service_time is None:
        yield f"models.{variant.model}.service_time", "a serverless variant needs a CPU service_time"
    for index, update in enumerate(endpoint.updates):
        if variant.name in update.instance_counts:
            yield (
                f"endpoint.updates[{index}].instance_counts.{variant.name}",
                "a serverless variant has no instance count",
            )


def _autoscaling_problems(
    scenario: ScenarioBase, path: str, variant: VariantSpec, spec: AutoscalingSpec
) -> Iterator[Problem]:
    if spec.min_capacity > spec.max_capacity:
        yield (
            f"{path}.min_capacity",
            f"min_capacity ({spec.min_capacity}) must not exceed max_capacity ({spec.max_capacity})",
        )
    if not spec.min_capacity <= variant.instance_count <= spec.max_capacity:
        yield (
            f"{path.removesuffix('.autoscaling')}.instance_count",
            f"initial instance_count {variant.instance_count} is outside"
            f" [{spec.min_capacity}, {spec.max_capacity}] of autoscaling",
        )
    tracking = spec.target_tracking
    if tracking is not None:
        tpath = f"{path}.target_tracking"
        if tracking.metric is ScalingMetric.INVOCATIONS:
            yield f"{tpath}.metric", "target tracking needs a per-instance metric, not Invocations"
        for key in ("scale_out_alarm", "scale_in_alarm"):
            alarm = getattr(tracking, key)
            if alarm.needed() > alarm.evaluation_periods:
                yield f"{tpath}.{key}.datapoints_to_alarm", "must not exceed evaluation_periods"
    yield from _zero_problems(path, spec)
    names = [step.name for step in spec.step_scaling]
    for index, step in enumerate(spec.step_scaling):
        spath = f"{path}.step_scaling[{index}]"
        if names.index(step.name) != index:
            yield f"{spath}.name", f"{step.name!r} is used twice; each policy needs a name of its own"
        if step.min_adjustment_magnitude is not None and step.adjustment_type is not AdjustmentType.PERCENT:
            yield f"{spath}.min_adjustment_magnitude", "AWS takes it only with PercentChangeInCapacity"
        if step.alarm.needed() > step.alarm.evaluation_periods:
            yield f"{spath}.alarm.datapoints_to_alarm", "must not exceed evaluation_periods"
        for number, adjustment in enumerate(step.step_adjustments):
            low, high = adjustment.lower_bound, adjustment.upper_bound
            if low is not None and high is not None and low >= high:
                yield f"{spath}.step_adjustments[{number}].upper_bound", "must be greater than lower_bound"
            if step.adjustment_type is AdjustmentType.EXACT and adjustment.adjustment < 0:
                yield f"{spath}.step_adjustments[{number}].adjustment", "ExactCapacity must be >= 0"
    low, high = spec.min_capacity, spec.max_capacity  # the bounds in effect, action after action
    for index, action in enumerate(spec.scheduled_actions):
        apath = f"{path}.scheduled_actions[{index}]"
        low = low if action.min_capacity is None else action.min_capacity
        high = high if action.max_capacity is None else action.max_capacity
        if action.min_capacity is None and action.max_capacity is None:
            yield apath, "changes nothing: give min_capacity and/or max_capacity"
        elif low > high:
            key = "min_capacity" if action.min_capacity is not None else "max_capacity"
            yield (
                f"{apath}.{key}",
                f"min_capacity ({low}) must not exceed max_capacity ({high}), the bounds in effect from"
                f" {action.at:g} s on",
            )
        if scenario.duration is not None and action.at >= scenario.duration:
            yield f"{apath}.at", "is not before the end of the run"
        if index and action.at < spec.scheduled_actions[index - 1].at:
            yield f"{apath}.at", "scheduled actions must be in time order"


def _unreachable_target(path: str, spec: AutoscalingSpec, instance: InstanceType) -> Iterator[Problem]:
    """CPUUtilization is % x cores (400 at most on 4 vCPUs): a target at or above the most it can read
    never sees a datapoint above it, so the policy would never scale out."""
    cores = max(instance.vcpus, instance.gpu.count if instance.gpu is not None else 0)
    most = f"CPUUtilization reads at most {100 * cores} on {instance.name} ({cores} cores x 100%)"
    tracking = spec.target_tracking
    cpu_tracking = tracking is not None and tracking.metric is ScalingMetric.CPU_UTILIZATION
    if tracking is not None and cpu_tracking and tracking.target_value >= 100 * cores:
        yield (
            f"{path}.target_tracking.target_value",
            f"{most}: a target of {tracking.target_value:g} would never be exceeded, so nothing"
            " would scale out",
        )
    for index, step in enumerate(spec.step_scaling):
        unreachable = (step.comparison is Comparison.GE and step.threshold > 100 * cores) or (
            step.comparison is Comparison.GT and step.threshold >= 100 * cores
        )
        if step.metric is ScalingMetric.CPU_UTILIZATION and unreachable:
            yield (
                f"{path}.step_scaling[{index}].threshold",
                f"{most}: a threshold of {step.threshold:g} would never be reached, so the alarm never fires",
            )


def _zero_problems(path: str, spec: AutoscalingSpec) -> Iterator[Problem]:
    """A fleet allowed down to 0 instances must have a way back: with none InService the per-instance
    metrics have no datapoints (they never breach), so only a step policy on the Invocations sum that
    adds capacity from zero, or a scheduled action raising the minimum, scales it out again."""
    minima = [
        spec.min_capacity,
        *(a.min_capacity for a in spec.scheduled_actions if a.min_capacity is not None),
    ]
    if 0 not in minima:
        return
    from_zero = any(
        step.metric is ScalingMetric.INVOCATIONS
        and step.adjustment_type is not AdjustmentType.PERCENT
        and any(adjustment.adjustment > 0 for adjustment in step.step_adjustments)
        for step in spec.step_scaling
    )
    raised = any(minimum > 0 for minimum in minima[minima.index(0) :])
    if not (from_zero or raised):
        key = "min_capacity" if spec.min_capacity == 0 else "scheduled_actions"
        yield (
            f"{path}.{key}",
            "at 0 instances nothing would scale out again (per-instance metrics have no datapoints):"
            " add a step scaling policy on Invocations that adds capacity, or keep a minimum of 1",
        )


def has_service_time(model: ModelSpec, variant: VariantSpec, instance: InstanceType) -> bool:
    """Whether the model says how long a request takes on this variant's instance type (`instance`)."""
    return (
        model.service_time is not None
        or model.containers is not None
        or model.batching is not None
        or variant.instance_type in model.per_instance_type
        or (model.gpu_service_time is not None and instance.gpu is not None)
        or (variant.accelerator_type is not None and model.elastic_inference is not None)
    )


def serving_problems(
    path: str, variant: VariantSpec, model: ModelSpec, catalog: Catalog
) -> Iterator[Problem]:
    """Accelerator type and placement, and whether the model fits the accelerator's or a GPU's memory
    (on an instance type the catalog has)."""
    mpath = f"models.{variant.model}"
    assert variant.instance_type is not None
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
