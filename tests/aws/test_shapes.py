"""simulator.aws.shapes: botocore's ParamValidator for requests, our structural check for responses."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

import pytest

from simulator.aws.shapes import SAGEMAKER, check_request, input_errors, output_errors
from simulator.errors import ScenarioError
from tests.conftest import ROOT

DESCRIBE = "DescribeInferenceRecommendationsJob"
RESPONSE: dict[str, Any] = {
    "JobName": "a-job",
    "JobType": "Default",
    "JobArn": "arn:aws:sagemaker:us-east-1:000000000000:inference-recommendations-job/a-job",
    "RoleArn": "arn:aws:iam::000000000000:role/r",
    "Status": "COMPLETED",
    "CreationTime": "2026-11-30T10:00:00.000+00:00",
    "LastModifiedTime": "2026-11-30T10:05:00.000+00:00",
    "InputConfig": {"ModelName": "m"},
    "InferenceRecommendations": [
        {
            "RecommendationId": "ml.c5.large",
            "Metrics": {
                "CostPerHour": 0.119,
                "CostPerInference": 1e-6,
                "MaxInvocations": 900,
                "ModelLatency": 95,
            },
            "EndpointConfiguration": {
                "EndpointName": "a-job-1",
                "VariantName": "AllTraffic",
                "InstanceType": "ml.c5.large",
                "InitialInstanceCount": 1,
            },
            "ModelConfiguration": {},
        }
    ],
}


def errors_after(change: Any) -> list[str]:
    document = copy.deepcopy(RESPONSE)
    change(document)
    return output_errors(SAGEMAKER, DESCRIBE, document)


def test_a_response_in_the_service_shape_passes() -> None:
    assert output_errors(SAGEMAKER, DESCRIBE, RESPONSE) == []


def _metrics(document: dict[str, Any]) -> dict[str, Any]:
    metrics: dict[str, Any] = document["InferenceRecommendations"][0]["Metrics"]
    return metrics


CASES = [
    (lambda d: d.pop("RoleArn"), "(document): missing required key RoleArn"),
    (
        lambda d: d["InferenceRecommendations"][0]["EndpointConfiguration"].pop("VariantName"),
        "InferenceRecommendations[0].EndpointConfiguration: missing required key VariantName",
    ),
    (
        lambda d: d["InferenceRecommendations"][0]["EndpointConfiguration"].update(AcceleratorType="x"),
        "InferenceRecommendations[0].EndpointConfiguration.AcceleratorType: not in the"
        " EndpointOutputConfiguration shape",
    ),
    (
        lambda d: d["InferenceRecommendations"][0]["EndpointConfiguration"].update(ServerlessConfig=None),
        "InferenceRecommendations[0].EndpointConfiguration.ServerlessConfig: null (omit the key instead)",
    ),
    (
        lambda d: _metrics(d).update(ModelLatency=95.5),
        "InferenceRecommendations[0].Metrics.ModelLatency: expected an integer, got 95.5",
    ),
    (
        lambda d: _metrics(d).update(MaxInvocations=True),
        "InferenceRecommendations[0].Metrics.MaxInvocations: expected an integer, got True",
    ),
    (
        lambda d: _metrics(d).update(CostPerHour="1"),
        "InferenceRecommendations[0].Metrics.CostPerHour: expected",
    ),
    (
        lambda d: d.update(Status="DONE"),
        "Status: 'DONE' is not one of the 8 values of RecommendationJobStatus",
    ),
    (lambda d: d.update(JobName="a_job"), "JobName: 'a_job' does not match RecommendationJobName's pattern"),
    (
        lambda d: d.update(CreationTime="2026-11-30T10:00:00"),
        "CreationTime: '2026-11-30T10:00:00' has no time zone",
    ),
    (lambda d: d.update(CreationTime="yesterday"), "CreationTime: 'yesterday' is not an ISO 8601 timestamp"),
    (lambda d: d.update(InferenceRecommendations={}), "InferenceRecommendations: expected a list, got dict"),
    (lambda d: d.update(InputConfig=[]), "InputConfig: expected an object, got list"),
    (
        lambda d: d["InputConfig"].update(JobDurationInSeconds=0),
        "InputConfig.JobDurationInSeconds: 0 is outside JobDurationInSeconds's range",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"), CASES, ids=[c[1].split(":")[0] + str(i) for i, c in enumerate(CASES)]
)
def test_each_departure_from_the_shape_is_named(change: Any, expected: str) -> None:
    problems = errors_after(change)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_an_integer_is_a_valid_float() -> None:
    assert errors_after(lambda d: _metrics(d).update(CostPerHour=1)) == []


def test_requests_are_judged_by_botocore_param_validator() -> None:
    request = {"JobName": "j", "JobType": "Default", "RoleArn": "arn:aws:iam::000000000000:role/r"}
    problems = input_errors(SAGEMAKER, "CreateInferenceRecommendationsJob", request, "--request")
    assert problems == ['Missing required parameter in input: "InputConfig"']
    with pytest.raises(ScenarioError) as caught:
        check_request(SAGEMAKER, "CreateInferenceRecommendationsJob", {**request, "Bogus": 1}, "--request")
    line = caught.value.one_line()
    assert line.startswith("error: --request: not a valid CreateInferenceRecommendationsJob request: Missing")
    assert line.endswith("(and 1 more)") and "\n" not in line


def test_without_botocore_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "botocore", None)
    with pytest.raises(ScenarioError) as caught:
        input_errors(SAGEMAKER, "CreateInferenceRecommendationsJob", {}, "--request")
    assert caught.value.one_line() == (
        "error: --request: checking AWS-shaped documents needs the 'aws' extra (no module 'botocore'):"
        " pip install 'sagesim[aws]'"
    )


@pytest.mark.parametrize("stem", ["recommend-default", "recommend-advanced"])
def test_the_checked_in_recommendations_are_the_service_response(stem: str) -> None:
    document = json.loads((ROOT / "reports" / stem / "recommendations.json").read_text())
    assert output_errors(SAGEMAKER, DESCRIBE, document) == []
    details = json.loads((ROOT / "reports" / stem / "recommendations-detail.json").read_text())
    ids = [item["RecommendationId"] for item in document["InferenceRecommendations"]]
    assert [details["recommendations"][i]["rank"] for i in ids] == list(range(1, len(ids) + 1))
