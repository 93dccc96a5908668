"""`sagesim import`: AWS describe responses and a CloudWatch export -> a scenario (simulator/importing)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator.cli_options import out_option, staged_out
from simulator.errors import ScenarioError

if TYPE_CHECKING:  # annotations only: botocore and the scenario model load when the command runs
    from simulator.importing.build import ImportInputs

SCENARIO_FILE = "scenario.yaml"
RECOMMEND_FILE = "recommend.yaml"


class Weights(StrEnum):
    """Where the variant weights come from."""

    config = "config"
    measured = "measured"


def _inputs(
    endpoint_config: Path,
    metrics: Path,
    scalable_targets: Path | None,
    scaling_policies: Path | None,
    alarms: Path | None,
) -> ImportInputs:
    """Every document read and checked against botocore's response shape of the call that printed it."""
    from simulator.aws.shapes import AUTOSCALING, CLOUDWATCH, SAGEMAKER
    from simulator.importing.build import ImportInputs
    from simulator.importing.documents import read_response
    from simulator.importing.scaling import ScalingInputs
    from simulator.inputs import MAX_DATA_BYTES

    def optional(path: Path | None, service: str, operation: str, option: str) -> dict[str, Any] | None:
        return None if path is None else read_response(path, service, operation, option)

    return ImportInputs(
        config=read_response(endpoint_config, SAGEMAKER, "DescribeEndpointConfig", "--endpoint-config"),
        metrics=read_response(metrics, CLOUDWATCH, "GetMetricData", "--metrics", MAX_DATA_BYTES),
        scaling=ScalingInputs(
            targets=optional(scalable_targets, AUTOSCALING, "DescribeScalableTargets", "--scalable-targets"),
            policies=optional(scaling_policies, AUTOSCALING, "DescribeScalingPolicies", "--scaling-policies"),
            alarms=optional(alarms, CLOUDWATCH, "DescribeAlarms", "--alarms"),
        ),
    )


def _loads(path: Path, service_option: str) -> None:
    """The written scenario must load as `sagesim check` loads it; a failure names the import's input."""
    from simulator.scenario.loader import load_scenario

    try:
        load_scenario(path)
    except ScenarioError as exc:
        where = exc.path
        if where.startswith("recommend"):
            raise ScenarioError("--recommend-slo", f"{where}: {exc.reason}") from None
        if where.startswith("models."):
            raise ScenarioError(service_option, exc.reason) from None
        if where.startswith("endpoint.variants["):
            index = where.removeprefix("endpoint.variants[").split("]", 1)[0]
            raise ScenarioError(
                "--endpoint-config", f"ProductionVariants[{index}] (scenario {where}): {exc.reason}"
            ) from None
        raise ScenarioError("import", f"the imported scenario is invalid at {where}: {exc.reason}") from None


def import_scenario(
    endpoint_config: Annotated[
        Path, typer.Option(help="`aws sagemaker describe-endpoint-config` output (JSON)", show_default=False)
    ],
    metrics: Annotated[
        Path,
        typer.Option(
            help="`aws cloudwatch get-metric-data` output (JSON): Invocations, statistic Sum, one query per"
            " variant with its VariantName as Label",
            show_default=False,
        ),
    ],
    scalable_targets: Annotated[
        Path | None, typer.Option(help="`aws application-autoscaling describe-scalable-targets` output")
    ] = None,
    scaling_policies: Annotated[
        Path | None, typer.Option(help="`aws application-autoscaling describe-scaling-policies` output")
    ] = None,
    alarms: Annotated[
        Path | None,
        typer.Option(help="`aws cloudwatch describe-alarms` output (the alarms of step policies)"),
    ] = None,
    model_profile: Annotated[
        Path | None,
        typer.Option(
            help="the model's service time: a calibration profile YAML (service_time, optional overhead),"
            " copied beside the scenario and named by each model's `profile`"
        ),
    ] = None,
    service_time: Annotated[
        str | None,
        typer.Option(
            help="the model's service time as the scenario's `service_time` distribution, e.g."
            " '{distribution: lognormal, median: 40ms, p99: 120ms}' (instead of --model-profile)"
        ),
    ] = None,
    weights: Annotated[
        Weights,
        typer.Option(
            help="variant weights: the config's InitialVariantWeight, or each variant's measured share",
            case_sensitive=False,
        ),
    ] = Weights.config,
    metric_period: Annotated[
        int, typer.Option(min=1, max=86400, help="seconds per datapoint of --metrics (the query's Period)")
    ] = 60,
    endpoint_name: Annotated[
        str | None,
        typer.Option(
            help="the endpoint (default: from the scaling ResourceIds, or the config name less -config)"
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="the scenario's name (default: the endpoint's)")] = None,
    region: Annotated[
        str | None, typer.Option(help="catalog prices of this region (default: from EndpointConfigArn)")
    ] = None,
    recommend_slo: Annotated[
        str | None,
        typer.Option(
            help=f"also write {RECOMMEND_FILE}, an Inference Recommender job over the config's families and"
            " serverless sized on the measured traffic, with this SLO, e.g. P99=300ms"
        ),
    ] = None,
    out: Annotated[
        Path,
        out_option(
            "out/import", f"{SCENARIO_FILE} (with --recommend-slo {RECOMMEND_FILE}, a copied profile)"
        ),
    ] = Path("out/import"),
) -> None:
    """Turn an endpoint config, its scaling and measured Invocations into a scenario that replays them.

    The model's service time is in no AWS document: give --model-profile or --service-time. Settings the
    simulator cannot reproduce are refused, naming their JSON path; settings with no bearing on capacity
    are listed in the scenario's header.
    """
    import yaml

    from simulator.importing.build import ImportOptions, build_scenario, recommend_document
    from simulator.staging import check_out

    check_out(out, "import")
    inputs = _inputs(endpoint_config, metrics, scalable_targets, scaling_policies, alarms)
    options = ImportOptions(
        name=name,
        endpoint_name=endpoint_name,
        region=region,
        weights=weights.value,
        metric_period=metric_period,
        profile=model_profile,
        service_time=service_time,
    )
    imported = build_scenario(inputs, options)
    job = None if recommend_slo is None else recommend_document(imported.document, recommend_slo)
    service_option = "--model-profile" if model_profile else "--service-time"
    with staged_out(out, "import", "cannot write") as staging:
        for file, text in imported.files.items():
            (staging / file).write_text(text)
        (staging / SCENARIO_FILE).write_text(imported.text())
        _loads(staging / SCENARIO_FILE, service_option)
        if job is not None:
            (staging / RECOMMEND_FILE).write_text(
                yaml.safe_dump(job, sort_keys=False, default_flow_style=None)
            )
            _loads(staging / RECOMMEND_FILE, service_option)
    variants = imported.document["endpoint"]["variants"]
    typer.echo(
        f"wrote {SCENARIO_FILE} to {out}: endpoint {imported.document['endpoint']['name']}, {len(variants)}"
        f" variants, {len(imported.measured.total())} periods of {imported.measured.period} s,"
        f" {imported.measured.total().sum():,.0f} invocations" + (f"; and {RECOMMEND_FILE}" if job else "")
    )
