"""The AWS CreateInferenceRecommendationsJob request: every field honoured, kept as a name, or refused."""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from simulator.aws.shapes import SAGEMAKER, operation
from simulator.cli_recommend import load_job
from simulator.errors import ScenarioError
from simulator.recommend.aws_request import HONOURED, NAMING, REFUSED, from_aws_request
from simulator.recommend.job import job_candidates
from tests.recommend.conftest import SMALL_JOB

Cli = Callable[..., tuple[int, str, str]]
ROLE = "arn:aws:iam::111122223333:role/recommender"
DEFAULT: dict[str, Any] = {"JobName": "j", "JobType": "Default", "RoleArn": ROLE, "InputConfig": {}}
ADVANCED: dict[str, Any] = {
    "JobName": "j",
    "JobType": "Advanced",
    "RoleArn": ROLE,
    "InputConfig": {
        "EndpointConfigurations": [{"InstanceType": "ml.c5.large"}],
        "TrafficPattern": {
            "TrafficType": "PHASES",
            "Phases": [{"InitialNumberOfUsers": 1, "SpawnRate": 1, "DurationInSeconds": 120}],
        },
    },
    "StoppingConditions": {"ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": 250}]},
}


def _members(shape: Any, path: str) -> Iterator[tuple[str, bool]]:
    """Every member path of a request shape (list items written `[]`) and whether it is a leaf."""
    if shape.type_name == "list":
        yield from _members(shape.member, path + "[]")
    elif shape.type_name == "structure":
        for name, member in shape.members.items():
            inner = f"{path}.{name}" if path else name
            item = member.member if member.type_name == "list" else member
            yield inner, item.type_name != "structure"
            yield from _members(member, inner)


def test_every_member_of_the_request_shape_is_honoured_named_or_refused() -> None:
    groups = [HONOURED, NAMING, set(REFUSED)]
    covered = set().union(*groups)
    assert sum(len(g) for g in groups) == len(covered), "a path in two groups"
    shape = operation(SAGEMAKER, "CreateInferenceRecommendationsJob", "test").input_shape
    members = dict(_members(shape, ""))
    assert covered <= set(members), covered - set(members)
    for path, leaf in members.items():
        ancestors = {path[:i] for i in range(len(path) + 1) if i == len(path) or path[i] in ".["}
        if leaf:
            assert ancestors & covered, f"{path} would be silently dropped"


def convert(change: Callable[[dict[str, Any]], Any], base: dict[str, Any] = DEFAULT) -> dict[str, Any]:
    request = copy.deepcopy(base)
    change(request)
    return from_aws_request(request)[0]


def refusal(change: Callable[[dict[str, Any]], Any], base: dict[str, Any] = DEFAULT) -> str:
    with pytest.raises(ScenarioError) as caught:
        convert(change, base)
    return caught.value.one_line()


def _container(request: dict[str, Any], **values: Any) -> None:
    request["InputConfig"].setdefault("ContainerConfig", {}).update(values)


def test_unknown_keys_are_refused_by_the_service_model() -> None:
    line = refusal(lambda r: r["InputConfig"].update(Bogus=1))
    assert line.startswith("error: --request: not a valid CreateInferenceRecommendationsJob request:")
    assert 'Unknown parameter in InputConfig: "Bogus"' in line


def test_a_value_outside_its_enum_is_refused_before_anything_reads_it() -> None:
    """botocore's ParamValidator leaves enums unchecked: a JobType 'Fancy' was taken for Default."""
    line = refusal(lambda r: r.update(JobType="Fancy", StoppingConditions={"MaxInvocations": 100}))
    assert line == (
        "error: --request: not a valid CreateInferenceRecommendationsJob request: JobType: 'Fancy' is not"
        " one of the 2 values of RecommendationJobType"
    )


def test_a_request_without_its_required_names_is_refused() -> None:
    assert 'Missing required parameter in input: "RoleArn"' in refusal(lambda r: r.pop("RoleArn"))


@pytest.mark.parametrize(
    ("change", "path", "fragment"),
    [
        (
            lambda r: r["InputConfig"]["EndpointConfigurations"][0].update(
                EnvironmentParameterRanges={
                    "CategoricalParameterRanges": [{"Name": "OMP", "Value": ["1", "2"]}]
                }
            ),
            "InputConfig.EndpointConfigurations[0].EnvironmentParameterRanges",
            "no environment variables",
        ),
        (
            lambda r: r["InputConfig"].update(Endpoints=[{"EndpointName": "live"}]),
            "InputConfig.Endpoints",
            "existing endpoint",
        ),
        (
            lambda r: _container(r, PayloadConfig={"SamplePayloadUrl": "s3://b/p.tar.gz"}),
            "InputConfig.ContainerConfig.PayloadConfig.SamplePayloadUrl",
            "payload_size",
        ),
        (
            lambda r: _container(r, SupportedInstanceTypes=["ml.m5.large"]),
            "InputConfig.EndpointConfigurations[0].InstanceType",
            "ml.c5.large is not in InputConfig.ContainerConfig.SupportedInstanceTypes",
        ),
        (
            lambda r: _container(r, SupportedEndpointType="Serverless"),
            "InputConfig.EndpointConfigurations[0]",
            "does not match InputConfig.ContainerConfig.SupportedEndpointType Serverless",
        ),
    ],
    ids=["environment-ranges", "endpoints", "sample-payload", "unsupported-type", "endpoint-kind"],
)
def test_what_cannot_be_simulated_is_refused_naming_the_request_path(
    change: Callable[[dict[str, Any]], Any], path: str, fragment: str
) -> None:
    line = refusal(change, ADVANCED)
    assert line.startswith(f"error: --request: {path}: ") and fragment in line, line


def test_a_default_jobs_latency_threshold_is_its_slo_and_its_other_stopping_conditions_refused(
    tmp_path: Path,
) -> None:
    request = copy.deepcopy(DEFAULT)
    request["StoppingConditions"] = {
        "ModelLatencyThresholds": [{"Percentile": "P95", "ValueInMilliseconds": 120}]
    }
    scenario_path = tmp_path / "s.yaml"
    scenario_path.write_text(json.dumps(SMALL_JOB))
    spec = load_job(scenario_path, None, request).recommend
    assert spec is not None and spec.slo() is not None
    assert (spec.slo().percentile, spec.slo().value) == ("P95", pytest.approx(0.12))
    for key, value in (("MaxInvocations", 1000), ("FlatInvocations", "Stop")):
        line = refusal(lambda r, k=key, v=value: r.update(StoppingConditions={k: v}))
        assert line.startswith(f"error: --request: StoppingConditions.{key}: a Default job"), line
    request["StoppingConditions"]["ModelLatencyThresholds"][0]["Percentile"] = "P90"
    with pytest.raises(ScenarioError) as caught:
        load_job(scenario_path, None, request)
    assert caught.value.path == "--request: StoppingConditions.ModelLatencyThresholds[0].Percentile"


def test_a_serverless_only_default_job_is_refused() -> None:
    line = refusal(lambda r: _container(r, SupportedEndpointType="Serverless"))
    assert line.startswith("error: --request: InputConfig.ContainerConfig.SupportedEndpointType: ")


def test_names_and_plumbing_are_accepted() -> None:
    def name_everything(request: dict[str, Any]) -> None:
        request.update(
            JobDescription="d", Tags=[{"Key": "team", "Value": "ml"}], OutputConfig={"KmsKeyId": "k"}
        )
        request["InputConfig"].update(
            ModelName="m", VolumeKmsKeyId="k", VpcConfig={"SecurityGroupIds": ["sg-1"], "Subnets": ["s-1"]}
        )
        request["InputConfig"]["EndpointConfigurations"][0]["InferenceSpecificationName"] = "spec"
        _container(
            request,
            Domain="NATURAL_LANGUAGE_PROCESSING",
            Task="FILL_MASK",
            Framework="PYTORCH",
            FrameworkVersion="2.1",
            NearestModelName="bert-base",
            PayloadConfig={"SupportedContentTypes": ["application/json"]},
            DataInputConfig='{"input": [1, 128]}',
            SupportedResponseMIMETypes=["application/json"],
        )

    section = convert(name_everything, ADVANCED)
    assert section["advanced"]["endpoint_configurations"] == [{"instance_type": "ml.c5.large"}]


def _candidates(tmp_path: Path, request: dict[str, Any], job: dict[str, Any] = SMALL_JOB) -> list[str]:
    scenario_path = tmp_path / "s.yaml"
    scenario_path.write_text(json.dumps(job))
    return [c.id for c in job_candidates(load_job(scenario_path, None, request))[0]]


def test_supported_instance_types_restrict_a_default_jobs_candidates(tmp_path: Path) -> None:
    request = copy.deepcopy(DEFAULT)
    _container(request, SupportedInstanceTypes=["ml.c5.xlarge", "ml.m5.large"])
    assert _candidates(tmp_path, request) == ["ml.c5.xlarge", "ml.m5.large"]
    request["InputConfig"]["ContainerConfig"]["SupportedInstanceTypes"] = ["ml.c5.xlarge", "ml.x9.huge"]
    with pytest.raises(ScenarioError) as caught:
        _candidates(tmp_path, request)
    assert caught.value.path == "--request: InputConfig.ContainerConfig.SupportedInstanceTypes[1]"


def test_real_time_only_leaves_out_serverless_candidates(tmp_path: Path) -> None:
    job = copy.deepcopy(SMALL_JOB)
    job["recommend"]["candidates"]["serverless_memory_mb"] = [2048]
    assert "serverless-2048MB-c50" in _candidates(tmp_path, DEFAULT, job)
    request = copy.deepcopy(DEFAULT)
    _container(request, SupportedEndpointType="RealTime")
    assert not any(c.startswith("serverless") for c in _candidates(tmp_path, request, job))


def test_serverless_provisioned_concurrency_is_simulated(tmp_path: Path) -> None:
    request = copy.deepcopy(ADVANCED)
    request["InputConfig"]["EndpointConfigurations"] = [
        {"ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 10, "ProvisionedConcurrency": 4}}
    ]
    (candidate,) = _candidates(tmp_path, request)
    assert candidate == "serverless-2048MB-c10-p4"
    request["InputConfig"]["EndpointConfigurations"][0]["ServerlessConfig"]["ProvisionedConcurrency"] = 11
    with pytest.raises(ScenarioError) as caught:
        _candidates(tmp_path, request)
    assert caught.value.path == "--request: InputConfig.EndpointConfigurations[0].ServerlessConfig"
    assert "must not exceed max_concurrency" in caught.value.reason


def test_without_botocore_a_request_is_one_line_naming_the_extra(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario, request = tmp_path / "s.yaml", tmp_path / "r.json"
    scenario.write_text(json.dumps(SMALL_JOB))
    request.write_text(json.dumps(DEFAULT))
    monkeypatch.setitem(sys.modules, "botocore", None)
    code, _, stderr = cli("recommend", scenario, "--request", request, "--out", tmp_path / "o")
    assert code == 2 and stderr.strip().splitlines() == [
        "error: --request: checking AWS-shaped documents needs the 'aws' extra (no module 'botocore'):"
        " pip install 'sagesim[aws]'"
    ]
    assert not (tmp_path / "o").exists()
