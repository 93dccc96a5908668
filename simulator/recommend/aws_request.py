"""The AWS CreateInferenceRecommendationsJob request shape -> the scenario's `recommend:` section.

Only the fields sagesim models are read (JobType, InputConfig.EndpointConfigurations, TrafficPattern,
ResourceLimit, JobDurationInSeconds, StoppingConditions); identity and plumbing fields (JobName,
RoleArn, ModelPackageVersionArn, OutputConfig, ...) are accepted and ignored; anything else is an
error. Every converted value remembers where it came from, so an error names the request's own path.
"""

from __future__ import annotations

import re
from typing import Any

from simulator.errors import ScenarioError

IGNORED_TOP = {"JobName", "JobDescription", "RoleArn", "Tags", "OutputConfig"}
IGNORED_INPUT = {
    "ModelPackageVersionArn",
    "ModelName",
    "ContainerConfig",
    "VolumeKmsKeyId",
    "VpcConfig",
    "Endpoints",
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
                if (
                    key == "ValueInMilliseconds"
                    and isinstance(item, int | float)
                    and not isinstance(item, bool)
                ):
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
        best = None
        for ours, theirs in self.origins.items():
            if (path == ours or path.startswith(ours + ".") or path.startswith(ours + "[")) and (
                best is None or len(ours) > len(best[0])
            ):
                best = (ours, theirs)
        if best is None:
            return None
        return best[1] + path[len(best[0]) :]


def from_aws_request(request: Any) -> tuple[dict[str, Any], Converted]:
    """The `recommend:` section for an AWS request document (errors name `--request: <path>`)."""
    if not isinstance(request, dict):
        raise ScenarioError("--request", "the request must be a JSON object")
    converted = Converted()
    section: dict[str, Any] = {}
    for key, value in request.items():
        if key in IGNORED_TOP:
            continue
        if key == "JobType":
            section["job_type"] = value
            converted.origins["recommend.job_type"] = "JobType"
        elif key == "StoppingConditions":
            section.setdefault("advanced", {})["stopping_conditions"] = converted.convert(
                value, "recommend.advanced.stopping_conditions", "StoppingConditions"
            )
        elif key == "InputConfig":
            if not isinstance(value, dict):
                raise ScenarioError("--request: InputConfig", "must be an object")
            for inner, item in value.items():
                if inner in IGNORED_INPUT:
                    continue
                if inner not in (
                    "EndpointConfigurations",
                    "TrafficPattern",
                    "ResourceLimit",
                    "JobDurationInSeconds",
                ):
                    raise ScenarioError(f"--request: InputConfig.{inner}", "unknown or unsupported key")
                name = snake(inner)
                section.setdefault("advanced", {})[name] = converted.convert(
                    item, f"recommend.advanced.{name}", f"InputConfig.{inner}"
                )
        else:
            raise ScenarioError(f"--request: {key}", "unknown or unsupported key")
    return section, converted
