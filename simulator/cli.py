"""`sagesim`: a thin typer front over the library functions the notebooks call.

Bad input never shows a traceback: every ScenarioError or usage error becomes one line
`error: <path or argument>: <reason>` on stderr and exit code 2.
"""

from __future__ import annotations

import gc
import inspect
import json
import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from simulator import (
    cli_calibrate,
    cli_catalog,
    cli_elastic,
    cli_export,
    cli_import,
    cli_recommend,
    cli_rollout,
)
from simulator import cli_options as opts
from simulator.core.allocator import keep_freed_memory
from simulator.errors import ScenarioError
from simulator.staging import check_out, write_json

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
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


@app.command()
def run(
    scenario_path: ScenarioArg,
    out: Annotated[
        Path | None,
        opts.out_option("out/<scenario file name>", "summary.json, metrics.csv, plots, report.html"),
    ] = None,
    overrides: opts.SetOption = None,
    seed: opts.SeedOption = None,
    replications: opts.ReplicationsOption = None,
    executor: opts.ExecutorOption = opts.ExecutorName.local,
    workers: opts.WorkersOption = None,
    scheduler: opts.SchedulerOption = None,
    engine: opts.EngineOption = None,
    quiet: opts.QuietOption = False,
) -> None:
    """Simulate a scenario and write summary.json, metrics.csv, plots and report.html to --out."""
    from simulator.cli_jobs import RunSettings, keeps_first_replication_here, run_job
    from simulator.engine.choice import check_engine
    from simulator.scenario import load_scenario

    scenario = load_scenario(scenario_path, opts.as_overrides(overrides, seed, engine))
    check_engine(scenario)
    out = out if out is not None else Path("out") / scenario_path.stem
    check_out(out, "run")
    count = replications or scenario.replications
    if scheduler is not None and count == 1 and keeps_first_replication_here(scenario):
        raise ScenarioError(
            "--scheduler",
            "an endpoint run simulates its first replication in this process, so with 1 replication the"
            " scheduler would get no work: give --replications 2 or more, or leave out --scheduler",
        )
    pool = opts.executor_from_options(executor, workers, scheduler)
    run_job(scenario, RunSettings(count, pool, out, quiet))


@app.command("optimize-checkpoint")
def optimize_checkpoint_command(
    scenario_path: ScenarioArg,
    overrides: opts.SetOption = None,
    seed: opts.SeedOption = None,
    objective: Annotated[Objective, typer.Option(help="minimise expected completion time or cost")] = (
        Objective.time
    ),
    replications: opts.ReplicationsOption = None,
    executor: opts.ExecutorOption = opts.ExecutorName.local,
    workers: opts.WorkersOption = None,
    scheduler: opts.SchedulerOption = None,
    out: Annotated[
        Path | None, opts.out_option(None, "checkpoint-optimum.json (the curve and the optimum)")
    ] = None,
    quiet: opts.QuietOption = False,
) -> None:
    """Find the checkpoint interval minimising expected completion time (or cost), beside Young and Daly."""
    from simulator.scenario import load_scenario
    from simulator.scenario.crossref import scenario_catalog
    from simulator.scenario.kinds import TrainingScenario
    from simulator.training_analysis import optimize_checkpoint

    scenario = load_scenario(scenario_path, opts.as_overrides(overrides, seed))
    if not isinstance(scenario, TrainingScenario):
        raise ScenarioError("training_job", "optimize-checkpoint needs a training_job scenario")
    if replications == 1:
        raise ScenarioError("--replications", "the optimiser compares intervals: give at least 2")
    if out is not None:
        check_out(out, "optimize-checkpoint")
    pool = opts.executor_from_options(executor, workers, scheduler)
    count = replications or max(scenario.replications, 2)
    optimum = optimize_checkpoint(
        scenario.training_job,
        scenario_catalog(scenario),
        scenario.seed,
        count,
        objective.value,  # type: ignore[arg-type]
        pool,
    )
    if out is not None:
        with opts.staged_out(out, "optimize-checkpoint") as staging:
            write_json(staging / "checkpoint-optimum.json", asdict(optimum))
    Console(quiet=quiet, width=160).print(optimum.report(), soft_wrap=True, highlight=False, markup=False)


@app.command()
def check(scenario_path: ScenarioArg, overrides: opts.SetOption = None) -> None:
    """Validate a scenario without running it (with the checks `run` and `recommend` make up front)."""
    from simulator.recommend.candidates import check_has_candidates
    from simulator.scenario import load_scenario
    from simulator.scenario.kinds import RecommendScenario

    scenario = load_scenario(scenario_path, overrides)
    if scenario.engine != "auto":  # what decides it loads the engine: only when asked for
        from simulator.engine.choice import check_engine
        from simulator.recommend.engine_check import check_job_engine

        check_engine(scenario)
        check_job_engine(scenario)
    if isinstance(scenario, RecommendScenario):
        check_has_candidates(scenario)
    typer.echo(f"ok: {scenario.name}")


class SchemaOf(StrEnum):
    """Which document's JSON Schema `sagesim schema` prints."""

    SCENARIO = "scenario"
    SUMMARY = "summary"


@app.command()
def schema(
    out: Annotated[Path | None, opts.out_option(None, "<of>.schema.json instead of stdout")] = None,
    of: Annotated[
        SchemaOf, typer.Option("--of", help="scenario (the YAML a run reads) or summary (summary.json)")
    ] = SchemaOf.SCENARIO,
) -> None:
    """Print the JSON Schema of a scenario file, or of the summary.json a run writes."""
    if of is SchemaOf.SUMMARY:
        from simulator.metrics.summary_schema import summary_json_schema

        document = summary_json_schema()
    else:
        from simulator.scenario.kinds import scenario_json_schema

        document = scenario_json_schema()
    text = json.dumps(document, indent=2)
    if out is None:
        typer.echo(text)
        return
    check_out(out, "schema")
    name = f"{of.value}.schema.json"
    with opts.staged_out(out, "schema", "cannot write the schema") as staging:
        (staging / name).write_text(text + "\n")
    typer.echo(f"schema: {out / name}")


app.add_typer(cli_catalog.catalog_app, name="catalog")  # with its `refresh` subcommand
app.command()(cli_elastic.compare)
app.command()(cli_elastic.crossover)
app.command()(cli_recommend.recommend)
app.command()(cli_export.export)
app.command("import")(cli_import.import_scenario)
app.command()(cli_rollout.rollout)
app.command("ab-test")(cli_rollout.ab_test)
app.add_typer(cli_calibrate.calibrate_app, name="calibrate")
app.command("validate")(cli_calibrate.validate)


def _one_line_paragraphs(text: str) -> str:
    """The docstring with each paragraph on one line: typer keeps the source's line breaks after the
    first paragraph, so help would break where the source wraps rather than at the terminal's edge."""
    return "\n\n".join(" ".join(paragraph.split("\n")) for paragraph in inspect.cleandoc(text).split("\n\n"))


def _reflow_help(typer_app: typer.Typer) -> None:
    """Give every command of `typer_app` (and of its sub-apps) its docstring reflowed as help."""
    for command in typer_app.registered_commands:
        if command.help is None and command.callback is not None and command.callback.__doc__:
            command.help = _one_line_paragraphs(command.callback.__doc__)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _reflow_help(group.typer_instance)


_reflow_help(app)


def _usage_error_line(error: Exception) -> str | None:
    """One line for a command-line usage error (the click exception typer raises), else None.

    Recognised by shape, not class, because typer has moved between depending on click and
    vendoring it.
    """
    format_message = getattr(error, "format_message", None)
    if not callable(format_message) or getattr(error, "exit_code", None) != 2:
        return None
    param = getattr(error, "param", None)
    first = next(iter(getattr(param, "opts", None) or []), None)
    where = first if str(first).startswith("-") else getattr(param, "human_readable_name", None)
    where = where or getattr(param, "name", None)
    message = " ".join(str(format_message()).split())
    if message.startswith(("Missing argument", "Missing option")):  # named in front; say where to look
        command = getattr(getattr(error, "ctx", None), "command_path", "sagesim")
        what = "argument" if message.startswith("Missing argument") else "option"
        message = f"missing {what} (see `{command} --help`)"
    message = re.sub(r"^Invalid value for '[^']*': ", "", message)  # the option is named once, in front
    message = message.replace("Value error, ", "")  # pydantic's prefix, as typer passes it through
    return f"error: {where or 'command line'}: {message}"


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; returns the exit code.

    SIGTERM is handled as Ctrl-C, so a `kill` also stops pool workers, removes staging directories
    and keeps finished work (a recommender job's candidates) before the one line is printed. Freed
    memory is kept for reuse (core/allocator.py): runs spend less time on fresh pages.
    """
    keep_freed_memory()
    try:
        with sigterm_as_interrupt():
            outcome = app(args=argv, standalone_mode=False, prog_name="sagesim")
    except ScenarioError as error:
        print(error.one_line(), file=sys.stderr)
        return 2
    except typer.Exit as done:
        return done.exit_code
    except (typer.Abort, KeyboardInterrupt):
        outcome = 130  # one message below, as for click's own
    except Exception as error:
        line = _usage_error_line(error)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return 2
    if outcome == 130:  # click turns Ctrl-C into exit code 130 without a word; so do we, above
        print("error: interrupted", file=sys.stderr)
    return outcome if isinstance(outcome, int) else 0


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
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


def entry() -> None:
    """setuptools console script: exit with main()'s code.

    Everything the command made is frozen out of the collector first: the interpreter's final
    collection would otherwise walk every object of the run on the way out (0.3 s of a recommender job).
    """
    code = main()
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
