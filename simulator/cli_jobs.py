"""What `sagesim run` does with each kind of scenario: one registry from kind to analysis, writer, printer.

The scenario layer says which kinds exist (simulator/scenario/kinds.py) and checks them; this module
is the one place that says how each is run. A job's `analyse` runs the experiment (analyses layer),
`write` stages its output directory (report layer), `show` prints the console summary. Heavy modules
load inside the functions, so `sagesim --help` and `check` stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from rich.console import Console

from simulator.cli_options import out_errors, print_rows, progress_bar
from simulator.cli_recommend_job import analyse_job, show_job, write_job
from simulator.cli_settings import RunSettings
from simulator.scenario.kinds import Kind
from simulator.wording import replications_text

if TYPE_CHECKING:  # annotations only: the analyses load when a job runs
    from simulator.execution.replications import Replicated
    from simulator.metrics.summary_types import Summary
    from simulator.options import OptionsResult
    from simulator.options.batching import BatchingSweep
    from simulator.scenario.kinds import (
        EndpointScenario,
        OptionsScenario,
        Scenario,
        TrainingScenario,
        TransformScenario,
    )
    from simulator.training.accounting import TrainingRun
    from simulator.training_analysis.training_summary import TrainingSummary
    from simulator.training_analysis.transform_summary import TransformSummary

S = TypeVar("S")
R = TypeVar("R")


@dataclass(frozen=True)
class Job(Generic[S, R]):
    """How one kind is run: experiment, output files, console lines."""

    analyse: Callable[[S, RunSettings], R]
    write: Callable[[S, R, Path], None]
    show: Callable[[S, R, RunSettings], None]


def _report_line(console: Console, out: Path) -> None:
    console.print(f"report: {out / 'report.html'}  summary: {out / 'summary.json'}", soft_wrap=True)


def _replicate(scenario: EndpointScenario, settings: RunSettings) -> Replicated:
    from simulator.execution.replications import replicate

    with progress_bar(Console(stderr=True, quiet=settings.quiet)) as progress:
        clock = progress.add_task("replication 1: simulated time", total=100)
        task = progress.add_task("replications done", total=settings.count)
        return replicate(
            scenario,
            settings.count,
            settings.pool,
            on_done=lambda done: progress.update(task, completed=done, refresh=True),
            on_progress=lambda part: progress.update(clock, completed=round(part * 100), refresh=True),
        )


def keeps_first_replication_here(scenario: object) -> bool:
    """Whether this kind runs replication 0 in this process (to keep its full result for the plots and
    the report) and sends only the others to the executor: endpoint runs and rollouts do."""
    from simulator.scenario.kinds import EndpointScenario, OptionsScenario

    return isinstance(scenario, EndpointScenario) and not isinstance(scenario, OptionsScenario)


def _write_endpoint(scenario: EndpointScenario, replicated: Replicated, out: Path) -> None:
    from simulator.report.outputs import write_endpoint_outputs
    from simulator.rollout.outcome import rollout_outcome

    first = replicated.first
    write_endpoint_outputs(replicated, out, rollout_outcome(first) if first.rollout is not None else None)


def _show_endpoint(scenario: EndpointScenario, replicated: Replicated, settings: RunSettings) -> None:
    from simulator.metrics.oscillation import oscillation_warnings
    from simulator.report.tables import headline_rows

    stdout = Console(quiet=settings.quiet, width=140)
    combined = replicated.combined if settings.count > 1 else None
    title = "summary (95% CI in brackets)" if combined else "summary"
    print_rows(stdout, title, *headline_rows(replicated.first.summary, combined))
    for note in replicated.notes:
        stdout.print(f"note: {note}")
    stderr = Console(stderr=True, quiet=settings.quiet)
    for warning in [
        *_empty_window_warnings(replicated.summaries),
        *_error_warnings(replicated.summaries),
        *oscillation_warnings(replicated.summaries),
    ]:
        stderr.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    _report_line(stdout, settings.out)


def _empty_window_warnings(summaries: list[Summary]) -> list[str]:
    """A run whose measured window saw no request has every figure empty or 0, which reads like an
    idle endpoint: said so (a trace whose timestamps all fall in the warm-up, say)."""
    if all(summary.requests.arrived == 0 for summary in summaries):
        return [
            "no request arrived in the measured window (after warmup, before duration): figures are empty"
        ]
    return []


ERRORS_WORTH_A_WARNING = 0.05
"""Above this error rate the latency figures describe the few requests that got through."""


def _error_warnings(summaries: list[Summary]) -> list[str]:
    """Latency percentiles are taken over completed requests only: when most requests fail or are
    throttled, a good p99 reads like a healthy endpoint, so the share that failed is said out loud."""
    arrived = sum(summary.requests.arrived for summary in summaries)
    errors = sum(summary.requests.errors for summary in summaries)
    if not arrived or errors / arrived <= ERRORS_WORTH_A_WARNING:
        return []
    completed = sum(summary.requests.completed for summary in summaries)
    return [
        f"{errors / arrived:.1%} of the requests failed or were throttled ({errors:,} of {arrived:,}):"
        f" the latency figures describe the {completed:,} that completed"
    ]


TrainingResult = tuple[list["TrainingRun"], "TrainingSummary"]


def _train(scenario: TrainingScenario, settings: RunSettings) -> TrainingResult:
    """Monte Carlo of a training job: the replications and their summary."""
    from simulator.scenario.crossref import scenario_catalog
    from simulator.training_analysis import run_replications, summarize_training

    catalog = scenario_catalog(scenario)
    runs = run_replications(scenario.training_job, catalog, scenario.seed, settings.count, settings.pool)
    return runs, summarize_training(scenario.training_job, catalog, runs)


def _write_training(scenario: TrainingScenario, result: TrainingResult, out: Path) -> None:
    from simulator.report.training_outputs import write_training_outputs

    write_training_outputs(scenario, result[0], result[1], out)


def _show_training(scenario: TrainingScenario, result: TrainingResult, settings: RunSettings) -> None:
    from simulator.report.training_outputs import training_rows

    stdout = Console(quiet=settings.quiet, width=140)
    print_rows(stdout, f"training job: {replications_text(settings.count)}", *training_rows(result[1]))
    stopped = 1.0 - result[1].completed_fraction
    if stopped > 0:
        stdout.print(
            f"note: {stopped:.0%} of replications stopped before the job completed (MaxWait or MaxRuntime):"
            " their times, savings and cost are those of a stopped job"
        )
    _report_line(stdout, settings.out)


OptionsOutcome = tuple["OptionsResult", "BatchingSweep | None"]


def _compare(scenario: OptionsScenario, settings: RunSettings) -> OptionsOutcome:
    """Every variant alone under the full traffic, and the batching sweep of the first batching one."""
    from simulator.options import batching_sweep, compare_options

    return compare_options(scenario, settings.count, settings.pool), batching_sweep(scenario, settings.pool)


def _write_options(scenario: OptionsScenario, outcome: OptionsOutcome, out: Path) -> None:
    from simulator.report.options_outputs import write_options_outputs

    write_options_outputs(scenario, outcome[0], out, outcome[1])


def _show_options(scenario: OptionsScenario, outcome: OptionsOutcome, settings: RunSettings) -> None:
    from simulator.options import options_rows, verdict

    summary = outcome[0].summary
    stdout = Console(quiet=settings.quiet, width=160)
    title = f"options at the same traffic: {replications_text(settings.count)} (95% CI)"
    print_rows(stdout, title, *options_rows(summary))
    for note in summary.notes or []:
        stdout.print(f"note: {note}")
    stdout.print(verdict(summary))
    _report_line(stdout, settings.out)


def _transform(scenario: TransformScenario, settings: RunSettings) -> TransformSummary:
    """Replications of a batch transform job: duration, throughput, cost, utilisation."""
    from simulator.training_analysis import transform_replications

    return transform_replications(scenario, settings.count, settings.pool)


def _write_transform(scenario: TransformScenario, summary: TransformSummary, out: Path) -> None:
    from simulator.report.transform_outputs import write_transform_outputs

    write_transform_outputs(scenario, summary, out)


def _show_transform(scenario: TransformScenario, summary: TransformSummary, settings: RunSettings) -> None:
    from simulator.report.transform_outputs import transform_rows

    stdout = Console(quiet=settings.quiet, width=140)
    print_rows(stdout, f"batch transform: {replications_text(settings.count)}", *transform_rows(summary))
    _report_line(stdout, settings.out)


_ENDPOINT: Job[Any, Any] = Job(_replicate, _write_endpoint, _show_endpoint)

JOBS: dict[Kind, Job[Any, Any]] = {
    Kind.ENDPOINT: _ENDPOINT,
    Kind.ROLLOUT: _ENDPOINT,  # the run with its deployment; `sagesim rollout` adds the rollout's figures
    Kind.OPTIONS: Job(_compare, _write_options, _show_options),
    Kind.TRAINING_JOB: Job(_train, _write_training, _show_training),
    Kind.BATCH_TRANSFORM: Job(_transform, _write_transform, _show_transform),
    Kind.RECOMMEND: Job(analyse_job, write_job, show_job),  # `sagesim recommend` (`run` refuses it)
}
"""How `sagesim run` and `sagesim recommend` run each kind of scenario."""


def run_job(scenario: Scenario, settings: RunSettings) -> None:
    """Run the scenario's kind of job: analyse, write the output directory (staged), print."""
    job = JOBS[scenario.kind]
    result = job.analyse(scenario, settings)
    with out_errors():
        job.write(scenario, result, settings.out)
    job.show(scenario, result, settings)
