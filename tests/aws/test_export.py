"""`sagesim export`: requests botocore accepts, calls a stubbed boto3 client accepts, a template cfn-lint
accepts; and one-line errors for what cannot be exported."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber
from cfnlint.api import lint

from simulator.aws.shapes import AUTOSCALING, CLOUDWATCH, SAGEMAKER, input_errors
from tests.conftest import ROOT

Cli = Callable[..., tuple[int, str, str]]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
OPERATIONS = {  # file name prefix -> (service, API operation, boto3 method, a response the stub returns)
    "create-endpoint-config": (
        SAGEMAKER,
        "CreateEndpointConfig",
        "create_endpoint_config",
        {"EndpointConfigArn": "arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/x"},
    ),
    "register-scalable-target": (AUTOSCALING, "RegisterScalableTarget", "register_scalable_target", {}),
    "put-scaling-policy": (
        AUTOSCALING,
        "PutScalingPolicy",
        "put_scaling_policy",
        {"PolicyARN": "arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:x", "Alarms": []},
    ),
    "put-metric-alarm": (CLOUDWATCH, "PutMetricAlarm", "put_metric_alarm", {}),
}


def _export(cli: Cli, tmp_path: Path, *args: Any) -> Path:
    out = tmp_path / "export"
    code, stdout, stderr = cli("export", *args, "--out", out)
    assert code == 0, stderr
    assert stdout.startswith("wrote create-endpoint-config.json")
    return out


def _client(service: str) -> Any:
    return boto3.client(
        service, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def check_exported(out: Path) -> dict[str, Any]:
    """Every request passes botocore's validator and a stubbed boto3 call; the template passes cfn-lint."""
    documents = {}
    for path in sorted(p for p in out.glob("*.json") if not p.name.startswith(".")):
        prefix = next(p for p in OPERATIONS if path.name.startswith(p))
        service, operation, method, response = OPERATIONS[prefix]
        document = json.loads(path.read_text())
        assert input_errors(service, operation, document, "test") == []
        client = _client(service)
        with Stubber(client) as stub:
            stub.add_response(method, response, expected_params=document)
            getattr(client, method)(**document)
            stub.assert_no_pending_responses()
        documents[path.name] = document
    template = (out / "template.yaml").read_text()
    matches = lint(template, regions=REGIONS)
    assert [str(m) for m in matches if m.rule.id[0] in "EW"] == []  # informational ones are not failures
    documents["template.yaml"] = yaml.safe_load(template)
    return documents


def test_an_autoscaled_endpoint_exports_its_config_target_policy_and_template(
    cli: Cli, tmp_path: Path
) -> None:
    out = _export(cli, tmp_path, ROOT / "scenarios" / "autoscaling-diurnal.yaml", "--model-name", "recsys-v3")
    documents = check_exported(out)
    assert set(documents) == {
        "create-endpoint-config.json",
        "register-scalable-target.json",
        "put-scaling-policy.json",
        "template.yaml",
    }
    (variant,) = documents["create-endpoint-config.json"]["ProductionVariants"]
    assert variant["InstanceType"] == "ml.c5.large" and variant["InitialInstanceCount"] == 2
    assert variant["ModelName"] == "recsys-v3"
    assert variant["RoutingConfig"] == {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"}
    target = documents["register-scalable-target.json"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 8)
    assert target["ResourceId"] == "endpoint/recommender/variant/prod"
    policy = documents["put-scaling-policy.json"]["TargetTrackingScalingPolicyConfiguration"]
    assert policy["TargetValue"] == 700 and (policy["ScaleOutCooldown"], policy["ScaleInCooldown"]) == (
        300,
        300,
    )
    template = documents["template.yaml"]
    assert template["Parameters"]["ModelName"]["Default"] == "recsys-v3"
    kinds = sorted(r["Type"] for r in template["Resources"].values())
    assert kinds == [
        "AWS::ApplicationAutoScaling::ScalableTarget",
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        "AWS::SageMaker::Endpoint",
        "AWS::SageMaker::EndpointConfig",
    ]


@pytest.mark.slow  # among the 30 slowest of the quick lane (make test runs it)
def test_serverless_and_weighted_variants_export(cli: Cli, tmp_path: Path) -> None:
    out = _export(cli, tmp_path, ROOT / "scenarios" / "serverless-vs-realtime.yaml")
    documents = check_exported(out)
    assert set(documents) == {"create-endpoint-config.json", "template.yaml"}
    variants = documents["create-endpoint-config.json"]["ProductionVariants"]
    serverless = [v for v in variants if "ServerlessConfig" in v]
    assert serverless and serverless[0]["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 20}
    assert {v["ModelName"] for v in variants} == {"serverless-vs-realtime"}
    out = tmp_path / "ab"
    assert cli("export", ROOT / "scenarios" / "ab-rollout.yaml", "--out", out)[0] == 0
    documents = check_exported(out)
    variants = documents["create-endpoint-config.json"]["ProductionVariants"]
    assert [v["InitialVariantWeight"] for v in variants] == [90, 10]
    assert len({v["ModelName"] for v in variants}) == 2  # one SageMaker model per scenario model
    assert len(documents["template.yaml"]["Parameters"]) == 2


@pytest.mark.parametrize("kind", ["InstanceType", "ServerlessConfig"])
def test_a_recommendation_exports_from_recommendations_json(cli: Cli, tmp_path: Path, kind: str) -> None:
    source = ROOT / "reports" / "recommend-default" / "recommendations.json"
    items = json.loads(source.read_text())["InferenceRecommendations"]
    chosen = next(item for item in items if kind in item["EndpointConfiguration"])
    out = _export(
        cli, tmp_path, "--recommendations", source, "--recommendation-id", chosen["RecommendationId"]
    )
    documents = check_exported(out)
    (variant,) = documents["create-endpoint-config.json"]["ProductionVariants"]
    config = chosen["EndpointConfiguration"]
    assert variant["VariantName"] == config["VariantName"] and variant[kind] == config[kind]
    assert variant.get("InitialInstanceCount") == config.get("InitialInstanceCount")
    assert (
        documents["template.yaml"]["Resources"]["Endpoint"]["Properties"]["EndpointName"]
        == (config["EndpointName"])
    )


def _scenario(tmp_path: Path, change: Callable[[dict[str, Any]], Any]) -> Path:
    document = yaml.safe_load((ROOT / "scenarios" / "autoscaling-diurnal.yaml").read_text())
    change(document)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def _scaling(document: dict[str, Any]) -> dict[str, Any]:
    scaling: dict[str, Any] = document["endpoint"]["variants"][0]["autoscaling"]
    return scaling


STEP = {"threshold": 600, "step_adjustments": [{"lower_bound": 0, "adjustment": 1}]}
STEPS = "endpoint.variants[0].autoscaling.step_scaling[0]"


def _step(**change: Any) -> Callable[[dict[str, Any]], Any]:
    return lambda d: _scaling(d).update(step_scaling=[{**STEP, **change}])


BAD_SCENARIOS = [
    (
        lambda d: _scaling(d).update(step_scaling=[STEP, STEP]),
        "endpoint.variants[0].autoscaling.step_scaling[1].name",
    ),
    (_step(period="45s"), f"{STEPS}.period"),
    (_step(period="2m", alarm={"evaluation_periods": 721}), f"{STEPS}.alarm.evaluation_periods"),
    (_step(min_adjustment_magnitude=2), f"{STEPS}.min_adjustment_magnitude"),
    (
        _step(
            step_adjustments=[
                {"lower_bound": 0, "upper_bound": 100, "adjustment": 1},
                {"lower_bound": 200, "adjustment": 2},
            ]
        ),
        f"{STEPS}.step_adjustments",
    ),
    (
        lambda d: _scaling(d).update(scheduled_actions=[{"at": "1h", "min_capacity": 2}]),
        "endpoint.variants[0].autoscaling.scheduled_actions",
    ),
    (
        lambda d: _scaling(d)["target_tracking"].update(scale_in_ratio=0.5),
        "endpoint.variants[0].autoscaling.target_tracking.scale_in_ratio",
    ),
    (
        lambda d: _scaling(d)["target_tracking"].update(period="30s"),
        "endpoint.variants[0].autoscaling.target_tracking.period",
    ),
]


@pytest.mark.parametrize(
    ("change", "path"),
    BAD_SCENARIOS,
    ids=[
        "step-name",
        "step-period",
        "step-window",
        "step-magnitude",
        "step-gap",
        "scheduled",
        "alarm",
        "period",
    ],
)
def test_what_aws_calls_cannot_say_is_refused(
    cli: Cli, tmp_path: Path, change: Callable[[dict[str, Any]], Any], path: str
) -> None:
    code, _, stderr = cli("export", _scenario(tmp_path, change), "--out", tmp_path / "o")
    assert code == 2 and stderr.startswith(f"error: {path}: "), stderr
    assert len(stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_bad_export_arguments_are_one_line_errors(cli: Cli, tmp_path: Path) -> None:
    scenario = ROOT / "scenarios" / "autoscaling-diurnal.yaml"
    response = ROOT / "reports" / "recommend-default" / "recommendations.json"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"InferenceRecommendations": []}))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep")
    cases = [
        ((), "error: export: give a scenario, or --recommendations FILE with --recommendation-id"),
        (
            (scenario, "--recommendations", response),
            "error: --recommendations: give a scenario or --recommendations FILE, not both",
        ),
        ((scenario, "--model-name", "bad_name"), "error: --model-name: 'bad_name' is not a SageMaker model"),
        ((scenario, "--recommendation-id", "x"), "error: --recommendation-id: needs --recommendations"),
        ((ROOT / "scenarios" / "recommend-default.yaml",), "error: endpoint: this scenario has no endpoint"),
        (("--recommendations", response), "error: --recommendation-id: give the RecommendationId"),
        (
            ("--recommendations", response, "--recommendation-id", "nope"),
            "error: --recommendation-id: 'nope' is not in the file (it has: ml.c5.18xlarge, ml.c5.9xlarge,",
        ),
        (
            ("--recommendations", broken, "--recommendation-id", "x"),
            "error: --recommendations: not a DescribeInferenceRecommendationsJob response: (document):",
        ),
        (
            ("--recommendations", response, "--recommendation-id", "x", "--set", "seed=1"),
            "error: --set: applies to a scenario",
        ),
    ]
    code, _, stderr = cli("export", "--recommendations", response, "--recommendation-id", "nope")
    assert stderr.rstrip().endswith("ml.c5.large and 17 more)"), stderr  # 27 in the file: none left unsaid
    for arguments, expected in cases:
        code, _, stderr = cli("export", *arguments, "--out", tmp_path / "o")
        assert code == 2 and stderr.startswith(expected), (arguments, stderr)
        assert len(stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
    code, _, stderr = cli("export", scenario, "--out", foreign)
    assert code == 2 and stderr.startswith(f"error: --out: {foreign} holds files a sagesim run did not write")
    assert [p.name for p in foreign.iterdir()] == ["mine.txt"]


def test_export_replaces_its_own_earlier_output(cli: Cli, tmp_path: Path) -> None:
    out = _export(cli, tmp_path, ROOT / "scenarios" / "autoscaling-diurnal.yaml")
    assert cli("export", ROOT / "scenarios" / "serverless-vs-realtime.yaml", "--out", out)[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".sagesim-out.json",
        "create-endpoint-config.json",
        "template.yaml",
    ]


def test_step_scaling_exports_its_policy_and_the_alarm_that_drives_it(cli: Cli, tmp_path: Path) -> None:
    steps = [
        {
            "name": "burst",
            "threshold": 900,
            "alarm": {"evaluation_periods": 3, "datapoints_to_alarm": 2},
            "step_adjustments": [
                {"lower_bound": 0, "upper_bound": 300, "adjustment": 1},
                {"lower_bound": 300, "adjustment": 3},
            ],
        },
        {
            "name": "calm",
            "metric": "CPUUtilization",
            "threshold": 20,
            "comparison": "LessThanThreshold",
            "adjustment_type": "PercentChangeInCapacity",
            "min_adjustment_magnitude": 1,
            "cooldown": "10m",
            "step_adjustments": [{"upper_bound": 0, "adjustment": -25}],
        },
    ]
    out = _export(cli, tmp_path, _scenario(tmp_path, lambda d: _scaling(d).update(step_scaling=steps)))
    documents = check_exported(out)
    burst = documents["put-scaling-policy-burst.json"]
    assert burst["PolicyType"] == "StepScaling" and burst["ResourceId"] == "endpoint/recommender/variant/prod"
    assert burst["StepScalingPolicyConfiguration"]["StepAdjustments"][1] == {
        "MetricIntervalLowerBound": 300,
        "ScalingAdjustment": 3,
    }
    alarm = documents["put-metric-alarm-burst.json"]
    assert (alarm["MetricName"], alarm["Statistic"], alarm["Threshold"]) == (
        "InvocationsPerInstance",
        "Sum",
        900,
    )
    assert (alarm["EvaluationPeriods"], alarm["DatapointsToAlarm"], alarm["Period"]) == (3, 2, 60)
    calm = documents["put-metric-alarm-calm.json"]
    assert (calm["Namespace"], calm["ComparisonOperator"]) == (
        "/aws/sagemaker/Endpoints",
        "LessThanThreshold",
    )
    calm_policy = documents["put-scaling-policy-calm.json"]["StepScalingPolicyConfiguration"]
    assert (calm_policy["Cooldown"], calm_policy["MinAdjustmentMagnitude"]) == (600, 1)
    resources = documents["template.yaml"]["Resources"]
    alarms = {k: r for k, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert sorted(alarms) == ["ProdBurstAlarm", "ProdCalmAlarm"]
    assert alarms["ProdBurstAlarm"]["Properties"]["AlarmActions"] == [{"Ref": "ProdBurstStepPolicy"}]
    assert resources["ProdBurstStepPolicy"]["Properties"]["ScalingTargetId"] == {"Ref": "ProdScalableTarget"}


def test_a_scalable_target_without_a_policy_exports_its_bounds(cli: Cli, tmp_path: Path) -> None:
    out = _export(cli, tmp_path, _scenario(tmp_path, lambda d: _scaling(d).pop("target_tracking")))
    documents = check_exported(out)
    assert set(documents) == {"create-endpoint-config.json", "register-scalable-target.json", "template.yaml"}


def test_an_options_scenario_exports_the_one_alternative_chosen(cli: Cli, tmp_path: Path) -> None:
    """Options are alternatives, each alone under the whole traffic: exporting them together would
    deploy every one at once (a new user's trial got a 25/25/25/25 split)."""
    scenario = ROOT / "scenarios" / "gpu-vs-eia-vs-cpu.yaml"
    code, _, stderr = cli("export", scenario, "--out", tmp_path / "all")
    assert code == 2 and not (tmp_path / "all").exists()
    assert stderr.startswith("error: options.variants: the variants are alternatives: choose one to export")
    out = _export(cli, tmp_path, scenario, "--set", "options.variants=[cpu]")
    config = json.loads((out / "create-endpoint-config.json").read_text())
    assert [v["VariantName"] for v in config["ProductionVariants"]] == ["cpu"]


def test_what_happens_over_time_is_left_out_with_a_note(cli: Cli, tmp_path: Path) -> None:
    """A new user's trial: a rollout exported blue and an idle green fleet, and timed updates vanished,
    without a word. The export is the endpoint as it starts (blue alone), and says what it left out."""
    out = tmp_path / "canary"
    code, stdout, stderr = cli("export", ROOT / "scenarios" / "canary-rollback.yaml", "--out", out)
    assert code == 0, stderr
    variants = check_exported(out)["create-endpoint-config.json"]["ProductionVariants"]
    assert [v["VariantName"] for v in variants] == ["blue"]
    assert "note: rollout: the blue/green deployment to green (UpdateEndpoint's DeploymentConfig)" in stdout
    code, stdout, _ = cli("export", ROOT / "scenarios" / "ab-rollout.yaml", "--out", tmp_path / "ab")
    assert code == 0 and "note: endpoint.updates (4 timed changes) are not exported" in stdout


def test_an_elastic_inference_variant_is_refused(cli: Cli, tmp_path: Path) -> None:
    """CloudFormation's EndpointConfig no longer takes AcceleratorType: cfn-lint failed the template."""
    scenario = ROOT / "scenarios" / "gpu-vs-eia-vs-cpu.yaml"
    code, stdout, stderr = cli(
        "export", scenario, "--set", "options.variants=[eia-large]", "--out", tmp_path / "e"
    )
    assert (code, stdout) == (2, "") and not (tmp_path / "e").exists()
    assert stderr.startswith("error: endpoint.variants[1].accelerator_type: Elastic Inference is closed")
