"""`sagesim recommend`: an Inference Recommender job from a scenario, on any executor, resumable.

The command checks its options and hands the job to the registry (cli_jobs.JOBS), which runs it with
`analyse_job`, `write_job` and `show_job` of cli_recommend_job.py, as it runs every other kind of scenario.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from simulator import cli_options as opts
from simulator.errors import ScenarioError
from simulator.staging import check_out

if TYPE_CHECKING:  # annotations only: the scenario model loads when a command runs
    from simulator.recommend.aws_request import Converted
    from simulator.scenario.kinds import RecommendScenario


def _with_request(document: Any, request: Any) -> tuple[Any, Converted]:
    """The scenario document with the AWS request's fields merged into `recommend:`."""
    from simulator.recommend.aws_request import from_aws_request

    section, converted = from_aws_request(request)
    if not isinstance(document, dict):
        return document, converted
    merged = dict(document.get("recommend") or {})
    for key in ("advanced", "candidates"):  # sections the request refines rather than replaces
        inner = {**(merged.get(key) or {}), **section.pop(key, {})}
        if inner:
            merged[key] = inner
    merged.update(section)
    return {**document, "recommend": merged}, converted


def read_request(request_path: Path | None) -> dict[str, Any] | None:
    """The AWS CreateInferenceRecommendationsJob request of --request, if given (from_aws_request
    refuses one that is not a JSON object)."""
    from simulator.inputs import load_json, read_text

    if request_path is None:
        return None
    return load_json(read_text(request_path, "--request"), "--request")


def load_job(path: Path, overrides: list[str] | None, request: dict[str, Any] | None) -> RecommendScenario:
    """The scenario (with an optional AWS request merged in); errors name the request's own paths."""
    from simulator.scenario.kinds import RecommendScenario
    from simulator.scenario.loader import load_scenario_dict, read_scenario_document

    document = read_scenario_document(path)
    converted = None
    if request is not None:
        document, converted = _with_request(document, request)
    try:
        scenario = load_scenario_dict(document, base_dir=path.parent, overrides=overrides or [])
    except ScenarioError as error:
        origin = converted.origin(error.path) if converted else None
        if origin is not None:
            raise ScenarioError(f"--request: {origin}", error.reason) from None
        raise
    if not isinstance(scenario, RecommendScenario):
        raise ScenarioError(
            "recommend", "this scenario has no recommend section (see scenarios/recommend-*.yaml)"
        )
    return scenario


def recommend(
    scenario_path: Annotated[Path, typer.Argument(help="scenario YAML with a recommend section")],
    out: Annotated[
        Path, opts.out_option(None, "job.json, candidates/, recommendations.json/.csv, report.html")
    ] = Path("out/recommend"),
    overrides: opts.SetOption = None,
    seed: opts.SeedOption = None,
    request: Annotated[
        Path | None, typer.Option(help="AWS CreateInferenceRecommendationsJob request JSON to merge in")
    ] = None,
    executor: opts.ExecutorOption = opts.ExecutorName.local,
    workers: opts.WorkersOption = None,
    scheduler: opts.SchedulerOption = None,
    resume: Annotated[
        Path | None, typer.Option(help="continue an interrupted job in this directory (replaces --out)")
    ] = None,
    engine: opts.EngineOption = None,
    quiet: opts.QuietOption = False,
) -> None:
    """Find each candidate's max invocations under the SLO, rank by cost per inference, write a report.

    A load meets the SLO when the upper end of the 95% CI, across the search's replications, of its
    latency percentile and of its error rate is at or below the limit (the rule of `options:` and
    `crossover` too).
    """
    from simulator.cli_jobs import run_job
    from simulator.cli_settings import RecommendSettings, RunSettings
    from simulator.recommend.candidates import check_has_candidates
    from simulator.recommend.engine_check import check_job_engine

    aws_request = read_request(request)
    scenario = load_job(scenario_path, opts.as_overrides(overrides, seed, engine), aws_request)
    check_job_engine(scenario)
    check_has_candidates(scenario)
    if resume is not None and not resume.is_dir():
        raise ScenarioError("--resume", f"{resume} is not a directory")
    if resume is None and (out / "job.json").exists():
        raise ScenarioError(
            "--out", f"{out} holds a recommender job; continue it with --resume {out}, or give another --out"
        )
    if resume is None:
        check_out(out, "recommend")  # a file, another command's results, or files sagesim did not write
    advanced = scenario.recommend.advanced
    limit = advanced.resource_limit.max_parallel_of_tests if advanced is not None else None
    pool = opts.executor_from_options(executor, min(workers or limit, limit) if limit else workers, scheduler)
    job = RecommendSettings(
        scenario_path, aws_request, resume is not None, "--scheduler" if scheduler else "--executor"
    )
    run_job(scenario, RunSettings(1, pool, resume or out, quiet, recommend=job))  # 1: the job sets its own
