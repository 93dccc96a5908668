"""The AWS CreateInferenceRecommendationsJob request -> the scenario's `recommend:` section.

The request is first checked by botocore's ParamValidator against SageMaker's own service model, so
a key AWS does not know is refused as AWS would refuse it. Every member of the request shape then
falls in exactly one of three groups (tests walk botocore's shape to keep it so):

- HONOURED: converted into the scenario and simulated (the job type, traffic, limits, stopping
  conditions, endpoint configurations incl. serverless ProvisionedConcurrency, and the container's
  SupportedInstanceTypes / SupportedEndpointType, which narrow the candidates).
- NAMING: names or plumbing with no bearing on simulated performance (JobName, RoleArn, the model
  package, KMS keys, VPC, tags, the container's descriptive metadata); kept, and echoed in
  recommendations.json as the service echoes them.
- REFUSED: what sagesim cannot simulate; a one-line error names the request path and why.

Every converted value remembers where it came from, so a later error names the request's own path.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.aws.shapes import SAGEMAKER, check_request
from simulator.errors import ScenarioError

OPERATION = "CreateInferenceRecommendationsJob"
ENDPOINT = "InputConfig.EndpointConfigurations[]"
CONTAINER = "InputConfig.ContainerConfig"

HONOURED = {
    "JobType",
    "StoppingConditions",
    "InputConfig.JobDurationInSeconds",
    "InputConfig.TrafficPattern",
    "InputConfig.ResourceLimit",
    f"{ENDPOINT}.InstanceType",
    f"{ENDPOINT}.ServerlessConfig",
    f"{CONTAINER}.SupportedInstanceTypes",
    f"{CONTAINER}.SupportedEndpointType",
}
NAMING = {
    "JobName",
    "RoleArn",
    "JobDescription",
    "Tags",
    "OutputConfig",
    "InputConfig.ModelPackageVersionArn",
    "InputConfig.ModelName",
    "InputConfig.VolumeKmsKeyId",
    "InputConfig.VpcConfig",
    f"{ENDPOINT}.InferenceSpecificationName",
    f"{CONTAINER}.Domain",
    f"{CONTAINER}.Task",
    f"{CONTAINER}.Framework",
    f"{CONTAINER}.FrameworkVersion",
    f"{CONTAINER}.NearestModelName",
    f"{CONTAINER}.PayloadConfig.SupportedContentTypes",
    f"{CONTAINER}.DataInputConfig",
    f"{CONTAINER}.SupportedResponseMIMETypes",
}
REFUSED = {
    f"{ENDPOINT}.EnvironmentParameterRanges": "sagesim's model has no environment variables to vary;"
    " give one EndpointConfiguration per setting instead",
    "InputConfig.Endpoints": "sagesim cannot load-test an existing endpoint; describe its instance type"
    " in InputConfig.EndpointConfigurations instead",
    f"{CONTAINER}.PayloadConfig.SamplePayloadUrl": "sagesim reads no payloads from S3; the scenario's"
    " traffic.payload_size stands for them",
}
RENAMED = {"MemorySizeInMB": "memory_size_in_mb", "JobDurationInSeconds": "job_duration"}


def snake(name: str) -> str:
    """'InitialNumberOfUsers' -> 'initial_number_of_users'."""
    if name in RENAMED:
        return RENAMED[name]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Converted:
    """Plain data for the `recommend:` section plus a map from its paths back to the request's paths."""

    def __init__(self) -> None:
        self.origins: dict[str, str] = {}

    def convert(self, value: Any, ours: str, theirs: str) -> Any:
        self.origins[ours] = theirs
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                # botocore let only an integer through (or a bool, which Python counts as one)
                if key == "ValueInMilliseconds" and not isinstance(item, bool):
                    result["value"] = f"{item}ms"
                    self.origins[f"{ours}.value"] = f"{theirs}.{key}"
                    continue
                name = snake(str(key))
                result[name] = self.convert(item, f"{ours}.{name}", f"{theirs}.{key}")
            return result
        if isinstance(value, list):
            return [self.convert(item, f"{ours}[{i}]", f"{theirs}[{i}]") for i, item in enumerate(value)]
        return value

    def origin(self, path: str) -> str | None:
        """The request path behind a scenario path (its longest converted prefix)."""
        prefixes = [
            ours for ours in self.origins if path == ours or path.startswith((ours + ".", ours + "["))
        ]
        ours = max(prefixes, key=len, default=None)  # the first of the longest
        return None if ours is None else self.origins[ours] + path[len(ours) :]


def refuse_unsimulated(request: dict[str, Any]) -> None:
    """A one-line error for the first REFUSED field the request gives."""
    inputs = request["InputConfig"]
    for index, configuration in enumerate(inputs.get("EndpointConfigurations", [])):
        if "EnvironmentParameterRanges" in configuration:
            path = f"InputConfig.EndpointConfigurations[{index}].EnvironmentParameterRanges"
            raise ScenarioError(f"--request: {path}", REFUSED[f"{ENDPOINT}.EnvironmentParameterRanges"])
    if "Endpoints" in inputs:
        raise ScenarioError("--request: InputConfig.Endpoints", REFUSED["InputConfig.Endpoints"])
    if "SamplePayloadUrl" in inputs.get("ContainerConfig", {}).get("PayloadConfig", {}):
        path = f"{CONTAINER}.PayloadConfig.SamplePayloadUrl"
        raise ScenarioError(f"--request: {path}", REFUSED[path])


def from_aws_request(request: Any) -> tuple[dict[str, Any], Converted]:
    """The `recommend:` section for an AWS request document (errors name `--request: <path>`)."""
    if not isinstance(request, dict):
        raise ScenarioError("--request", "the request must be a JSON object")
    check_request(SAGEMAKER, OPERATION, request, "--request")
    refuse_unsimulated(request)
    converted = Converted()
    section = {"job_type": converted.convert(request["JobType"], "recommend.job_type", "JobType")}
    advanced: dict[str, Any] = {}
    if "StoppingConditions" in request and request["JobType"] == "Advanced":
        advanced["stopping_conditions"] = converted.convert(
            request["StoppingConditions"], "recommend.advanced.stopping_conditions", "StoppingConditions"
        )
    elif "StoppingConditions" in request:
        section.update(_default_stopping(request["StoppingConditions"], converted))
    inputs = request["InputConfig"]
    for key in ("JobDurationInSeconds", "TrafficPattern", "ResourceLimit"):
        if key in inputs:
            name = snake(key)
            ours, theirs = f"recommend.advanced.{name}", f"InputConfig.{key}"
            advanced[name] = converted.convert(inputs[key], ours, theirs)
    if "EndpointConfigurations" in inputs:
        advanced["endpoint_configurations"] = [
            converted.convert(
                {k: v for k, v in item.items() if f"{ENDPOINT}.{k}" in HONOURED},
                f"recommend.advanced.endpoint_configurations[{i}]",
                f"InputConfig.EndpointConfigurations[{i}]",
            )
            for i, item in enumerate(inputs["EndpointConfigurations"])
        ]
    if advanced:
        section["advanced"] = advanced
    container = inputs.get("ContainerConfig", {})
    if request["JobType"] == "Advanced":
        _check_advanced_fits(inputs.get("EndpointConfigurations", []), container)
    else:
        candidates = _default_candidates(container, converted)
        if candidates:
            section["candidates"] = candidates
    return section, converted


def _default_stopping(stopping: dict[str, Any], converted: Converted) -> dict[str, Any]:
    """A Default job's StoppingConditions: its latency threshold is the job's SLO; the search finds
    MaxInvocations itself and always stops at the knee, so neither may be asked for."""
    if "MaxInvocations" in stopping:
        raise ScenarioError(
            "--request: StoppingConditions.MaxInvocations",
            "a Default job searches for MaxInvocations itself; a cap applies to Advanced jobs only",
        )
    if stopping.get("FlatInvocations", "Continue") != "Continue":
        raise ScenarioError(
            "--request: StoppingConditions.FlatInvocations",
            "a Default job's search always stops where throughput flattens; Stop applies to Advanced jobs",
        )
    thresholds = stopping.get("ModelLatencyThresholds", [])
    if len(thresholds) > 1:
        path = "--request: StoppingConditions.ModelLatencyThresholds"
        raise ScenarioError(path, "give at most one threshold (sagesim's SLO is one percentile)")
    if not thresholds:
        return {}
    return {
        "latency_threshold": converted.convert(
            thresholds[0], "recommend.latency_threshold", "StoppingConditions.ModelLatencyThresholds[0]"
        )
    }


def _default_candidates(container: dict[str, Any], converted: Converted) -> dict[str, Any]:
    """The candidate filters of a Default job from ContainerConfig (types, real-time or serverless)."""
    candidates: dict[str, Any] = {}
    if "SupportedInstanceTypes" in container:
        candidates["instance_types"] = converted.convert(
            container["SupportedInstanceTypes"],
            "recommend.candidates.instance_types",
            f"{CONTAINER}.SupportedInstanceTypes",
        )
    kind = container.get("SupportedEndpointType")
    if kind == "RealTime":
        candidates["serverless_memory_mb"] = []
    elif kind == "Serverless":
        raise ScenarioError(
            f"--request: {CONTAINER}.SupportedEndpointType",
            "a serverless-only Default job is not simulated; give an Advanced job whose"
            " EndpointConfigurations hold the ServerlessConfig sizes to try",
        )
    return candidates


def _check_advanced_fits(configurations: list[dict[str, Any]], container: dict[str, Any]) -> None:
    """An Advanced job's configurations must lie within its container's supported types and kind."""
    supported = container.get("SupportedInstanceTypes")
    kind = container.get("SupportedEndpointType")
    for index, item in enumerate(configurations):
        path = f"--request: InputConfig.EndpointConfigurations[{index}]"
        if "InstanceType" in item and supported is not None and item["InstanceType"] not in supported:
            raise ScenarioError(
                f"{path}.InstanceType",
                f"{item['InstanceType']} is not in {CONTAINER}.SupportedInstanceTypes",
            )
        serverless = "ServerlessConfig" in item
        if (kind == "RealTime" and serverless) or (kind == "Serverless" and not serverless):
            raise ScenarioError(path, f"does not match {CONTAINER}.SupportedEndpointType {kind}")
