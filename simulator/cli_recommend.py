"""`sagesim recommend`: an Inference Recommender job from a scenario, on any executor, resumable."""

from __future__ import annotations

import contextlib
import importlib
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, TaskID

from simulator import cli_options as opts
from simulator.errors import ScenarioError
from simulator.execution.executors import Executor

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
    """The AWS CreateInferenceRecommendationsJob request of --request, if given (a JSON object)."""
    from simulator.inputs import load_json, read_text

    if request_path is None:
        return None
    request = load_json(read_text(request_path, "--request"), "--request")
    if not isinstance(request, dict):
        raise ScenarioError("--request", "the request must be a JSON object")
    return request


def load_job(path: Path, overrides: list[str] | None, request: dict[str, Any] | None) -> RecommendScenario:
    """The scenario (with an optional AWS request merged in); errors name the request's own paths."""
    from simulator.scenario.kinds import RecommendScenario
    from simulator.scenario.loader import load_scenario_dict, read_yaml

    document = read_yaml(path)
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


def _executor(
    name: opts.ExecutorName, workers: int | None, scheduler: str | None, scenario: RecommendScenario
) -> Executor:
    advanced = scenario.recommend.advanced
    limit = advanced.resource_limit.max_parallel_of_tests if advanced is not None else None
    if limit:
        workers = min(workers or limit, limit)
    return opts.executor_from_options(name, workers, scheduler)


def print_recommendations(console: Console, rows: list[dict[str, Any]], percentile: str) -> None:
    header = ["rank", "configuration", "USD/hour", "USD per 1M inferences", "MaxInvocations/min"]
    cells = [
        [
            str(row["rank"]),
            row["candidate"],
            f"{row['CostPerHour']:.4f}",
            f"{row['CostPerInference'] * 1e6:.2f}",
            f"{row['MaxInvocations']:,}",
            f"{row['ModelLatency']:.1f}",
            "-" if row["CpuUtilization"] is None else f"{row['CpuUtilization']:.0f}",
        ]
        for row in rows
    ]
    title = "recommendations (cheapest per inference first)"
    opts.print_rows(console, title, [*header, f"{percentile} ms", "CPU %"], cells)


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
    from simulator.recommend.aws_response import JobIdentity
    from simulator.recommend.engine_check import check_job_engine
    from simulator.recommend.job import job_candidates, run_job
    from simulator.recommend.store import CandidateStore

    aws_request = read_request(request)
    scenario = load_job(scenario_path, opts.as_overrides(overrides, seed, engine), aws_request)
    check_job_engine(scenario)
    directory = resume if resume is not None else out
    if resume is not None and not resume.is_dir():
        raise ScenarioError("--resume", f"{resume} is not a directory")
    if directory.exists() and not directory.is_dir():
        raise ScenarioError("--out", f"{directory} exists and is not a directory")
    if resume is None and (out / "job.json").exists():
        raise ScenarioError(
            "--out", f"{out} holds a recommender job; continue it with --resume {out}, or give another --out"
        )
    if resume is None and out.is_dir() and any(out.iterdir()):
        raise ScenarioError("--out", f"{out} is not empty; give a new or empty directory")
    fresh = resume is None  # a failure removes what this run made; a resumed job keeps its candidates
    pool = _executor(executor, workers, scheduler, scenario)
    store = CandidateStore(directory, scenario)
    candidates, _ = job_candidates(scenario)
    console = Console(stderr=True, quiet=quiet)
    started = time.perf_counter()
    progress = opts.progress_bar(console)
    stages = StageReport(progress, console)

    def done(count: int) -> None:
        stages.done(count)
        # the writers (matplotlib, Jinja2: 0.5 s) load while the workers search, not before the first trial
        importlib.import_module("simulator.report.recommend_outputs")

    try:
        with progress:
            result = run_job(
                scenario, pool, store, resume=resume is not None, on_done=done, on_stage=stages.start
            )
        stages.finish()
    except KeyboardInterrupt:
        kept = len(list(store.folder.glob("*.json")))
        console.print(
            f"interrupted: {kept} of {len(candidates)} candidates finished and kept in {directory}; "
            f"continue with: sagesim recommend {scenario_path} --resume {directory}",
            soft_wrap=True,  # one line, copy-pasteable, whatever the terminal's width
        )
        raise typer.Exit(130) from None
    except RuntimeError as exc:
        _forget(directory, fresh)
        raise ScenarioError("--scheduler" if scheduler else "--executor", str(exc)) from None
    except BaseException:
        _forget(directory, fresh)
        raise
    wall = time.perf_counter() - started
    from simulator.report.recommend_outputs import (
        FLEET_HEADER,
        fleet_rows,
        recommendation_rows,
        write_job_outputs,
    )

    with opts.out_errors():
        identity = JobIdentity.for_scenario(scenario, aws_request)
        write_job_outputs(result, directory, wall, identity, store.created)
    stdout = Console(quiet=quiet, width=150)
    slo = scenario.recommend.slo() if scenario.recommend else None
    print_recommendations(stdout, recommendation_rows(result.recommendations), slo.percentile if slo else "")
    if result.fleet:
        opts.print_rows(
            stdout, "fleet sizing on the expected traffic (95% CI)", FLEET_HEADER, fleet_rows(result.fleet)
        )
    stdout.print(
        f"{len(candidates)} candidates in {wall:.1f} s; report: {directory / 'report.html'}  "
        f"recommendations: {directory / 'recommendations.json'}",
        soft_wrap=True,  # paths whole on one line, whatever the width: scripts read them
    )


class StageReport:
    """A progress bar per stage of the job on a terminal; without one (CI, a log file), one line per
    finished stage, so a long fleet-sizing stage is not silent."""

    def __init__(self, progress: Progress, console: Console) -> None:
        self._progress = progress
        self._console = console
        self._task: TaskID | None = None
        self._stage: tuple[str, int, float] | None = None

    def start(self, name: str, total: int) -> None:
        self.finish()
        self._task = self._progress.add_task(name, total=total)
        self._stage = (name, total, time.perf_counter())

    def done(self, count: int) -> None:
        if self._task is not None:
            self._progress.update(self._task, completed=count, refresh=True)

    def finish(self) -> None:
        """Report the stage under way as finished (once)."""
        if self._stage is None:
            return
        name, total, began = self._stage
        self._stage = None
        if not self._console.is_terminal:
            unit = "candidates" if name == "search" else "simulations"
            seconds = time.perf_counter() - began
            self._console.print(f"{name}: {total} {unit} in {seconds:.1f} s", soft_wrap=True)


def _forget(directory: Path, fresh: bool) -> None:
    """After a failed fresh job: remove what it wrote (job.json, candidates/), and the directory if
    it is then empty, so no half-made job is left to be resumed or mistaken for results."""
    if not fresh:
        return
    (directory / "job.json").unlink(missing_ok=True)
    shutil.rmtree(directory / "candidates", ignore_errors=True)
    with contextlib.suppress(OSError):
        directory.rmdir()
