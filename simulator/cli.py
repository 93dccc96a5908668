"""`sagesim`: a thin typer front over the library functions the notebooks call.

Bad input never shows a traceback: every ScenarioError or usage error becomes one line
`error: <path or argument>: <reason>` on stderr and exit code 2.
"""

from __future__ import annotations

import json
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from simulator.cli_calibrate import register_calibrate_commands
from simulator.cli_catalog import register_catalog_command
from simulator.cli_elastic import register_elastic_commands
from simulator.cli_export import register_export_command
from simulator.cli_options import (
    EngineOption,
    ExecutorName,
    ExecutorOption,
    QuietOption,
    ReplicationsOption,
    SchedulerOption,
    SeedOption,
    SetOption,
    WorkersOption,
    executor_from_options,
    out_option,
    progress_bar,
    with_engine,
    with_seed,
)
from simulator.cli_recommend import register_recommend_command
from simulator.cli_rollout import register_rollout_commands
from simulator.errors import ScenarioError
from simulator.execution.executors import Executor
from simulator.report.staging import check_out

if TYPE_CHECKING:  # annotations only: the scenario model loads when a command runs
    from simulator.scenario.schema import Scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Simulate SageMaker-style deployments from a scenario YAML.",
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"sagesim {metadata.version('sagesim')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True, help="print the version and exit"),
    ] = False,
) -> None:
    """Simulate SageMaker-style deployments from a scenario YAML."""


ScenarioArg = Annotated[Path, typer.Argument(help="scenario YAML file", show_default=False)]


class Objective(StrEnum):
    """What the checkpoint optimiser minimises."""

    time = "time"
    cost = "cost"


def print_summary(console: Console, summary: dict[str, Any], combined: dict[str, Any] | None) -> None:
    from simulator.report.tables import headline_rows

    header, rows = headline_rows(summary, combined)
    table = Table(*header, title="summary (95% CI in brackets)" if combined else "summary")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _load(path: Path, overrides: list[str] | None) -> Scenario:
    from simulator.scenario import load_scenario

    return load_scenario(path, overrides or [])


@app.command()
def run(
    scenario_path: ScenarioArg,
    out: Annotated[
        Path | None, out_option("out/<scenario file name>", "summary.json, metrics.csv, plots, report.html")
    ] = None,
    overrides: SetOption = None,
    seed: SeedOption = None,
    replications: ReplicationsOption = None,
    executor: ExecutorOption = ExecutorName.local,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    engine: EngineOption = None,
    quiet: QuietOption = False,
) -> None:
    """Simulate a scenario and write summary.json, metrics.csv, plots and report.html to --out."""
    from simulator.engine.choice import check_engine
    from simulator.execution.replications import replicate
    from simulator.metrics.oscillation import oscillation_warnings
    from simulator.report.outputs import run_summary, write_endpoint_outputs

    scenario = _load(scenario_path, with_engine(with_seed(overrides, seed), engine))
    check_engine(scenario)
    out = out if out is not None else Path("out") / scenario_path.stem
    check_out(out, "run")
    count = replications or scenario.replications
    console = Console(stderr=True, quiet=quiet)
    pool = executor_from_options(executor, workers, scheduler)
    if scenario.training_job is not None:
        _run_training(scenario, count, pool, out, quiet)
        return
    if scenario.batch_transform is not None:
        _run_transform(scenario, count, out, quiet)
        return
    if scenario.options is not None:
        _run_options(scenario, count, pool, out, quiet)
        return
    if scenario.endpoint is None:
        raise ScenarioError("endpoint", "this scenario is a recommend job: run it with `sagesim recommend`")
    with progress_bar(console) as progress:
        clock = progress.add_task("replication 1: simulated time", total=100)
        task = progress.add_task("replications done", total=count)
        replicated = replicate(
            scenario,
            count,
            pool,
            on_done=lambda done: progress.update(task, completed=done),
            on_progress=lambda fraction: progress.update(clock, completed=round(fraction * 100)),
        )
    try:
        write_endpoint_outputs(replicated, out)
    except OSError as exc:
        raise ScenarioError("--out", f"cannot write results: {exc.strerror or exc}") from None
    stdout = Console(quiet=quiet, width=140)
    print_summary(stdout, replicated.first.summary, replicated.combined if count > 1 else None)
    for note in run_summary(replicated).get("notes", []):
        stdout.print(f"note: {note}")
    for warning in oscillation_warnings(replicated.summaries):
        console.print(f"warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    stdout.print(f"report: {out / 'report.html'}  summary: {out / 'summary.json'}")


def _run_training(scenario: Scenario, count: int, pool: Executor, out: Path, quiet: bool) -> None:
    """Monte Carlo of a training job: replications, summary, CDF plots, report."""
    from simulator.report.training_outputs import training_rows, write_training_outputs
    from simulator.scenario.crossref import scenario_catalog
    from simulator.training import run_replications, summarize_training

    assert scenario.training_job is not None
    catalog = scenario_catalog(scenario)
    runs = run_replications(
        scenario.training_job, catalog, scenario.seed, count, map_fn=lambda f, items: pool.map(f, items)
    )
    summary = summarize_training(scenario.training_job, catalog, runs)
    try:
        write_training_outputs(scenario, runs, summary, out)
    except OSError as exc:
        raise ScenarioError("--out", f"cannot write results: {exc.strerror or exc}") from None
    stdout = Console(quiet=quiet, width=140)
    header, rows = training_rows(summary)
    table = Table(*header, title=f"training job: {count} replications")
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    stdout.print(f"report: {out / 'report.html'}  summary: {out / 'summary.json'}")


def _run_options(scenario: Scenario, count: int, pool: Executor, out: Path, quiet: bool) -> None:
    """Every variant alone under the full traffic; names the cheapest one meeting the SLO."""
    from simulator.options import batching_sweep, compare_options, options_rows, verdict
    from simulator.report.options_outputs import write_options_outputs

    result = compare_options(scenario, count, pool)
    sweep = batching_sweep(scenario, pool)
    try:
        write_options_outputs(scenario, result, out, sweep)
    except OSError as exc:
        raise ScenarioError("--out", f"cannot write results: {exc.strerror or exc}") from None
    stdout = Console(quiet=quiet, width=160)
    header, rows = options_rows(result.summary)
    table = Table(*header, title=f"options at the same traffic: {count} replications (95% CI)")
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    for note in result.summary.get("notes", []):
        stdout.print(f"note: {note}")
    stdout.print(verdict(result.summary))
    stdout.print(f"report: {out / 'report.html'}  summary: {out / 'summary.json'}")


def _run_transform(scenario: Scenario, count: int, out: Path, quiet: bool) -> None:
    """Replications of a batch transform job: duration, throughput, cost, utilisation."""
    from simulator.report.transform_outputs import transform_rows, write_transform_outputs
    from simulator.training.transform import transform_replications

    summary = transform_replications(scenario, count)
    try:
        write_transform_outputs(scenario, summary, out)
    except OSError as exc:
        raise ScenarioError("--out", f"cannot write results: {exc.strerror or exc}") from None
    stdout = Console(quiet=quiet, width=140)
    header, rows = transform_rows(summary)
    table = Table(*header, title=f"batch transform: {count} replications")
    for row in rows:
        table.add_row(*row)
    stdout.print(table)
    stdout.print(f"report: {out / 'report.html'}  summary: {out / 'summary.json'}")


@app.command("optimize-checkpoint")
def optimize_checkpoint_command(
    scenario_path: ScenarioArg,
    overrides: SetOption = None,
    seed: SeedOption = None,
    objective: Annotated[Objective, typer.Option(help="minimise expected completion time or cost")] = (
        Objective.time
    ),
    replications: ReplicationsOption = None,
    executor: ExecutorOption = ExecutorName.local,
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path | None, out_option(None, "checkpoint-optimum.json (the curve and the optimum)")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Find the checkpoint interval minimising expected completion time (or cost), beside Young and Daly."""
    from simulator.report.staging import staged_directory
    from simulator.scenario.crossref import scenario_catalog
    from simulator.training import optimize_checkpoint

    scenario = _load(scenario_path, with_seed(overrides, seed))
    if scenario.training_job is None:
        raise ScenarioError("training_job", "optimize-checkpoint needs a training_job scenario")
    if replications == 1:
        raise ScenarioError("--replications", "the optimiser compares intervals: give at least 2")
    if out is not None:
        check_out(out, "optimize-checkpoint")
    pool = executor_from_options(executor, workers, scheduler)
    count = replications or max(scenario.replications, 2)
    optimum = optimize_checkpoint(
        scenario.training_job,
        scenario_catalog(scenario),
        scenario.seed,
        count,
        objective.value,  # type: ignore[arg-type]
        map_fn=lambda f, items: pool.map(f, items),
    )
    if out is not None:
        try:
            with staged_directory(out, "optimize-checkpoint") as staging:
                (staging / "checkpoint-optimum.json").write_text(
                    json.dumps(optimum.to_dict(), indent=2) + "\n"
                )
        except OSError as exc:
            raise ScenarioError("--out", f"cannot write results: {exc.strerror or exc}") from None
    Console(quiet=quiet, width=160).print(optimum.report(), soft_wrap=True, highlight=False, markup=False)


@app.command()
def check(scenario_path: ScenarioArg, overrides: SetOption = None) -> None:
    """Validate a scenario without running it."""
    scenario = _load(scenario_path, overrides)
    typer.echo(f"ok: {scenario.name}")


@app.command()
def schema(
    out: Annotated[Path | None, out_option(None, "scenario.schema.json instead of stdout")] = None,
) -> None:
    """Print the scenario JSON Schema."""
    from simulator.report.staging import staged_directory
    from simulator.scenario.schema import Scenario

    text = json.dumps(Scenario.model_json_schema(by_alias=True), indent=2)
    if out is None:
        typer.echo(text)
        return
    check_out(out, "schema")
    try:
        with staged_directory(out, "schema") as staging:
            (staging / "scenario.schema.json").write_text(text + "\n")
    except OSError as exc:
        raise ScenarioError("--out", f"cannot write the schema: {exc.strerror or exc}") from None
    typer.echo(f"schema: {out / 'scenario.schema.json'}")


register_catalog_command(app)  # catalog, catalog refresh (simulator/cli_catalog.py)
register_elastic_commands(app)  # compare, crossover (simulator/cli_elastic.py)
register_recommend_command(app)  # recommend (simulator/cli_recommend.py)
register_export_command(app)  # export (simulator/cli_export.py)
register_rollout_commands(app)  # rollout, ab-test (simulator/cli_rollout.py)
register_calibrate_commands(app)  # calibrate ..., validate (simulator/cli_calibrate.py)


def _usage_error_line(error: Exception) -> str | None:
    """One line for a command-line usage error (the click exception typer raises), else None.

    Recognised by shape, not class, because typer has moved between depending on click and
    vendoring it.
    """
    format_message = getattr(error, "format_message", None)
    if not callable(format_message) or getattr(error, "exit_code", None) != 2:
        return None
    param = getattr(error, "param", None)
    where = None
    if param is not None:
        opts = getattr(param, "opts", None) or []
        where = (
            opts[0] if opts and str(opts[0]).startswith("-") else getattr(param, "human_readable_name", None)
        )
    message = " ".join(str(format_message()).split())
    message = re.sub(r"^Invalid value for '[^']*': ", "", message)  # the option is named once, in front
    message = message.replace("Value error, ", "")  # pydantic's prefix, as typer passes it through
    return f"error: {where or 'command line'}: {message}"


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code.

    SIGTERM is handled as Ctrl-C, so a `kill` also stops pool workers, removes staging directories
    and keeps finished work (a recommender job's candidates) before the one line is printed.
    """
    try:
        with _sigterm_as_interrupt():
            outcome = app(args=argv, standalone_mode=False, prog_name="sagesim")
    except ScenarioError as error:
        print(error.one_line(), file=sys.stderr)
        return 2
    except typer.Exit as done:
        return done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        line = _usage_error_line(error)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 2
    if outcome == 130:  # click turns Ctrl-C into exit code 130 without a word
        print("error: interrupted", file=sys.stderr)
    return outcome if isinstance(outcome, int) else 0


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Raise KeyboardInterrupt on SIGTERM inside the block (main thread only), as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())


def entry() -> None:
    """setuptools console script: exit with main()'s code."""
    sys.exit(main())
