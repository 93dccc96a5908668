"""DescribeEndpointConfig -> the scenario's endpoint variants and models.

Each key of the response is simulated (SIMULATED), noted as having no bearing on capacity or latency
(NO_BEARING: names, encryption, networking, volumes, timeouts), or refused with the reason (REFUSED).
A key this table does not know, from a newer service model, is refused too: nothing is dropped unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from simulator.catalog import Catalog
from simulator.importing.documents import refuse, screen

OPTION = "--endpoint-config"

NO_BEARING = {
    "EndpointConfigName", "EndpointConfigArn", "CreationTime", "KmsKeyId", "ExecutionRoleArn", "VpcConfig",
    "EnableNetworkIsolation", "MetricsConfig",
}  # fmt: skip
IDENTITY = {"EndpointConfigName", "EndpointConfigArn", "CreationTime"}  # not worth a note
REFUSED = {
    "AsyncInferenceConfig": "asynchronous inference (requests queued through S3) is not simulated",
    "ExplainerConfig": "online explanations (SageMaker Clarify) are not simulated",
    "ShadowProductionVariants": "shadow variants (mirrored traffic) are not simulated",
    "DataCaptureConfig": "data capture (copying requests and responses to S3) is not simulated",
    "CrossRegionTrafficConfig": "cross-Region traffic is not simulated",
}
VARIANT_SIMULATED = {
    "VariantName", "ModelName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight",
    "AcceleratorType", "ServerlessConfig", "RoutingConfig", "ManagedInstanceScaling",
}  # fmt: skip
VARIANT_NO_BEARING = {
    "CoreDumpConfig", "VolumeSizeInGB", "ModelDataDownloadTimeoutInSeconds",
    "ContainerStartupHealthCheckTimeoutInSeconds", "EnableSSMAccess", "InferenceAmiVersion",
    "VariantInstanceProvisionTimeoutInSeconds",
}  # fmt: skip
VARIANT_REFUSED = {
    "InstancePools": "a variant drawing on several instance pools is not simulated (give one InstanceType)",
    "CapacityReservationConfig": "capacity reservations are not in the price catalog",
    "AcceleratorPartitionLayouts": "partitioned accelerators are not simulated",
}
ROUTINGS = {"RANDOM", "LEAST_OUTSTANDING_REQUESTS"}
_ARN_REGION = re.compile(r"arn:[^:]+:sagemaker:(?P<region>[^:]+):")


@dataclass
class ImportedEndpoint:
    """The variants (scenario-shaped dicts, in the config's order) and what was noted along the way."""

    config_name: str
    variants: list[dict[str, Any]]
    models: list[str]
    notes: list[str] = field(default_factory=list)


def arn_region(config: dict[str, Any]) -> str | None:
    match = _ARN_REGION.match(str(config.get("EndpointConfigArn", "")))
    return match["region"] if match else None


def read_config(config: dict[str, Any], catalog: Catalog) -> ImportedEndpoint:
    """The endpoint config's variants; refuses what the simulator cannot reproduce."""
    noted = screen(config, "", OPTION, {"ProductionVariants"}, NO_BEARING, REFUSED)
    notes = [key for key in noted if key not in IDENTITY]
    variants = []
    for index, block in enumerate(config["ProductionVariants"]):
        variant, noted = _variant(block, f"ProductionVariants[{index}]", catalog)
        variants.append(variant)
        notes.extend(noted)
    names = [v["name"] for v in variants]
    for index, name in enumerate(names):
        if names.index(name) != index:
            raise refuse(OPTION, f"ProductionVariants[{index}].VariantName", f"{name!r} is used twice")
    models = list(dict.fromkeys(v["model"] for v in variants))
    return ImportedEndpoint(config["EndpointConfigName"], variants, models, notes)


def _variant(block: dict[str, Any], path: str, catalog: Catalog) -> tuple[dict[str, Any], list[str]]:
    notes = screen(block, f"{path}.", OPTION, VARIANT_SIMULATED, VARIANT_NO_BEARING, VARIANT_REFUSED)
    if "ModelName" not in block:
        raise refuse(OPTION, path, "no ModelName: inference components are not simulated")
    variant: dict[str, Any] = {"name": block["VariantName"], "model": block["ModelName"]}
    scaling = block.get("ManagedInstanceScaling")
    if scaling is not None:
        if scaling.get("Status") == "ENABLED":
            raise refuse(
                OPTION, f"{path}.ManagedInstanceScaling.Status", "managed instance scaling is not simulated"
            )
        notes.append(f"{path}.ManagedInstanceScaling (disabled)")
    if "ServerlessConfig" in block:
        for key in ("InstanceType", "InitialInstanceCount", "AcceleratorType", "RoutingConfig"):
            if key in block:
                raise refuse(OPTION, f"{path}.{key}", "a serverless variant has no instances")
        variant["serverless"] = _serverless(block["ServerlessConfig"])
    else:
        variant.update(_instances(block, path, catalog))
    variant["weight"] = block.get("InitialVariantWeight", 1.0)
    return variant, notes


def _serverless(config: dict[str, Any]) -> dict[str, Any]:
    serverless = {"memory_mb": config["MemorySizeInMB"], "max_concurrency": config["MaxConcurrency"]}
    if config.get("ProvisionedConcurrency"):
        serverless["provisioned_concurrency"] = config["ProvisionedConcurrency"]
    return serverless


def _instances(block: dict[str, Any], path: str, catalog: Catalog) -> dict[str, Any]:
    for key in ("InstanceType", "InitialInstanceCount"):
        if key not in block:
            raise refuse(OPTION, path, f"no {key} (and no ServerlessConfig)")
    instance_type = block["InstanceType"]
    if instance_type not in catalog.instances:
        raise refuse(
            OPTION, f"{path}.InstanceType", f"{instance_type!r} is not in the {catalog.region} catalog"
        )
    variant: dict[str, Any] = {
        "instance_type": instance_type,
        "instance_count": block["InitialInstanceCount"],
    }
    accelerator = block.get("AcceleratorType")
    if accelerator is not None:
        if accelerator not in catalog.accelerators:
            raise refuse(OPTION, f"{path}.AcceleratorType", f"{accelerator!r} is not in the catalog")
        variant["accelerator_type"] = accelerator
    strategy = block.get("RoutingConfig", {}).get("RoutingStrategy", "RANDOM")
    if strategy not in ROUTINGS:
        raise refuse(
            OPTION,
            f"{path}.RoutingConfig.RoutingStrategy",
            f"{strategy} routing is not simulated (only RANDOM and LEAST_OUTSTANDING_REQUESTS)",
        )
    variant["routing"] = strategy
    return variant
