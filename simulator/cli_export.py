"""`sagesim export`: a scenario's endpoint, or one recommendation, as AWS requests and a CloudFormation
template (see simulator/report/aws_export.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from simulator.cli_options import staged_out
from simulator.errors import ScenarioError

if TYPE_CHECKING:  # annotations only: botocore and the scenario model load when the command runs
    from simulator.report.aws_export import Deployment


def _deployment(
    scenario_path: Path | None,
    overrides: list[str] | None,
    recommendations: Path | None,
    recommendation_id: str | None,
    model_name: str | None,
) -> Deployment:
    """What to export, from exactly one of a scenario or a recommendations.json + RecommendationId."""
    from simulator.report.aws_export import from_recommendation, from_scenario

    if scenario_path is not None and recommendations is not None:
        raise ScenarioError("--recommendations", "give a scenario or --recommendations FILE, not both")
    if scenario_path is None and recommendations is None:
        raise ScenarioError("export", "give a scenario, or --recommendations FILE with --recommendation-id")
    if recommendations is None:
        from simulator.scenario.loader import load_scenario

        if recommendation_id is not None:
            raise ScenarioError("--recommendation-id", "needs --recommendations FILE (not a scenario)")
        assert scenario_path is not None
        return from_scenario(load_scenario(scenario_path, overrides or []), model_name)
    from simulator.aws.shapes import SAGEMAKER, output_errors
    from simulator.inputs import load_json, read_text

    if recommendation_id is None:
        raise ScenarioError("--recommendation-id", "give the RecommendationId to export")
    if overrides:
        raise ScenarioError("--set", "applies to a scenario, not to --recommendations")
    response = load_json(read_text(recommendations, "--recommendations"), "--recommendations")
    problems = output_errors(SAGEMAKER, "DescribeInferenceRecommendationsJob", response, "--recommendations")
    if problems:
        raise ScenarioError(
            "--recommendations", f"not a DescribeInferenceRecommendationsJob response: {problems[0]}"
        )
    return from_recommendation(response, recommendation_id, model_name)


def export(
    scenario_path: Annotated[
        Path | None, typer.Argument(help="scenario YAML whose endpoint to export", show_default=False)
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="output directory")] = Path("out/export"),
    overrides: Annotated[list[str] | None, typer.Option("--set", help="override a value: PATH=VALUE")] = None,
    recommendations: Annotated[
        Path | None, typer.Option(help="recommendations.json of `sagesim recommend` (instead of a scenario)")
    ] = None,
    recommendation_id: Annotated[
        str | None, typer.Option(help="the RecommendationId to export from --recommendations")
    ] = None,
    model_name: Annotated[
        str | None, typer.Option(help="the SageMaker model to serve (default: from the scenario's name)")
    ] = None,
) -> None:
    """Write CreateEndpointConfig, RegisterScalableTarget, PutScalingPolicy (and for step policies
    PutMetricAlarm) requests and template.yaml."""
    from simulator.report.aws_export import write_export
    from simulator.staging import check_out

    check_out(out, "export")
    deployment = _deployment(scenario_path, overrides, recommendations, recommendation_id, model_name)
    with staged_out(out, "export", "cannot write") as staging:
        names = write_export(deployment, staging)
    typer.echo(f"wrote {', '.join(names)} to {out}")
    for note in deployment.left_out:
        typer.echo(f"note: {note}")
