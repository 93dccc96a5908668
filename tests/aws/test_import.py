"""`sagesim import`: the fixtures import to a scenario `sagesim check` accepts; every refusal is one line
naming the option and JSON path, exit 2, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from simulator.aws.shapes import AUTOSCALING, CLOUDWATCH, SAGEMAKER, input_errors, output_errors
from simulator.catalog import load_catalog
from simulator.errors import ScenarioError
from simulator.importing.endpoint_config import read_config
from simulator.importing.scaling import read_alarm
from simulator.scenario.loader import load_scenario
from tests.aws.import_fixtures import DATA, FILES, Cli, documents, run_import
from tests.conftest import ROOT

OPERATIONS = {
    "--endpoint-config": (SAGEMAKER, "DescribeEndpointConfig"),
    "--scalable-targets": (AUTOSCALING, "DescribeScalableTargets"),
    "--scaling-policies": (AUTOSCALING, "DescribeScalingPolicies"),
    "--alarms": (CLOUDWATCH, "DescribeAlarms"),
    "--metrics": (CLOUDWATCH, "GetMetricData"),
}


@pytest.mark.parametrize("option", list(FILES))
def test_each_fixture_is_a_valid_aws_response(option: str) -> None:
    service, operation = OPERATIONS[option]
    assert output_errors(service, operation, documents()[option]) == []


def test_the_metric_queries_fixture_is_the_get_metric_data_request_behind_the_export() -> None:
    queries = json.loads((DATA / "fraud-scorer-metric-queries.json").read_text())
    request = {
        "MetricDataQueries": queries,
        "StartTime": "2026-11-30T07:00:00Z",
        "EndTime": "2026-11-30T11:00:00Z",
    }
    assert input_errors(CLOUDWATCH, "GetMetricData", request, "test") == []
    labels = {result["Label"] for result in documents()["--metrics"]["MetricDataResults"]}
    assert {query["Label"] for query in queries} == labels


def _imported(cli: Cli, tmp_path: Path, *extra: Any, docs: dict[str, Any] | None = None) -> dict[str, Any]:
    code, stdout, stderr = run_import(cli, tmp_path, docs, *extra)
    assert code == 0, stderr
    assert stdout.startswith("wrote scenario.yaml to ")
    assert cli("check", tmp_path / "out" / "scenario.yaml")[0] == 0
    document: dict[str, Any] = yaml.safe_load((tmp_path / "out" / "scenario.yaml").read_text())
    return document


def test_the_fixtures_import_to_a_scenario_that_replays_each_minute(cli: Cli, tmp_path: Path) -> None:
    document = _imported(cli, tmp_path)
    current, graviton = document["endpoint"]["variants"]
    assert (current["instance_type"], current["instance_count"], current["weight"]) == (
        "ml.c6i.xlarge",
        2,
        0.9,
    )
    assert (graviton["instance_type"], graviton["instance_count"], graviton["weight"]) == (
        "ml.c7g.xlarge",
        1,
        0.1,
    )
    assert document["endpoint"]["routing"] == "LEAST_OUTSTANDING_REQUESTS"
    tracking = current["autoscaling"]["target_tracking"]
    assert (tracking["target_value"], tracking["scale_out_cooldown"], tracking["scale_in_cooldown"]) == (
        1500,
        300,
        600,
    )
    out, into = graviton["autoscaling"]["step_scaling"]
    assert (out["name"], out["threshold"], out["alarm"]) == (
        "scale-out",
        1500,
        {"evaluation_periods": 3, "datapoints_to_alarm": 2},
    )
    assert (into["name"], into["comparison"], into["cooldown"]) == ("scale-in", "LessThanThreshold", 600)
    assert document["region"] == "us-east-1" and document["duration"] == 240 * 60
    results = documents()["--metrics"]["MetricDataResults"]
    per_minute = [sum(values) for values in zip(*(r["Values"][::-1] for r in results), strict=True)]
    steps = document["traffic"]["arrivals"]["steps"]
    ends = [step["at"] for step in steps[1:]] + [document["duration"]]
    replayed = [
        step["rate"] * 60 for step, end in zip(steps, ends, strict=True) for _ in range(step["at"], end, 60)
    ]
    assert replayed == pytest.approx(per_minute, abs=1e-3)  # every minute's count, in order
    header = (tmp_path / "out" / "scenario.yaml").read_text().split("\nname:")[0]
    assert "ProductionVariants[0].ContainerStartupHealthCheckTimeoutInSeconds" in header
    assert f"{sum(per_minute):,.0f} invocations" in header


def test_measured_weights_and_a_model_profile(cli: Cli, tmp_path: Path) -> None:
    docs = documents()
    profile = ROOT / "reports" / "calibration" / "serve" / "profile.yaml"
    document = _imported(cli, tmp_path, "--weights", "measured", "--model-profile", profile, docs=docs)
    results = {r["Label"]: sum(r["Values"]) for r in docs["--metrics"]["MetricDataResults"]}
    weights = {v["name"]: v["weight"] for v in document["endpoint"]["variants"]}
    assert weights == pytest.approx({k: v / sum(results.values()) for k, v in results.items()}, abs=1e-6)
    assert document["models"] == {"fraud-scorer-xgb-2026-10": {"profile": "model-profile.yaml"}}
    assert (tmp_path / "out" / "model-profile.yaml").read_text() == profile.read_text()
    scenario = load_scenario(tmp_path / "out" / "scenario.yaml")
    assert scenario.models["fraud-scorer-xgb-2026-10"].service_time is not None


def test_without_scaling_documents_the_variants_keep_their_counts(cli: Cli, tmp_path: Path) -> None:
    docs = {**documents(), "--scalable-targets": None, "--scaling-policies": None, "--alarms": None}
    document = _imported(cli, tmp_path, docs=docs)
    assert all("autoscaling" not in v for v in document["endpoint"]["variants"])
    assert document["endpoint"]["name"] == "fraud-scorer"  # the config name less -config


Change = Callable[[dict[str, Any]], Any]


def _variant(docs: dict[str, Any], index: int = 0) -> dict[str, Any]:
    variant: dict[str, Any] = docs["--endpoint-config"]["ProductionVariants"][index]
    return variant


def _policy(docs: dict[str, Any], index: int) -> dict[str, Any]:
    policy: dict[str, Any] = docs["--scaling-policies"]["ScalingPolicies"][index]
    return policy


def _alarm(docs: dict[str, Any], name: str) -> dict[str, Any]:
    return next(a for a in docs["--alarms"]["MetricAlarms"] if a["AlarmName"] == name)


def _result(docs: dict[str, Any], index: int = 0) -> dict[str, Any]:
    result: dict[str, Any] = docs["--metrics"]["MetricDataResults"][index]
    return result


TT = "ScalingPolicies[0].TargetTrackingScalingPolicyConfiguration"
STEP = "ScalingPolicies[1].StepScalingPolicyConfiguration"
OUT_ALARM = "fraud-scorer-graviton-scale-out"
REFUSED: list[tuple[str, Change, str]] = [
    # shapes
    (
        "config-shape",
        lambda d: d["--endpoint-config"].pop("CreationTime"),
        "--endpoint-config: not a Describe",
    ),
    ("metrics-shape", lambda d: _result(d).update(Values="12"), "--metrics: not a GetMetricData response: "),
    # the endpoint config
    (
        "async",
        lambda d: d["--endpoint-config"].update(AsyncInferenceConfig={"OutputConfig": {}}),
        "--endpoint-config: AsyncInferenceConfig: asynchronous",
    ),
    (
        "capture",
        lambda d: d["--endpoint-config"].update(
            DataCaptureConfig={
                "InitialSamplingPercentage": 10,
                "DestinationS3Uri": "s3://b/c",
                "CaptureOptions": [{"CaptureMode": "Input"}],
            }
        ),
        "--endpoint-config: DataCaptureConfig: data capture",
    ),
    (
        "shadow",
        lambda d: d["--endpoint-config"].update(ShadowProductionVariants=[{"VariantName": "s"}]),
        "--endpoint-config: ShadowProductionVariants: shadow",
    ),
    (
        "pools",
        lambda d: _variant(d).update(InstancePools=[{"InstanceType": "ml.c5.large", "Priority": 1}]),
        "--endpoint-config: ProductionVariants[0].InstancePools: ",
    ),
    (
        "managed-scaling",
        lambda d: _variant(d).update(ManagedInstanceScaling={"Status": "ENABLED", "MaxInstanceCount": 4}),
        "--endpoint-config: ProductionVariants[0].ManagedInstanceScaling.Status: managed instance scaling",
    ),
    (
        "components",
        lambda d: _variant(d, 1).pop("ModelName"),
        "--endpoint-config: ProductionVariants[1]: no ModelName",
    ),
    (
        "routing",
        lambda d: _variant(d).update(RoutingConfig={"RoutingStrategy": "PREFIX_AWARE"}),
        "--endpoint-config: ProductionVariants[0].RoutingConfig.RoutingStrategy: PREFIX_AWARE",
    ),
    (
        "instance-type",
        lambda d: _variant(d).update(InstanceType="ml.trn1.32xlarge"),
        "--endpoint-config: ProductionVariants[0].InstanceType: 'ml.trn1.32xlarge' is not in the us-east-1",
    ),
    (
        "accelerator",
        lambda d: _variant(d).update(AcceleratorType="ml.eia9.large"),
        "--endpoint-config: not a DescribeEndpointConfig response: ProductionVariants[0].AcceleratorType:",
    ),
    (
        "serverless-instances",
        lambda d: _variant(d).update(ServerlessConfig={"MemorySizeInMB": 2048, "MaxConcurrency": 5}),
        "--endpoint-config: ProductionVariants[0].InstanceType: a serverless variant has no instances",
    ),
    (
        "no-count",
        lambda d: _variant(d).pop("InitialInstanceCount"),
        "--endpoint-config: ProductionVariants[0]: no InitialInstanceCount",
    ),
    (
        "twice",
        lambda d: _variant(d, 1).update(VariantName="current"),
        "--endpoint-config: ProductionVariants[1].VariantName: 'current' is used twice",
    ),
    (
        "region",
        lambda d: d["--endpoint-config"].update(
            EndpointConfigArn="arn:aws:sagemaker:ap-south-1:123456789012:endpoint-config/fraud-scorer-config"
        ),
        "--endpoint-config: EndpointConfigArn: the catalog prices",
    ),
    (
        "serverless-memory",
        lambda d: (
            _variant(d, 1).update(ServerlessConfig={"MemorySizeInMB": 1500, "MaxConcurrency": 5})
            or [_variant(d, 1).pop(k) for k in ("InstanceType", "InitialInstanceCount", "RoutingConfig")]
            or d.update({"--scalable-targets": None, "--scaling-policies": None})
        ),
        "--endpoint-config: ProductionVariants[1] (scenario endpoint.variants[1].serverless.memory_mb): ",
    ),
    # scalable targets
    (
        "suspended",
        lambda d: d["--scalable-targets"]["ScalableTargets"][0]["SuspendedState"].update(
            DynamicScalingOutSuspended=True
        ),
        "--scalable-targets: ScalableTargets[0].SuspendedState.DynamicScalingOutSuspended: suspended",
    ),
    (
        "dimension",
        lambda d: d["--scalable-targets"]["ScalableTargets"][1].update(
            ScalableDimension="sagemaker:variant:DesiredProvisionedConcurrency"
        ),
        "--scalable-targets: ScalableTargets[1].ScalableDimension: sagemaker:variant:DesiredProvisioned",
    ),
    (
        "unknown-variant",
        lambda d: d["--scalable-targets"]["ScalableTargets"][1].update(
            ResourceId="endpoint/fraud-scorer/variant/gpu"
        ),
        "--scalable-targets: ScalableTargets[1].ResourceId: variant 'gpu' is not in --endpoint-config",
    ),
    (
        "second-target",
        lambda d: d["--scalable-targets"]["ScalableTargets"].append(
            d["--scalable-targets"]["ScalableTargets"][0]
        ),
        "--scalable-targets: ScalableTargets[2]: a second scalable target for variant 'current'",
    ),
    (
        "targets-page",
        lambda d: d["--scalable-targets"].update(NextToken="abc"),
        "--scalable-targets: NextToken: more pages follow",
    ),
    # scaling policies
    (
        "no-target",
        lambda d: d["--scalable-targets"]["ScalableTargets"].pop(0),
        "--scaling-policies: ScalingPolicies[0].ResourceId: variant 'current' has no scalable target",
    ),
    (
        "predictive",
        lambda d: _policy(d, 0).update(PolicyType="PredictiveScaling"),
        "--scaling-policies: ScalingPolicies[0].PolicyType: PredictiveScaling is not simulated",
    ),
    (
        "second-tracking",
        lambda d: d["--scaling-policies"]["ScalingPolicies"].append(_policy(d, 0)),
        "--scaling-policies: ScalingPolicies[3]: a second target tracking policy",
    ),
    (
        "predefined",
        lambda d: _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].update(
            PredefinedMetricSpecification={
                "PredefinedMetricType": "SageMakerVariantProvisionedConcurrencyUtilization"
            }
        ),
        f"--scaling-policies: {TT}.PredefinedMetricSpecification.PredefinedMetricType: SageMakerVariantProv",
    ),
    (
        "custom-metric",
        lambda d: (
            _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].update(
                PredefinedMetricSpecification=None,
                CustomizedMetricSpecification={
                    "MetricName": "ModelLatency",
                    "Namespace": "AWS/SageMaker",
                    "Statistic": "Average",
                },
            )
            or _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].pop("PredefinedMetricSpecification")
        ),
        f"--scaling-policies: {TT}.CustomizedMetricSpecification: ModelLatency Average in AWS/SageMaker",
    ),
    (
        "custom-dimensions",
        lambda d: (
            _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].update(
                CustomizedMetricSpecification={
                    "MetricName": "CPUUtilization",
                    "Namespace": "/aws/sagemaker/Endpoints",
                    "Statistic": "Average",
                    "Dimensions": [{"Name": "EndpointName", "Value": "other"}],
                },
            )
            or _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].pop("PredefinedMetricSpecification")
        ),
        f"--scaling-policies: {TT}.CustomizedMetricSpecification.Dimensions: must be EndpointName=",
    ),
    (
        "metric-math",
        lambda d: (
            _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].update(
                CustomizedMetricSpecification={"Metrics": [{"Id": "m1", "Expression": "m2 * 2"}]},
            )
            or _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].pop("PredefinedMetricSpecification")
        ),
        f"--scaling-policies: {TT}.CustomizedMetricSpecification.Metrics: metric math",
    ),
    (
        "resource-label",
        lambda d: _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"][
            "PredefinedMetricSpecification"
        ].update(ResourceLabel="x"),
        f"--scaling-policies: {TT}.PredefinedMetricSpecification.ResourceLabel: not simulated",
    ),
    (
        "unit",
        lambda d: (
            _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].update(
                CustomizedMetricSpecification={"MetricName": "CPUUtilization", "Unit": "Percent"}
            )
            or _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].pop("PredefinedMetricSpecification")
        ),
        f"--scaling-policies: {TT}.CustomizedMetricSpecification.Unit: a Unit filter",
    ),
    (
        "no-metric",
        lambda d: _policy(d, 0)["TargetTrackingScalingPolicyConfiguration"].pop(
            "PredefinedMetricSpecification"
        ),
        f"--scaling-policies: {TT}: no metric specification",
    ),
    (
        "tracking-config",
        lambda d: _policy(d, 0).pop("TargetTrackingScalingPolicyConfiguration"),
        "--scaling-policies: ScalingPolicies[0]: a TargetTrackingScaling policy without its configuration",
    ),
    (
        "step-config",
        lambda d: _policy(d, 1).pop("StepScalingPolicyConfiguration"),
        "--scaling-policies: ScalingPolicies[1]: a StepScaling policy without its configuration",
    ),
    (
        "policies-page",
        lambda d: d["--scaling-policies"].update(NextToken="abc"),
        "--scaling-policies: NextToken: more pages follow",
    ),
    (
        "aggregation",
        lambda d: _policy(d, 1)["StepScalingPolicyConfiguration"].update(MetricAggregationType="Maximum"),
        f"--scaling-policies: {STEP}.MetricAggregationType: only Average",
    ),
    (
        "adjustment-type",
        lambda d: _policy(d, 1)["StepScalingPolicyConfiguration"].pop("AdjustmentType"),
        f"--scaling-policies: {STEP}: no AdjustmentType",
    ),
    (
        "two-alarms",
        lambda d: _policy(d, 1)["Alarms"].append(_policy(d, 2)["Alarms"][0]),
        "--scaling-policies: ScalingPolicies[1].Alarms: one alarm drives a simulated step policy, not 2",
    ),
    (
        "no-alarms-file",
        lambda d: d.update({"--alarms": None}),
        "--scaling-policies: ScalingPolicies[1].Alarms[0]: the step policy's alarm",
    ),
    (
        "alarm-missing",
        lambda d: d["--alarms"]["MetricAlarms"].remove(_alarm(d, OUT_ALARM)),
        f"--scaling-policies: ScalingPolicies[1].Alarms[0]: alarm '{OUT_ALARM}' is not in --alarms",
    ),
    # the step policies' alarms
    (
        "percentile",
        lambda d: _alarm(d, OUT_ALARM).update(ExtendedStatistic="p99"),
        "--alarms: MetricAlarms[2].ExtendedStatistic: percentile statistics",
    ),
    (
        "actions-off",
        lambda d: _alarm(d, OUT_ALARM).update(ActionsEnabled=False),
        "--alarms: MetricAlarms[2].ActionsEnabled: its actions are disabled",
    ),
    (
        "breaching",
        lambda d: _alarm(d, OUT_ALARM).update(TreatMissingData="breaching"),
        "--alarms: MetricAlarms[2].TreatMissingData: 'breaching'",
    ),
    (
        "band",
        lambda d: _alarm(d, OUT_ALARM).update(ComparisonOperator="GreaterThanUpperThreshold"),
        "--alarms: MetricAlarms[2].ComparisonOperator: GreaterThanUpperThreshold is not simulated",
    ),
    (
        "alarm-variant",
        lambda d: _alarm(d, OUT_ALARM)["Dimensions"][1].update(Value="current"),
        "--alarms: MetricAlarms[2].Dimensions: must be EndpointName=fraud-scorer and VariantName=graviton",
    ),
    (
        "no-threshold",
        lambda d: _alarm(d, OUT_ALARM).pop("Threshold"),
        "--alarms: MetricAlarms[2]: no Threshold",
    ),
    (
        "alarm-metric",
        lambda d: _alarm(d, OUT_ALARM).update(MetricName="ModelLatency"),
        "--alarms: MetricAlarms[2]: ModelLatency Sum in AWS/SageMaker is not simulated",
    ),
    # the Invocations export
    (
        "label",
        lambda d: _result(d).update(Label="prod", Id="m1"),
        "--metrics: MetricDataResults[0].Label: 'prod' (Id 'm1') names no variant",
    ),
    (
        "partial",
        lambda d: _result(d, 1).update(StatusCode="PartialData"),
        "--metrics: MetricDataResults[1].StatusCode: PartialData",
    ),
    ("metrics-page", lambda d: d["--metrics"].update(NextToken="x"), "--metrics: NextToken: more pages"),
    (
        "messages",
        lambda d: d["--metrics"].update(Messages=[{"Code": "MaxMetricsExceeded", "Value": "too many"}]),
        "--metrics: Messages[0]: CloudWatch reported MaxMetricsExceeded",
    ),
    (
        "lengths",
        lambda d: _result(d)["Values"].pop(),
        "--metrics: MetricDataResults[0]: 240 Timestamps but 239 Values",
    ),
    (
        "negative",
        lambda d: _result(d)["Values"].__setitem__(3, -1.0),
        "--metrics: MetricDataResults[0].Values[3]: -1.0 is not a count",
    ),
    (
        "fraction",
        lambda d: _result(d)["Values"].__setitem__(3, 0.5),
        "--metrics: MetricDataResults[0].Values[3]: 0.5 is not a count",
    ),
    (
        # a new user's trial: 5-minute Sums read per minute arrived at 5 x their rate
        "five-minute-sums",
        lambda d: [
            r.update(Timestamps=r["Timestamps"][::5], Values=r["Values"][::5])
            for r in d["--metrics"]["MetricDataResults"]
        ],
        "--metrics: MetricDataResults: every datapoint is a multiple of 300 s after the first: these look"
        " like Sums per 300 s, not per --metric-period (60 s); give --metric-period 300",
    ),
    (
        "duplicate",
        lambda d: _result(d)["Timestamps"].__setitem__(1, _result(d)["Timestamps"][0]),
        "--metrics: MetricDataResults[0].Timestamps[1]: 2026-11-30T10:59:00+00:00 appears twice",
    ),
    (
        "misaligned",
        lambda d: _result(d)["Timestamps"].__setitem__(0, "2026-11-30T10:59:30+00:00"),
        "--metrics: MetricDataResults: 2026-11-30T10:59:30+00:00 (current) is not a whole number",
    ),
    (
        "silent",
        lambda d: [r.update(Values=[0.0] * len(r["Values"])) for r in d["--metrics"]["MetricDataResults"]],
        "--metrics: MetricDataResults: no invocations to replay",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_what_cannot_be_simulated_is_refused_naming_its_json_path(
    cli: Cli, tmp_path: Path, change: Change, expected: str
) -> None:
    docs = documents()
    change(docs)
    code, stdout, stderr = run_import(cli, tmp_path, docs)
    assert (code, stdout) == (2, ""), stderr
    assert stderr.startswith(f"error: {expected}"), stderr
    assert len(stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_bad_options_are_one_line_errors(cli: Cli, tmp_path: Path) -> None:
    docs = documents()
    bad_profile = tmp_path / "profile.yaml"
    bad_profile.write_text("overhead: {distribution: deterministic, value: 1ms}\n")
    other = documents()
    other["--scalable-targets"]["ScalableTargets"][1]["ResourceId"] = "endpoint/other/variant/graviton"
    cases: list[tuple[dict[str, Any], tuple[Any, ...], str]] = [
        (docs, ("--service-time", "[1]"), "error: --service-time: give a distribution mapping"),
        (
            docs,
            ("--service-time", "{distribution: lognormal, median: 1s}"),
            "error: --service-time: lognormal",
        ),
        (
            docs,
            ("--service-time", "{distribution: lognormal, median: 25, p99: 80ms}"),
            "error: --service-time: median: 25 has no unit: write e.g. 25ms or 25s",
        ),
        (
            docs,
            ("--service-time", "{distribution: empirical, samples: [10ms, 0.02]}"),
            "error: --service-time: samples: 0.02 has no unit",
        ),
        (
            docs,
            ("--service-time", "{distribution:deterministic,value:25ms}"),
            "error: --service-time: the key distribution is missing (put a space after each colon",
        ),
        (docs, ("--model-profile", bad_profile), "error: --model-profile: profile"),
        (
            docs,
            ("--model-profile", bad_profile, "--service-time", "{}"),
            "error: --model-profile: give --model-profile FILE or --service-time SPEC, not both",
        ),
        (docs, ("--region", "ap-south-1"), "error: --region: the catalog prices"),
        (docs, ("--endpoint-name", "bad_name"), "error: --endpoint-name: 'bad_name' is not a SageMaker"),
        (other, (), "error: --endpoint-name: the scaling documents scale fraud-scorer, other"),
        (docs, ("--weights", "guess"), "error: --weights: "),
        (docs, ("--metric-period", "0"), "error: --metric-period: "),
        (docs, ("--metric-period", "120"), "error: --metrics: MetricDataResults: 2026-11-30T10:59:00+00:00"),
    ]
    for document, extra, expected in cases:
        code, stdout, stderr = run_import(cli, tmp_path, document, *extra)
        assert (code, stdout) == (2, "") and stderr.startswith(expected), (extra, stderr)
        assert len(stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep")
    code, _, stderr = run_import(cli, tmp_path, docs, out="foreign")
    assert code == 2 and stderr.startswith(f"error: --out: {foreign} holds files a sagesim run did not write")
    assert [p.name for p in foreign.iterdir()] == ["mine.txt"]


def test_import_replaces_its_own_earlier_output(cli: Cli, tmp_path: Path) -> None:
    profile = ROOT / "reports" / "calibration" / "serve" / "profile.yaml"
    assert run_import(cli, tmp_path, None, "--model-profile", profile)[0] == 0
    assert run_import(cli, tmp_path, None)[0] == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".sagesim-out.json", "scenario.yaml"]


def test_settings_a_newer_service_model_adds_are_refused_not_dropped() -> None:
    """What the describe shapes allow but the tables do not know (a newer botocore) is refused."""
    catalog = load_catalog("us-east-1")
    config = documents()["--endpoint-config"]
    with pytest.raises(ScenarioError, match=r"^--endpoint-config: FutureConfig: not simulated"):
        read_config({**config, "FutureConfig": {}}, catalog)
    config["ProductionVariants"][0]["FutureSetting"] = 1
    with pytest.raises(ScenarioError, match=r"ProductionVariants\[0\].FutureSetting: not simulated"):
        read_config(config, catalog)
    alarm = _alarm(documents(), OUT_ALARM)
    with pytest.raises(ScenarioError, match=r"^--alarms: A.FutureKey: not simulated"):
        read_alarm({**alarm, "FutureKey": 1}, "A", "fraud-scorer", "graviton")


def test_an_accelerator_the_catalog_lacks_is_refused() -> None:
    catalog = load_catalog("us-east-1").model_copy(update={"accelerators": {}})
    config = documents()["--endpoint-config"]
    config["ProductionVariants"][0]["AcceleratorType"] = "ml.eia2.medium"
    with pytest.raises(ScenarioError, match=r"AcceleratorType: 'ml.eia2.medium' is not in the catalog"):
        read_config(config, catalog)


def test_recommend_slo_writes_a_recommender_job_on_the_measured_traffic(cli: Cli, tmp_path: Path) -> None:
    document = _imported(cli, tmp_path, "--recommend-slo", "P99=150ms")
    assert cli("check", tmp_path / "out" / "recommend.yaml")[0] == 0
    job = yaml.safe_load((tmp_path / "out" / "recommend.yaml").read_text())
    assert job["recommend"]["latency_threshold"] == {"percentile": "P99", "value": "150ms"}
    assert job["recommend"]["candidates"] == {"families": ["c6i", "c7g"]}
    sizing = job["recommend"]["fleet_sizing"]
    assert (
        sizing["arrivals"] == document["traffic"]["arrivals"] and sizing["duration"] == document["duration"]
    )
    assert job["models"] == document["models"]
    for slo, expected in (
        ("P90=1s", "error: --recommend-slo: 'P90=1s': give P95=LATENCY or P99=LATENCY"),
        ("P99=fast", "error: --recommend-slo: cannot read duration 'fast'"),
    ):
        code, _, stderr = run_import(cli, tmp_path, None, "--recommend-slo", slo, out="bad")
        assert code == 2 and stderr.startswith(expected), stderr
        assert not (tmp_path / "bad").exists()


def test_other_resources_are_skipped_and_noted_and_ids_name_variants(cli: Cli, tmp_path: Path) -> None:
    """An unfiltered describe lists the whole account: other endpoints are skipped with a note; a
    forecast and disabled managed scaling are noted; a result without a Label is matched by its Id."""
    docs = documents()
    other = {**docs["--scalable-targets"]["ScalableTargets"][0], "ResourceId": "endpoint/other/variant/a"}
    docs["--scalable-targets"]["ScalableTargets"].append({**other, "ServiceNamespace": "ecs"})
    docs["--scalable-targets"]["ScalableTargets"][0]["PredictedCapacity"] = 3
    _variant(docs, 1)["ManagedInstanceScaling"] = {"Status": "DISABLED"}
    _result(docs, 1).pop("Label")
    document = _imported(cli, tmp_path, "--endpoint-name", "fraud-scorer", docs=docs)
    assert [v["name"] for v in document["endpoint"]["variants"]] == ["current", "graviton"]
    header = (tmp_path / "out" / "scenario.yaml").read_text().split("\nname:")[0]
    assert "1 scalable targets or policies of other resources than endpoint fraud-scorer" in header
    assert "ScalableTargets[0].PredictedCapacity" in header
    assert "ProductionVariants[1].ManagedInstanceScaling (disabled)" in header
    assert "graviton 10.0%" in header


def test_import_without_a_service_time_asks_for_one(cli: Cli, tmp_path: Path) -> None:
    given = []
    for option in ("--endpoint-config", "--metrics"):
        path = tmp_path / f"{option.strip('-')}.json"
        path.write_text(json.dumps(documents()[option]))
        given += [option, path]
    code, stdout, stderr = cli("import", *given, "--out", tmp_path / "out")
    assert (code, stdout) == (2, "") and not (tmp_path / "out").exists()
    assert stderr == (
        "error: --model-profile: give the model's service time: --model-profile FILE or --service-time SPEC\n"
    )
