"""A finished job as the DescribeInferenceRecommendationsJob response (recommendations.json).

The document holds only what the API has, as the API types it (ModelLatency and ModelSetupTime whole
milliseconds), and omits a key rather than writing null. Our own figures (confidence intervals,
unrounded latencies, ranks, Elastic Inference accelerators, which the response shape cannot hold)
go beside it in recommendations-detail.json, keyed by RecommendationId. Nothing in sagesim reads
this document back to decide anything: it is written for people and for tools that speak AWS.

A simulated job has no AWS account: unless the request (`--request`) names them, the role and the
account in the ARNs are placeholders (PLACEHOLDER_ACCOUNT), the region REGION.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulator.recommend.candidates import Candidate, model_name
from simulator.recommend.job import JobResult
from simulator.scenario.kinds import RecommendScenario

PLACEHOLDER_ACCOUNT = "000000000000"
REGION = "us-east-1"
VARIANT_NAME = "AllTraffic"  # the variant name the SageMaker Python SDK gives a single-variant endpoint


def aws_name(text: str, limit: int) -> str:
    """`text` as an AWS resource name: letters, digits and single hyphens, at most `limit` characters."""
    name = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:limit].rstrip("-")
    return name or "sagesim"


@dataclass(frozen=True)
class JobIdentity:
    """What names the job: the request's JobName, RoleArn, ... or, without a request, the scenario's."""

    job_name: str
    role_arn: str
    description: str | None = None
    input_config: dict[str, Any] | None = None  # the request's, echoed as the service does
    stopping_conditions: dict[str, Any] | None = None

    @classmethod
    def for_scenario(cls, scenario: RecommendScenario, request: dict[str, Any] | None = None) -> JobIdentity:
        request = request or {}
        description = request.get("JobDescription") or (scenario.description or None)
        return cls(
            job_name=request.get("JobName") or aws_name(scenario.name, 64),
            role_arn=request.get("RoleArn") or f"arn:aws:iam::{PLACEHOLDER_ACCOUNT}:role/sagesim-simulated",
            description=description[:128] if description else None,
            input_config=request.get("InputConfig"),
            stopping_conditions=request.get("StoppingConditions"),
        )

    @property
    def account(self) -> str:
        found = re.match(r"arn:aws[a-z-]*:iam::(\d{12}):", self.role_arn)
        return found.group(1) if found else PLACEHOLDER_ACCOUNT

    @property
    def job_arn(self) -> str:
        return f"arn:aws:sagemaker:{REGION}:{self.account}:inference-recommendations-job/{self.job_name}"


def timestamp(moment: datetime) -> str:
    """ISO 8601 with its zone, as the AWS CLI prints timestamps."""
    return moment.isoformat(timespec="milliseconds")


def present(block: dict[str, Any]) -> dict[str, Any]:
    """`block` without its None values: the document omits a key rather than writing null."""
    return {key: value for key, value in block.items() if value is not None}


def endpoint_configuration(candidate: Candidate, endpoint_name: str) -> dict[str, Any]:
    """EndpointOutputConfiguration: the candidate's instance type and count, or its serverless
    configuration (its Elastic Inference accelerator, which the shape cannot hold, is left out)."""
    block = {"EndpointName": endpoint_name, "VariantName": VARIANT_NAME, **candidate.endpoint_configuration()}
    block.pop("AcceleratorType", None)
    return present(block)


WHOLE_METRICS = ("MaxInvocations", "ModelLatency", "ModelSetupTime")  # integers in the API


SIGNIFICANT_DIGITS = 6
"""Float metrics keep 6 significant digits: a price summed over a simulated window would otherwise
print its binary noise (CostPerHour 3.6719999999999993 for 18 x 0.204)."""


def metrics(figures: dict[str, Any]) -> dict[str, Any]:
    """RecommendationMetrics: integers where the API has integers, other figures to 6 significant
    digits; an unknown figure is left out."""
    return {
        key: round(value) if key in WHOLE_METRICS else float(f"{value:.{SIGNIFICANT_DIGITS}g}")
        for key, value in present(figures).items()
    }


def _input_config(scenario: RecommendScenario) -> dict[str, Any]:
    """RecommendationJobInputConfig for a job given as YAML: the model and, for an advanced job, its
    configurations and duration."""
    config: dict[str, Any] = {"ModelName": aws_name(model_name(scenario), 63)}
    job = scenario.recommend.advanced
    if job is not None:
        config["JobDurationInSeconds"] = round(job.job_duration)
        blocks = [
            Candidate.from_configuration(c).endpoint_configuration() for c in job.endpoint_configurations
        ]
        kinds = ("InstanceType", "ServerlessConfig")
        config["EndpointConfigurations"] = [present({key: block[key] for key in kinds}) for block in blocks]
    return config


def _stopping_conditions(scenario: RecommendScenario) -> dict[str, Any] | None:
    job = scenario.recommend.advanced
    if job is None:
        return None
    stopping = job.stopping_conditions
    block: dict[str, Any] = {"FlatInvocations": stopping.flat_invocations}
    if stopping.max_invocations is not None:
        block["MaxInvocations"] = stopping.max_invocations
    if stopping.model_latency_thresholds:
        block["ModelLatencyThresholds"] = [
            {"Percentile": t.percentile, "ValueInMilliseconds": round(t.value * 1000)}
            for t in stopping.model_latency_thresholds
        ]
    return block


def describe_job(
    result: JobResult, identity: JobIdentity, created: datetime, completed: datetime
) -> dict[str, Any]:
    """The DescribeInferenceRecommendationsJob response of a finished job."""
    prefix = aws_name(identity.job_name, 56)
    recommendations = [
        {
            "RecommendationId": item.candidate.id,  # unique within a job
            "Metrics": metrics(item.metrics),
            "EndpointConfiguration": endpoint_configuration(item.candidate, f"{prefix}-{item.rank}"),
            "ModelConfiguration": {},
        }
        for item in result.recommendations
    ]
    document: dict[str, Any] = {
        "JobName": identity.job_name,
        "JobType": result.scenario.recommend.job_type.value,
        "JobArn": identity.job_arn,
        "RoleArn": identity.role_arn,
        "Status": "COMPLETED",
        "CreationTime": timestamp(created),
        "CompletionTime": timestamp(completed),
        "LastModifiedTime": timestamp(completed),
        "InputConfig": identity.input_config or _input_config(result.scenario),
        "JobDescription": identity.description,
        "StoppingConditions": identity.stopping_conditions or _stopping_conditions(result.scenario),
        "InferenceRecommendations": recommendations,
    }
    return present(document)


def recommendation_details(result: JobResult) -> dict[str, Any]:
    """sagesim's own figures per recommendation (the unrounded metrics, CIs, ranks, accelerators),
    keyed by the RecommendationId of recommendations.json."""
    details = {
        item.candidate.id: {
            **item.figures,
            "accelerator_type": item.candidate.accelerator_type,
            "metrics": item.metrics,
        }
        for item in result.recommendations
    }
    return {"recommendations": details}
