"""A scenario's endpoint (or one recommendation) as the AWS calls and the template that deploy it.

Written: create-endpoint-config.json (a SageMaker CreateEndpointConfig request), for each autoscaled
variant register-scalable-target[-VARIANT].json and put-scaling-policy[-VARIANT].json (Application
Auto Scaling requests; the variant suffix only when several variants scale), and template.yaml, a
CloudFormation template of the same (EndpointConfig, Endpoint, ScalableTarget, ScalingPolicy) with
the model's name as a Parameter. Every request is checked by botocore's ParamValidator before it is
written. The model itself (image, artefacts, role) is not in a scenario: the exports name a model
the user has created (`--model-name`).

Step scaling policies are written as put-scaling-policy[-VARIANT]-NAME.json with the CloudWatch alarm
that drives each (put-metric-alarm[-VARIANT]-NAME.json, an AWS::CloudWatch::Alarm in the template; see
aws_export_step.py). What a scenario simulates but AWS cannot be told in these calls is refused, naming
the scenario path: scheduled actions (a simulated time has no calendar date), target-tracking alarm
settings other than the service's fixed ones, and step settings CloudWatch or AWS would reject. What only
describes the simulation (workers, queues, instance speeds, start-up times, overheads) and timed
events (endpoint.updates, a rollout's green variant and deployment) are not deployment settings: the
export is the endpoint as it starts, and the command notes what it left out. Elastic Inference variants
are refused: CloudFormation's EndpointConfig no longer takes AcceleratorType.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from simulator.aws.sagemaker_names import ALARM_METRICS, DIMENSION, PREDEFINED, resource_id, service_period
from simulator.aws.shapes import AUTOSCALING, CLOUDWATCH, SAGEMAKER, check_request
from simulator.errors import ScenarioError
from simulator.recommend.aws_response import aws_name
from simulator.report import aws_export_step as step_export
from simulator.scenario.endpoint import VariantSpec
from simulator.scenario.kinds import (
    EndpointScenario,
    OptionsScenario,
    RecommendScenario,
    RolloutScenario,
    Scenario,
)
from simulator.scenario.scaling import AutoscalingSpec, TargetTracking
from simulator.staging import write_json
from simulator.wording import counted

NAME_PATTERN = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"  # EndpointName, VariantName, ModelName (simplified)


@dataclass
class Variant:
    """One production variant to deploy, in AWS terms, and its autoscaling if any."""

    name: str
    model: str  # the scenario's model key (each gets its own ModelName)
    instance_type: str | None = None
    instance_count: int = 1
    weight: float = 1.0
    accelerator_type: str | None = None
    routing: str | None = None
    serverless: dict[str, int] | None = None
    autoscaling: AutoscalingSpec | None = None


@dataclass
class Deployment:
    """An endpoint to export: its name, its variants and the ModelName of each scenario model."""

    endpoint: str
    variants: list[Variant]
    model_names: dict[str, str] = field(default_factory=dict)
    left_out: list[str] = field(default_factory=list)  # what the scenario does over time, as notes


def from_scenario(scenario: Scenario, model_name: str | None) -> Deployment:
    """The scenario's endpoint section as a Deployment (refusing what the AWS calls cannot say)."""
    endpoint = scenario.endpoint if isinstance(scenario, EndpointScenario | RecommendScenario) else None
    if endpoint is None:
        raise ScenarioError("endpoint", "this scenario has no endpoint to export")
    chosen = _chosen_option(scenario) if isinstance(scenario, OptionsScenario) else None
    green = scenario.rollout.green if isinstance(scenario, RolloutScenario) else None
    variants = []
    for index, spec in enumerate(endpoint.variants):
        if (chosen is not None and spec.name != chosen) or spec.name == green:
            continue
        if spec.accelerator_type is not None:
            raise ScenarioError(
                f"endpoint.variants[{index}].accelerator_type",
                "Elastic Inference is closed to new customers (since 2023-04-15) and CloudFormation's"
                " EndpointConfig no longer takes AcceleratorType: export a GPU or CPU variant",
            )
        _check_autoscaling(spec, f"endpoint.variants[{index}]")
        variants.append(_variant(spec, endpoint.routing.value))
    models = sorted({v.model for v in variants})
    names = _model_names(models, model_name, scenario.name)
    return Deployment(aws_name(endpoint.name, 63), variants, names, _left_out(scenario, green))


def _left_out(scenario: EndpointScenario | RecommendScenario, green: str | None) -> list[str]:
    """What the scenario does over time that the export, the endpoint as it starts, leaves out."""
    notes = []
    updates = scenario.endpoint.updates if scenario.endpoint is not None else []
    if updates:
        notes.append(
            f"endpoint.updates ({counted(len(updates), 'timed change')}) are not exported: this is the"
            " endpoint as it starts"
        )
    if green is not None:
        notes.append(
            f"rollout: the blue/green deployment to {green} (UpdateEndpoint's DeploymentConfig) is not"
            f" exported: this is the endpoint as it starts, without {green}"
        )
    return notes


def _chosen_option(scenario: OptionsScenario) -> str:
    """An options scenario's variants are alternatives, not one endpoint's traffic split: exported
    together they would deploy every alternative at once, so one must be chosen."""
    names = scenario.options.variants or [variant.name for variant in scenario.endpoint.variants]
    if len(names) != 1:
        raise ScenarioError(
            "options.variants",
            f"the variants are alternatives: choose one to export, e.g. --set 'options.variants=[{names[0]}]'"
            f" (one of {', '.join(names)})",
        )
    return names[0]


def _variant(spec: VariantSpec, routing: str) -> Variant:
    serverless = None
    if spec.serverless is not None:
        serverless = {
            "MemorySizeInMB": spec.serverless.memory_mb,
            "MaxConcurrency": spec.serverless.max_concurrency,
        }
        if spec.serverless.provisioned_concurrency:
            serverless["ProvisionedConcurrency"] = spec.serverless.provisioned_concurrency
    return Variant(
        name=spec.name,
        model=spec.model,
        instance_type=spec.instance_type if spec.serverless is None else None,
        instance_count=spec.instance_count,
        weight=spec.weight,
        accelerator_type=spec.accelerator_type,
        routing=(spec.routing.value if spec.routing is not None else routing)
        if spec.serverless is None
        else None,
        serverless=serverless,
        autoscaling=spec.autoscaling,
    )


def _check_autoscaling(spec: VariantSpec, path: str) -> None:
    scaling = spec.autoscaling
    if scaling is None:
        return
    where = f"{path}.autoscaling"
    step_export.check_steps(scaling.step_scaling, f"{where}.step_scaling")
    if scaling.scheduled_actions:
        raise ScenarioError(
            f"{where}.scheduled_actions",
            "a scheduled action at a simulated time has no calendar date to export",
        )
    tracking = scaling.target_tracking
    if tracking is None:
        return
    fixed = TargetTracking(target_value=tracking.target_value, metric=tracking.metric)
    seconds = service_period(tracking.metric.value)
    if tracking.period is not None and tracking.period != seconds:
        raise ScenarioError(
            f"{where}.target_tracking.period",
            f"AWS evaluates this metric every {seconds} s; another period cannot be exported",
        )
    for name in ("scale_out_alarm", "scale_in_alarm", "scale_in_ratio"):
        if getattr(tracking, name) != getattr(fixed, name):
            raise ScenarioError(
                f"{where}.target_tracking.{name}",
                "AWS manages target tracking's alarms itself; only the service's settings can be exported",
            )


def _model_names(models: list[str], given: str | None, scenario_name: str) -> dict[str, str]:
    """ModelName per scenario model: `given` (or the scenario's name), suffixed by the model when several."""
    if given is not None and not re.fullmatch(NAME_PATTERN, given):
        raise ScenarioError(
            "--model-name",
            f"{given!r} is not a SageMaker model name (letters, digits, single hyphens, <= 63)",
        )
    base = given or aws_name(scenario_name, 63)
    if len(models) == 1:
        return {models[0]: base}
    return {model: aws_name(f"{base[:40]}-{model}", 63) for model in models}


SHOWN_IDS = 10  # of a file's RecommendationIds in an error line; the rest are counted


def from_recommendation(response: Any, recommendation_id: str, model_name: str | None) -> Deployment:
    """One recommendation of a DescribeInferenceRecommendationsJob response as a Deployment."""
    items = response.get("InferenceRecommendations", []) if isinstance(response, dict) else []
    chosen = [r for r in items if r.get("RecommendationId") == recommendation_id]
    if not chosen:
        ids = [str(r.get("RecommendationId")) for r in items]
        more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
        known = (", ".join(ids[:SHOWN_IDS]) + more) or "none"
        raise ScenarioError(
            "--recommendation-id", f"{recommendation_id!r} is not in the file (it has: {known})"
        )
    config = chosen[0]["EndpointConfiguration"]
    variant = Variant(
        name=config["VariantName"],
        model="model",
        instance_type=config.get("InstanceType"),
        instance_count=config.get("InitialInstanceCount", 1),
        serverless=config.get("ServerlessConfig"),
    )
    names = _model_names(["model"], model_name, str(response.get("JobName", "sagesim")))
    return Deployment(aws_name(config["EndpointName"], 63), [variant], names)


def production_variant(variant: Variant, model_name: Any) -> dict[str, Any]:
    """ProductionVariant (the same keys in the API and in CloudFormation)."""
    block: dict[str, Any] = {"VariantName": variant.name, "ModelName": model_name}
    if variant.serverless is not None:
        block["ServerlessConfig"] = dict(variant.serverless)
    else:
        block["InstanceType"] = variant.instance_type
        block["InitialInstanceCount"] = variant.instance_count
    block["InitialVariantWeight"] = variant.weight
    if variant.accelerator_type:
        block["AcceleratorType"] = variant.accelerator_type
    if variant.routing:
        block["RoutingConfig"] = {"RoutingStrategy": variant.routing}
    return block


def create_endpoint_config(deployment: Deployment) -> dict[str, Any]:
    return {
        "EndpointConfigName": aws_name(f"{deployment.endpoint[:55]}-config", 63),
        "ProductionVariants": [
            production_variant(v, deployment.model_names[v.model]) for v in deployment.variants
        ],
    }


def register_scalable_target(endpoint: str, variant: Variant) -> dict[str, Any]:
    assert variant.autoscaling is not None
    return {
        "ServiceNamespace": "sagemaker",
        "ResourceId": resource_id(endpoint, variant.name),
        "ScalableDimension": DIMENSION,
        "MinCapacity": variant.autoscaling.min_capacity,
        "MaxCapacity": variant.autoscaling.max_capacity,
    }


def target_tracking(endpoint: Any, variant: Variant) -> dict[str, Any]:
    """TargetTrackingScalingPolicyConfiguration (`endpoint` may be a CloudFormation reference)."""
    assert variant.autoscaling is not None and variant.autoscaling.target_tracking is not None
    tracking = variant.autoscaling.target_tracking
    block: dict[str, Any] = {"TargetValue": tracking.target_value}
    if tracking.metric.value in PREDEFINED:
        block["PredefinedMetricSpecification"] = {"PredefinedMetricType": PREDEFINED[tracking.metric.value]}
    else:
        metric, namespace, statistic = ALARM_METRICS[tracking.metric.value]
        block["CustomizedMetricSpecification"] = {
            "MetricName": metric,
            "Namespace": namespace,
            "Dimensions": step_export.dimensions(endpoint, variant.name),
            "Statistic": statistic,
        }
    block["ScaleInCooldown"] = round(tracking.scale_in_cooldown)
    block["ScaleOutCooldown"] = round(tracking.scale_out_cooldown)
    if tracking.disable_scale_in:
        block["DisableScaleIn"] = True
    return block


def tracking_policy(endpoint: Any, variant: Variant) -> step_export.Policy:
    name = aws_name(f"{variant.name}-target-tracking", 256)
    return name, "TargetTrackingScaling", target_tracking(endpoint, variant)


def _logical_id(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def template(deployment: Deployment) -> dict[str, Any]:
    """The CloudFormation template: EndpointConfig, Endpoint and each variant's scaling."""
    parameters = {}
    references = {}
    for model, name in deployment.model_names.items():
        key = "ModelName" if len(deployment.model_names) == 1 else f"ModelName{_logical_id(model)}"
        parameters[key] = {
            "Type": "String",
            "Default": name,
            "Description": f"an existing SageMaker model (CreateModel) for the scenario's model {model!r}",
        }
        references[model] = {"Ref": key}
    resources: dict[str, Any] = {
        "EndpointConfig": {
            "Type": "AWS::SageMaker::EndpointConfig",
            "Properties": {
                "ProductionVariants": [
                    production_variant(v, references[v.model]) for v in deployment.variants
                ]
            },
        },
        "Endpoint": {
            "Type": "AWS::SageMaker::Endpoint",
            "Properties": {
                "EndpointName": deployment.endpoint,
                "EndpointConfigName": {"Fn::GetAtt": ["EndpointConfig", "EndpointConfigName"]},
            },
        },
    }
    endpoint_name = {"Fn::GetAtt": ["Endpoint", "EndpointName"]}
    for variant in deployment.variants:
        if variant.autoscaling is None:
            continue
        target = f"{_logical_id(variant.name)}ScalableTarget"
        resources[target] = {
            "Type": "AWS::ApplicationAutoScaling::ScalableTarget",
            "Properties": {
                **register_scalable_target(deployment.endpoint, variant),
                "ResourceId": {"Fn::Sub": f"endpoint/${{Endpoint.EndpointName}}/variant/{variant.name}"},
            },
        }
        if variant.autoscaling.target_tracking is not None:
            policy = step_export.policy_resource(target, tracking_policy(endpoint_name, variant))
            resources[f"{_logical_id(variant.name)}ScalingPolicy"] = policy
        resources.update(
            step_export.template_resources(
                variant.name, _logical_id(variant.name), target, variant.autoscaling.step_scaling
            )
        )
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"SageMaker endpoint {deployment.endpoint}, exported by sagesim",
        "Parameters": parameters,
        "Resources": resources,
    }


def export_documents(deployment: Deployment) -> dict[str, Any]:
    """File name -> request document, each checked by botocore's ParamValidator."""
    documents: dict[str, Any] = {}

    def add(name: str, service: str, operation: str, document: dict[str, Any]) -> None:
        check_request(service, operation, document, name)
        documents[name] = document

    endpoint = deployment.endpoint
    add("create-endpoint-config.json", SAGEMAKER, "CreateEndpointConfig", create_endpoint_config(deployment))
    scaled = [v for v in deployment.variants if v.autoscaling is not None]
    for variant in scaled:
        suffix = f"-{variant.name}" if len(scaled) > 1 else ""
        target = register_scalable_target(endpoint, variant)
        add(f"register-scalable-target{suffix}.json", AUTOSCALING, "RegisterScalableTarget", target)
        assert variant.autoscaling is not None
        if variant.autoscaling.target_tracking is not None:
            policy = step_export.put_policy(endpoint, variant.name, tracking_policy(endpoint, variant))
            add(f"put-scaling-policy{suffix}.json", AUTOSCALING, "PutScalingPolicy", policy)
        for step in variant.autoscaling.step_scaling:
            name = f"{suffix}-{aws_name(step.name, 64)}"
            policy = step_export.step_policy(variant.name, step)
            request = step_export.put_policy(endpoint, variant.name, policy)
            add(f"put-scaling-policy{name}.json", AUTOSCALING, "PutScalingPolicy", request)
            alarm = step_export.put_metric_alarm(endpoint, variant.name, step)
            add(f"put-metric-alarm{name}.json", CLOUDWATCH, "PutMetricAlarm", alarm)
    return documents


class _NoAliases(yaml.SafeDumper):
    """CloudFormation refuses YAML anchors and aliases: a value used twice is written twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def write_export(deployment: Deployment, out: Path) -> list[str]:
    """Write the request JSONs and template.yaml into `out` (a fresh staging directory)."""
    documents = export_documents(deployment)
    for name, document in documents.items():
        write_json(out / name, document)
    text = yaml.dump(template(deployment), Dumper=_NoAliases, sort_keys=False)
    (out / "template.yaml").write_text(text)
    return [*documents, "template.yaml"]
