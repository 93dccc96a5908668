"""The recommend job of the registry (cli_jobs.JOBS): search every candidate with a progress bar per
stage, write the job's files, print the ranking; `sagesim recommend` (cli_recommend.py) feeds it."""

from __future__ import annotations

import contextlib
import importlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import TaskID

from simulator import cli_options as opts
from simulator.errors import ScenarioError
from simulator.staging import MARKER, mark

if TYPE_CHECKING:  # annotations only: the job's modules load when it runs
    from simulator.cli_settings import RunSettings
    from simulator.recommend.aws_response import JobIdentity
    from simulator.recommend.job import JobResult
    from simulator.scenario.kinds import RecommendScenario


@dataclass(frozen=True)
class RecommendOutcome:
    """A finished job and what its files and console lines say beside the ranking."""

    result: JobResult
    identity: JobIdentity
    created: datetime
    wall_s: float


def analyse_job(scenario: RecommendScenario, settings: RunSettings) -> RecommendOutcome:
    """Search (or load-test) every candidate with a progress bar per stage; on a failure a fresh job
    leaves nothing behind, on Ctrl-C the finished candidates stay for --resume."""
    from simulator.recommend.aws_response import JobIdentity
    from simulator.recommend.job import job_candidates, run_job
    from simulator.recommend.store import CandidateStore

    options = settings.recommend
    if options is None:  # `sagesim run`: the job's own options (--request, --resume) are not there
        raise ScenarioError("recommend", "this scenario is a recommend job: run it with `sagesim recommend`")
    directory = settings.out
    store = CandidateStore(directory, scenario)
    candidates, _ = job_candidates(scenario)
    console = Console(stderr=True, quiet=settings.quiet)
    started = time.perf_counter()
    stages = StageReport(console)

    def done(count: int) -> None:
        stages.done(count)
        # the writers (matplotlib, Jinja2: 0.5 s) load while the workers search, not before the first trial
        importlib.import_module("simulator.report.recommend_outputs")

    try:
        with stages.progress:
            result = run_job(
                scenario, settings.pool, store, resume=options.resume, on_done=done, on_stage=stages.start
            )
        stages.finish()
    except KeyboardInterrupt:
        kept = len(list(store.folder.glob("*.json")))
        console.print(
            f"interrupted: {kept} of {len(candidates)} candidates finished and kept in {directory}; "
            f"continue with: sagesim recommend {options.scenario_path} --resume {directory}",
            soft_wrap=True,  # one line, copy-pasteable, whatever the terminal's width
        )
        raise typer.Exit(130) from None
    except BaseException as exc:
        _forget(directory, not options.resume)
        if isinstance(exc, RuntimeError):  # a failed executor (a lost Dask scheduler): one line
            raise ScenarioError(options.executor_option, str(exc)) from None
        raise
    wall = time.perf_counter() - started
    identity = JobIdentity.for_scenario(scenario, options.aws_request)
    return RecommendOutcome(result, identity, store.created, wall)


def write_job(scenario: RecommendScenario, outcome: RecommendOutcome, out: Path) -> None:
    from simulator.report.recommend_outputs import write_job_outputs

    write_job_outputs(outcome.result, out, outcome.wall_s, outcome.identity, outcome.created)
    mark(out, "recommend")


def show_job(scenario: RecommendScenario, outcome: RecommendOutcome, settings: RunSettings) -> None:
    from simulator.report.recommend_outputs import FLEET_HEADER, fleet_rows, recommendation_rows

    result = outcome.result
    stdout = Console(quiet=settings.quiet, width=150)
    slo = scenario.recommend.slo() if scenario.recommend else None
    columns: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("rank", lambda r: str(r["rank"])),
        ("configuration", lambda r: r["candidate"]),
        ("USD/hour", lambda r: f"{r['CostPerHour']:.4f}"),
        ("USD per 1M inferences", lambda r: f"{r['CostPerInference'] * 1e6:.2f}"),
        ("MaxInvocations/min", lambda r: f"{r['MaxInvocations']:,}"),
        (f"{slo.percentile if slo else ''} ms", lambda r: f"{r['ModelLatency']:.1f}"),
        ("CPU %", lambda r: "-" if r["CpuUtilization"] is None else f"{r['CpuUtilization']:.0f}"),
    ]
    rows = [[cell(row) for _, cell in columns] for row in recommendation_rows(result.recommendations)]
    title = "recommendations (cheapest per inference first)"
    opts.print_rows(stdout, title, [name for name, _ in columns], rows)
    if result.fleet:
        opts.print_rows(
            stdout, "fleet sizing on the expected traffic (95% CI)", FLEET_HEADER, fleet_rows(result.fleet)
        )
    if not result.recommendations:
        _warn_nothing_recommended(scenario, result, settings)
    stdout.print(
        f"{len(result.outcomes)} candidates in {outcome.wall_s:.1f} s; "
        f"report: {settings.out / 'report.html'}  recommendations: {settings.out / 'recommendations.json'}",
        soft_wrap=True,  # paths whole on one line, whatever the width: scripts read them
    )


def _warn_nothing_recommended(scenario: RecommendScenario, result: Any, settings: RunSettings) -> None:
    """An empty table with exit 0 read like success: say that no candidate met the SLO, and why the
    first did not (every candidate's reason is in the report and candidates.csv)."""
    from simulator.report.recommend_outputs import candidate_rows

    slo = scenario.recommend.slo()
    target = f"{slo.percentile} <= {slo.value * 1000:g} ms" if slo is not None else "the SLO"
    notes = [f"{row['candidate']}: {row['note']}" for row in candidate_rows(result) if row["note"]]
    first = f"; e.g. {notes[0]}" if notes else ""
    Console(stderr=True, quiet=settings.quiet).print(
        f"warning: no candidate met {target} at any rate tried, so nothing is recommended{first}"
        f" (every candidate's reason: {settings.out / 'report.html'}, candidates.csv)",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


class StageReport:
    """A progress bar per stage of the job on a terminal; without one (CI, a log file), one line per
    finished stage, so a long fleet-sizing stage is not silent."""

    def __init__(self, console: Console) -> None:
        self.progress = opts.progress_bar(console)
        self._console = console
        self._task: TaskID | None = None
        self._stage: tuple[str, int, float] | None = None

    def start(self, name: str, total: int) -> None:
        self.finish()
        self._task = self.progress.add_task(name, total=total)
        self._stage = (name, total, time.perf_counter())

    def done(self, count: int) -> None:
        if self._task is not None:
            self.progress.update(self._task, completed=count, refresh=True)

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
    (directory / MARKER).unlink(missing_ok=True)
    shutil.rmtree(directory / "candidates", ignore_errors=True)
    with contextlib.suppress(OSError):
        directory.rmdir()
